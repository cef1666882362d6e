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
from procurement.compliance import metrics, queries
from procurement.compliance import rules as r
from procurement.compliance.models import Alert, AlertStatus
from procurement.compliance.services.common import OVERSIGHT, rules_for
from procurement.contracts.models import Contract
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
            Contract.tender_id == tender_id, Contract.period_end >= now.date()
        )
    )
    return tender_id, year or 1


def dashboard(
    session: Session, *, tender_id: int | None, year: int | None, now: datetime, actor: Actor
) -> Dashboard:
    """Everything the regulator's home shows, for one tender's contract year."""
    actor.require(*OVERSIGHT, write=False, action="see the compliance dashboard")
    if tender_id is None:
        tender_id, year = default_selection(session, now)
    rules = rules_for(session, tender_id)
    f = queries.Filters(tender_id=tender_id, contract_year=year)
    w = queries.window(session, f, now, rules)
    groups = queries.progress(
        session,
        w=w,
        filters=f,
        groups=GROUPS,
        as_of=now,
        rules=rules,
        labels=("lot", "region", "manufacturer"),
    )
    groups["hospital"] = queries.label_rows(
        session, "hospital", queries.furthest_behind(groups["hospital"])
    )
    side = metrics.side_figures(session, filters=f, w=w, group="total", as_of=now)
    total = groups["total"][0] if groups["total"] else None
    figures = metrics.figures(total.accepted if total else 0, side.get("0"))
    return Dashboard(
        tender=session.get(Tender, tender_id) if tender_id else None,
        year=year,
        window=w,
        groups=groups,
        figures=figures,
        curve=completion_curve(session, f, w, total),
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
    if session.get_bind().dialect.name == "postgresql":
        month = func.to_char(func.timezone("UTC", rl.accepted_at), "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", rl.accepted_at)
    rows = session.execute(
        select(month, func.sum(rl.accepted_quantity))
        .join(Contract, Contract.id == rl.contract_id)
        .where(
            *queries._where(f),
            rl.accepted_at >= queries.midnight(w.start),
            rl.accepted_at < queries.midnight(min(w.as_of, w.end) + timedelta(days=1)),
        )
        .group_by(month)
    )
    by_month = {m: int(q or 0) for m, q in rows}
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
