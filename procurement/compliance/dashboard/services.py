"""The regulator's dashboard figures: one grouped progress statement for every chart and
table, the side figures of the whole selection, the completion curve by month, open alerts by
escalation step and the savings achieved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.compliance import rules as r
from procurement.compliance.alerts.models import Alert, AlertStatus
from procurement.compliance.common import OVERSIGHT, rules_for
from procurement.compliance.dashboard import delta as rollup_delta
from procurement.compliance.dashboard import rollup
from procurement.compliance.progress import metrics, queries
from procurement.contracts.models import Contract
from procurement.core.clock import business_date, day_start
from procurement.orders.models import ReceiptLine

GROUPS = ("total", "lot", "region", "hospital", "manufacturer")


@dataclass
class Dashboard:
    tender: Tender | None
    year: int | None
    window: queries.Window
    groups: dict[str, list[queries.ProgressRow]]
    figures: dict[str, Any]
    curve: list[tuple[date, Decimal, Decimal]]
    alerts_by_step: dict[str, int]
    savings: Decimal
    tenders: list[Tender] = field(default_factory=list)

    @property
    def total(self) -> queries.ProgressRow | None:
        rows = self.groups.get("total") or []
        return rows[0] if rows else None


def default_selection(session: Session, now: datetime) -> tuple[int | None, int | None]:
    """The latest tender in force and its contract year covering today (else year 1)."""
    tender_id = session.scalar(
        select(Tender.id)
        .where(Tender.status == TenderStatus.IN_FORCE)
        .order_by(Tender.id.desc())
        .limit(1)
    )
    if tender_id is None:
        return None, None
    year = session.scalar(
        select(func.min(Contract.contract_year)).where(
            Contract.tender_id == tender_id, Contract.period_end >= business_date(now)
        )
    )
    return tender_id, year or 1


def dashboard(
    session: Session,
    *,
    tender_id: int | None,
    year: int | None,
    now: datetime,
    actor: Actor,
    fast: bool = True,
) -> Dashboard:
    """Everything the regulator's home shows, for one tender's contract year.

    ``fast`` reads a tender's contract year through the rollup (:mod:`..rollup`: the folded
    sums plus a live delta, the same figures; it may build and commit a new rollup first);
    ``fast=False`` computes every figure from scratch (the reference the tests compare with)."""
    actor.require(*OVERSIGHT, write=False, action="see the compliance dashboard")
    if tender_id is None:
        tender_id, year = default_selection(session, now)
    rules = rules_for(session, tender_id)
    f = queries.Filters(tender_id=tender_id, contract_year=year)
    if fast and tender_id is not None and year is not None:
        w, groups, side, curve = _from_rollup(session, f, now, rules)
    else:
        w, groups, side, curve = _from_scratch(session, f, now, rules)
    total = groups["total"][0] if groups["total"] else None
    groups["hospital"] = queries.label_rows(
        session, "hospital", queries.furthest_behind(groups["hospital"])
    )
    return Dashboard(
        tender=session.get(Tender, tender_id) if tender_id else None,
        year=year,
        window=w,
        groups=groups,
        figures=metrics.figures(total.accepted if total else 0, side.get("0")),
        curve=curve,
        alerts_by_step=alerts_by_step(session),
        savings=total.saving if total else Decimal(0),
        tenders=list(
            session.scalars(
                select(Tender)
                .where(Tender.status.in_((TenderStatus.IN_FORCE, TenderStatus.CLOSED)))
                .order_by(Tender.id.desc())
            )
        ),
    )


LABELS = ("lot", "region", "manufacturer")


def fold_dashboard(session: Session, *, now: datetime) -> tuple[int, int] | None:
    """Fold the default selection's rollup for today unless a valid one exists (``procurement
    compliance check``: run after midnight and after settlement runs, so no regulator's view
    pays the fold). Returns (tender id, contract year) folded, else None. Commits."""
    tender_id, year = default_selection(session, now)
    if tender_id is None:
        return None
    rules = rules_for(session, tender_id)
    f = queries.Filters(tender_id=tender_id, contract_year=year)
    found, w = rollup.find(session, f, now, rules)
    if found is None or rollup_delta.read(session, f, found, w, now, rollup.DELTA_LIMIT) is None:
        rollup.build(session, f, now, rules)
    session.commit()
    return tender_id, year


def _from_scratch(session, f, now, rules):
    w = queries.window(session, f, now, rules)
    groups = queries.progress(
        session, w=w, filters=f, groups=GROUPS, as_of=now, rules=rules, labels=LABELS
    )
    side = metrics.side_figures(session, filters=f, w=w, group="total", as_of=now)
    total = groups["total"][0] if groups["total"] else None
    return w, groups, side, completion_curve(session, f, w, total)


def _from_rollup(session, f, now, rules):
    found, w = rollup.find(session, f, now, rules)
    figures = (
        None if found is None else rollup_delta.read(session, f, found, w, now, rollup.DELTA_LIMIT)
    )
    if figures is None:  # none valid for today, or too much happened since: fold anew
        found, w = rollup.build(session, f, now, rules)
        session.commit()
        figures = rollup_delta.read(session, f, found, w, now, limit=None)
    others = [g for g in figures.groups if g.grp != "hospital"]
    groups = queries.assemble(session, others, figures.prices, GROUPS, w, rules, LABELS)
    groups["hospital"] = _lagging(figures.groups, w, rules)
    orgs = (
        rollup.organizations(found.id, "hospital"),
        rollup.organizations(found.id, "manufacturer"),
    )
    side = metrics.side_figures(
        session,
        filters=f,
        w=w,
        group="total",
        as_of=now,
        orgs=orgs,
        skip=("non_winning", "payables"),
    )
    mine = side.setdefault("0", metrics.Side())
    mine.payables_due, mine.paid_on_time = figures.payables_due, figures.paid_on_time
    mine.non_winning = figures.non_winning
    total = groups["total"][0] if groups["total"] else None
    return w, groups, side, curve_points(figures.months, w, total)


def _lagging(raw, w, rules, limit: int = 10) -> list[queries.ProgressRow]:
    """The hospital rows :func:`queries.furthest_behind` would pick, building rows only for
    them: by completion rounded half up to 4 places (integers), then id, skipping on-track."""
    hospitals = [g for g in raw if g.grp == "hospital" and g.agreed > 0]
    hospitals.sort(key=lambda g: rollup.lag_order(g.accepted, g.agreed, int(g.key)))
    out: list[queries.ProgressRow] = []
    for g in hospitals:
        row = queries.progress_row(g, w, rules)
        if row.status != "on_track":
            out.append(row)
            if len(out) == limit:
                break
    return out


def _month_ends(start: date, today: date, end: date) -> list[date]:
    days, cursor = [], start
    while True:
        nxt = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(nxt - timedelta(days=1), end)
        if last >= min(today, end):  # a finished year ends at its last day
            break
        days.append(last)
        cursor = nxt
    return [*days, min(today, end)]


def completion_curve(session, f, w, total) -> list[tuple[date, Decimal, Decimal]]:
    """(day, cumulative completion, time progress) at each month end so far and today."""
    if total is None or not total.agreed:
        return []
    rl = ReceiptLine
    month = rollup.month_of(rl.accepted_at, session)
    rows = session.execute(
        select(month, func.sum(rl.accepted_quantity))
        .join(Contract, Contract.id == rl.contract_id)
        .where(
            *queries.filter_conditions(f),
            rl.accepted_at >= day_start(w.start),
            rl.accepted_at < day_start(min(w.as_of, w.end) + timedelta(days=1)),
        )
        .group_by(month)
    )
    return curve_points({m: int(q or 0) for m, q in rows}, w, total)


def curve_points(by_month: dict[str, int], w, total) -> list[tuple[date, Decimal, Decimal]]:
    """The curve from the accepted quantity by month (YYYY-MM) of acceptance."""
    if total is None or not total.agreed:
        return []
    out, running = [], 0
    for day in _month_ends(w.start, w.as_of, w.end):
        running = sum(q for m, q in by_month.items() if m <= f"{day:%Y-%m}")
        out.append(
            (
                day,
                r.completion(running, total.agreed) or Decimal(0),
                r.time_progress(w.start, w.end, day),
            )
        )
    if out:  # the last point is today: the exact figure of the progress query
        out[-1] = (out[-1][0], total.completion or Decimal(0), w.time_progress)
    return out


def alerts_by_step(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Alert.step, func.count())
        .where(Alert.status == AlertStatus.OPEN)
        .group_by(Alert.step)
    )
    out = {"none": 0, "reminder": 0, "public_notice": 0, "summons": 0}
    out.update({str(step): int(n) for step, n in rows})
    return out
