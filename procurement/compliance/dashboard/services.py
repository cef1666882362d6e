"""The regulator's dashboard figures: one grouped progress statement for every chart and
table, the side figures of the whole selection, the completion curve by month, open alerts by
escalation step and the savings achieved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.compliance import rules as r
from procurement.compliance.alerts.models import Alert, AlertStatus
from procurement.compliance.common_services import OVERSIGHT, rules_for
from procurement.compliance.dashboard import delta_queries as rollup_delta
from procurement.compliance.dashboard import order_fold_queries as order_fold
from procurement.compliance.dashboard import rollup_services as rollup
from procurement.compliance.progress import metrics_queries as metrics
from procurement.compliance.progress import queries
from procurement.contracts.models import Contract
from procurement.core.clock import business_date

GROUPS = ("total", "lot", "region", "hospital", "manufacturer")


class CurvePoint(NamedTuple):
    """One point of the completion curve: cumulative completion and time elapsed on a day."""

    day: date
    completion: Decimal
    time_progress: Decimal


class Selection(NamedTuple):
    """A tender's contract year (None, None: no tender in force)."""

    tender_id: int | None
    contract_year: int | None


@dataclass
class Dashboard:
    tender: Tender | None
    year: int | None
    window: queries.Window
    groups: dict[str, list[queries.ProgressRow]]
    figures: dict[str, Any]
    curve: list[CurvePoint]
    alerts_by_step: dict[str, int]
    savings: Decimal
    tenders: list[Tender] = field(default_factory=list)
    # The warning line of the bars: the tender's own on-track factor x time elapsed (RULES.md 6).
    on_track_factor: Decimal = r.ComplianceRules().on_track_factor

    @property
    def total(self) -> queries.ProgressRow | None:
        rows = self.groups.get("total") or []
        return rows[0] if rows else None


def default_selection(session: Session, now: datetime) -> Selection:
    """The latest tender in force and its contract year covering today (else year 1)."""
    tender_id = session.scalar(
        select(Tender.id)
        .where(Tender.status == TenderStatus.IN_FORCE)
        .order_by(Tender.id.desc())
        .limit(1)
    )
    if tender_id is None:
        return Selection(None, None)
    return Selection(tender_id, current_year(session, tender_id, now))


def current_year(session: Session, tender_id: int, now: datetime) -> int:
    """The tender's first contract year that has not ended today (else year 1)."""
    year = session.scalar(
        select(func.min(Contract.contract_year)).where(
            Contract.tender_id == tender_id, Contract.period_end >= business_date(now)
        )
    )
    return year or 1


LABELS = ("lot", "region", "manufacturer")


def dashboard(
    session: Session,
    *,
    tender_id: int | None,
    year: int | None,
    now: datetime,
    actor: Actor,
) -> Dashboard:
    """Everything the regulator's home shows, for one tender's contract year, read through
    the rollup (:mod:`.rollup`: the folded sums plus a live delta; it may build and commit a
    new rollup first). The tests compare it with a computation from scratch."""
    actor.require(*OVERSIGHT, write=False, action="see the compliance dashboard")
    if tender_id is None:
        tender_id, year = default_selection(session, now)
    elif year is None:
        year = current_year(session, tender_id, now)
    tenders = list(
        session.scalars(
            select(Tender)
            .where(Tender.status.in_((TenderStatus.IN_FORCE, TenderStatus.CLOSED)))
            .order_by(Tender.id.desc())
        )
    )
    if tender_id is None or year is None:
        return _empty(session, now, tenders)
    rules = rules_for(session, tender_id)
    filters = queries.Filters(tender_id=tender_id, contract_year=year)
    window, groups, side, curve = _from_rollup(session, filters, now, rules)
    total = groups["total"][0] if groups["total"] else None
    groups["hospital"] = queries.label_rows(
        session, "hospital", queries.furthest_behind(groups["hospital"])
    )
    return Dashboard(
        tender=session.get(Tender, tender_id),
        year=year,
        window=window,
        groups=groups,
        figures=metrics.figures(total.accepted if total else 0, side.get("0")),
        curve=curve,
        alerts_by_step=alerts_by_step(session),
        savings=total.saving if total else Decimal(0),
        tenders=tenders,
        on_track_factor=rules.on_track_factor,
    )


def _empty(session: Session, now: datetime, tenders: list[Tender]) -> Dashboard:
    """No tender in force: no figures, the alerts still counted."""
    today = business_date(now)
    window = queries.Window(today, today, today, Decimal(0), 0)
    groups: dict[str, list[queries.ProgressRow]] = {group: [] for group in GROUPS}
    return Dashboard(
        tender=None,
        year=None,
        window=window,
        groups=groups,
        figures=metrics.figures(0, None),
        curve=[],
        alerts_by_step=alerts_by_step(session),
        savings=Decimal(0),
        tenders=tenders,
    )


def fold_dashboard(session: Session, *, now: datetime) -> Selection | None:
    """Fold the default selection's rollup for today unless a valid one exists (``procurement
    compliance check``: run after midnight and after settlement runs, so no regulator's view
    pays the fold). Returns the selection folded, else None. Commits."""
    selection = default_selection(session, now)
    if selection.tender_id is None:
        return None
    rules = rules_for(session, selection.tender_id)
    filters = queries.Filters(*selection)
    found, window = rollup.find(session, filters, now, rules)
    if _current(session, filters, found, window, now) is None:
        _build(session, filters, now, rules)
    session.commit()
    return selection


def _current(session, filters, found, window, now):
    """The figures of a valid rollup, else None (none, or too much happened since)."""
    if found is None or order_fold.pending(session, found) > rollup.DELTA_LIMIT:
        return None
    return rollup_delta.read(session, filters, found, window, now, rollup.DELTA_LIMIT)


def _build(session, filters, now, rules):
    """Fold a new rollup with its order timeliness (flushed; the caller commits)."""
    order_mark = order_fold.mark(session)
    found, window = rollup.build(session, filters, now, rules)
    order_fold.fold(session, filters, window, found, now, order_mark)
    return found, window


def _from_rollup(session, filters, now, rules):
    found, window = rollup.find(session, filters, now, rules)
    figures = _current(session, filters, found, window, now)
    if figures is None:  # none valid for today, or too much happened since: fold anew
        found, window = _build(session, filters, now, rules)
        session.commit()
        figures = rollup_delta.read(session, filters, found, window, now, limit=None)
    others = [g for g in figures.groups if g.grp != "hospital"]
    groups = queries.assemble(session, others, figures.prices, GROUPS, window, rules, LABELS)
    groups["hospital"] = _lagging(figures.groups, window, rules)
    side = metrics.side_figures(
        session,
        filters=filters,
        window=window,
        group="total",
        as_of=now,
        skip=("non_winning", "payables", "orders"),
    )
    mine = side.setdefault("0", metrics.Side())
    orders = order_fold.read(session, filters, window, found, now)
    mine.confirm_due, mine.confirm_on_time = orders.confirm_due, orders.confirm_on_time
    mine.deliver_due, mine.deliver_on_time = orders.deliver_due, orders.deliver_on_time
    mine.payables_due, mine.paid_on_time = figures.payables_due, figures.paid_on_time
    mine.non_winning = figures.non_winning
    total = groups["total"][0] if groups["total"] else None
    return window, groups, side, curve_points(figures.months, window, total)


def _lagging(raw, window, rules, limit: int = 10) -> list[queries.ProgressRow]:
    """The hospital rows :func:`queries.furthest_behind` would pick, building rows only for
    them: by completion rounded half up to 4 places (integers), then id, skipping on-track."""
    hospitals = [g for g in raw if g.grp == "hospital" and g.agreed > 0]
    hospitals.sort(key=lambda g: rollup.lag_order(g.accepted, g.agreed, int(g.key)))
    out: list[queries.ProgressRow] = []
    for group in hospitals:
        row = queries.progress_row(group, window, rules)
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


def curve_points(by_month: dict[str, int], window, total) -> list[CurvePoint]:
    """The curve from the accepted quantity by month (YYYY-MM) of acceptance."""
    if total is None or not total.agreed:
        return []
    out = []
    for day in _month_ends(window.start, window.as_of, window.end):
        running = sum(q for m, q in by_month.items() if m <= f"{day:%Y-%m}")
        out.append(
            CurvePoint(
                day,
                r.completion(running, total.agreed) or Decimal(0),
                r.time_progress(window.start, window.end, day),
            )
        )
    if out:  # the last point is today: the exact figure of the progress query
        out[-1] = out[-1]._replace(
            completion=total.completion or Decimal(0), time_progress=window.time_progress
        )
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
