"""Pages: an awarded tender's supply risk (lots ranked by score, HHI, regions without a
backup) and one lot's (regions x winners with shares, backup, headroom, late trend), for the
regulator and the fund. Reached from the regulator's tender page and the award's lots."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _

from procurement.compliance.common_pages import OVERSIGHT, bp
from procurement.compliance.supply_risk import risk as rules
from procurement.compliance.supply_risk.charts import (
    ScoreBar,
    Segment,
    Series,
    StackedBar,
    late_chart,
    score_chart,
    share_chart,
)
from procurement.compliance.supply_risk.services import lot_supply_risk, tender_supply_risk
from procurement.core.clock import business_date
from procurement.web.auth import page_actor
from procurement.web.regions import region_label
from procurement.web.session import get_session, now


def _lot_url(lot_id: int) -> str:
    return url_for("compliance_pages.lot_supply_risk_page", lot_id=lot_id)


@bp.get("/compliance/tenders/<int:tender_id>/supply-risk")
@OVERSIGHT
def supply_risk_page(tender_id: int):
    """Every lot of the tender ranked by its supply-risk score, with the chart."""
    report = tender_supply_risk(get_session(), tender_id=tender_id, actor=page_actor(), now=now())
    bars = [
        ScoreBar(
            lot.code,
            f"{lot.code} {lot.name}",
            lot.score,
            lot.level,
            _(
                "HHI %(hhi)s, %(n)d region(s) without a backup",
                hhi=rules.units(lot.hhi),
                n=len(lot.without_backup),
            ),
            _lot_url(lot.lot_id),
        )
        for lot in report.lots
    ]
    chart = score_chart(bars, testid="risk-chart", title=_("Supply risk score by lot"))
    return render_template("compliance/supply_risk.html", report=report, chart=chart, rules=rules)


@bp.get("/compliance/lots/<int:lot_id>/supply-risk")
@OVERSIGHT
def lot_supply_risk_page(lot_id: int):
    """One lot: regions x winners with shares, backups, headroom and the late-delivery trend."""
    report = lot_supply_risk(get_session(), lot_id=lot_id, actor=page_actor(), now=now())
    lot = report.risk
    shares = share_chart(
        [
            StackedBar(
                r.region,
                region_label(r.region),
                [Segment(str(s.winner.id), s.winner.name, s.share) for s in r.shares],
                f"#region-{r.region}",
            )
            for r in sorted(lot.regions, key=lambda r: r.region)
        ],
        {str(w.id): w.name for w in lot.winners},
        testid="share-chart",
        title=_("Winners' shares of each region's agreed volume"),
    )
    months = report.year.months(business_date(now()))
    current = {m.month for w in lot.winners for m in w.months if not m.complete}
    late = late_chart(
        months,
        [Series(str(w.id), w.name, [m.rate for m in w.months]) for w in lot.winners],
        testid="late-chart",
        title=_("Late-delivery rate by month"),
        in_progress=min(current) if current else None,
        in_progress_label=_("in progress"),
    )
    return render_template(
        "compliance/supply_risk_lot.html",
        report=report,
        lot=lot,
        shares=shares,
        late=late,
        rules=rules,
    )
