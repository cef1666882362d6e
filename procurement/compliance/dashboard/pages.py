"""The regulator's dashboard (its portal home) with its charts and figures."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template
from flask_babel import gettext as _

from procurement.compliance.dashboard import charts
from procurement.compliance.dashboard.services import dashboard as dashboard_data
from procurement.compliance.progress.pages import progress_link as _link
from procurement.compliance.progress.queries import Filters, furthest_behind
from procurement.compliance.web import OVERSIGHT, bp, int_arg
from procurement.web.auth import page_actor
from procurement.web.session import get_session, now


def _bars(rows, filters: Filters, group: str, arg: str):
    return [
        charts.Bar(
            str(r.key),
            r.label,
            r.completion,
            _link(filters, group_by="hospital" if group != "hospital" else "lot", **{arg: r.key}),
            r.time_progress * Decimal("0.8"),
        )
        for r in rows
    ]


@bp.get("/regulator/compliance")
@OVERSIGHT
def dashboard():
    tender = int_arg("tender")
    data = dashboard_data(
        get_session(), tender_id=tender, year=int_arg("year"), now=now(), actor=page_actor()
    )
    filters = Filters(tender_id=data.tender.id if data.tender else None, contract_year=data.year)
    groups = data.groups
    region_chart = charts.bar_chart(
        _bars(groups["region"], filters, "region", "region"),
        testid="chart-region",
        title=_("Completion by region"),
    )
    lot_chart = charts.bar_chart(
        _bars(groups["lot"], filters, "lot", "lot"),
        testid="chart-lot",
        title=_("Completion by lot"),
    )
    curve = charts.line_chart(
        [
            charts.Point(day, done, tp, _link(filters, group_by="hospital"))
            for day, done, tp in data.curve
        ],
        testid="chart-curve",
        title=_("Completion against time elapsed"),
    )
    return render_template(
        "compliance/dashboard.html",
        d=data,
        f=filters,
        link=_link,
        region_chart=region_chart,
        lot_chart=lot_chart,
        curve=curve,
        hospitals=groups["hospital"],
        suppliers=furthest_behind(groups["manufacturer"]),
    )
