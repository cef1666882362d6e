"""The regulator's to-do on its home: open alerts by escalation step, tenders waiting for the
regulator's next step, and hospitals that have not reported demand for a tender open for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import DemandReport, Tender
from procurement.compliance.alerts.models import Alert, AlertKind, AlertStatus, EscalationStep
from procurement.compliance.alerts.queries import open_by_step
from procurement.compliance.common_services import OVERSIGHT


@dataclass(frozen=True)
class Waiting:
    """What a tender in a state waits for, and the tender time after which it is due (None:
    due as soon as the tender is in the state)."""

    status: TenderStatus
    action: str  # the step's name (translated on the page)
    due_after: str | None


# The regulator's moves of the lifecycle (catalog.lifecycle.MOVES) as waiting work.
WAITING = (
    Waiting(TenderStatus.DEMAND_OPEN, "open_bidding", "demand_deadline"),
    Waiting(TenderStatus.BIDDING_OPEN, "close_bidding", "bid_deadline"),
    Waiting(TenderStatus.BIDDING_CLOSED, "open_bids", "opening_at"),
    Waiting(TenderStatus.OPENED, "award", None),
    Waiting(TenderStatus.AWARDED, "put_in_force", None),
)


@dataclass(frozen=True)
class WaitingTender:
    tender: Tender
    action: str
    since: datetime  # the deadline passed, or when the tender entered its state


@dataclass(frozen=True)
class MissingDemand:
    tender: Tender
    hospitals: int  # hospitals in the tender's scope with no demand report


@dataclass
class RegulatorTodo:
    alerts_by_step: dict[EscalationStep, int]
    waiting: list[WaitingTender] = field(default_factory=list)
    missing_demand: list[MissingDemand] = field(default_factory=list)
    price_outliers: int = 0  # open price outlier alerts (RULES.md 13)

    @property
    def open_alerts(self) -> int:
        return sum(self.alerts_by_step.values())


def regulator_todo(session: Session, *, now: datetime, actor: Actor) -> RegulatorTodo:
    """What waits for the regulator now."""
    actor.require(*OVERSIGHT, write=False, action="see the compliance dashboard")
    return RegulatorTodo(
        alerts_by_step=open_by_step(session),
        waiting=waiting_tenders(session, now),
        missing_demand=[
            MissingDemand(tender, _count(session, hospitals_without_demand(tender)))
            for tender in _demand_open(session, now)
        ],
        price_outliers=_open_of_kind(session, AlertKind.PRICE_OUTLIER),
    )


def _open_of_kind(session: Session, kind: AlertKind) -> int:
    """Open alerts of one kind: one count over the alerts' kind index."""
    query = select(func.count()).where(Alert.kind == kind, Alert.status == AlertStatus.OPEN)
    return int(session.scalar(query) or 0)


def waiting_tenders(session: Session, now: datetime) -> list[WaitingTender]:
    """Tenders whose next step is due: a deadline passed, or a state that waits for the
    regulator (opened: award; awarded: put the contracts in force)."""
    by_status = {waiting.status: waiting for waiting in WAITING}
    tenders = session.scalars(
        select(Tender).where(Tender.status.in_(by_status)).order_by(Tender.id)
    )
    out = []
    for tender in tenders:
        waiting = by_status[tender.status]
        since = (
            tender.status_changed_at
            if waiting.due_after is None
            else getattr(tender, waiting.due_after)
        )
        if since <= now:
            out.append(WaitingTender(tender, waiting.action, since))
    return sorted(out, key=lambda item: (item.since, item.tender.id))


def _demand_open(session: Session, now: datetime) -> list[Tender]:
    """Tenders whose hospitals may still report demand."""
    return list(
        session.scalars(
            select(Tender)
            .where(Tender.status == TenderStatus.DEMAND_OPEN, Tender.demand_deadline > now)
            .order_by(Tender.demand_deadline, Tender.id)
        )
    )


def hospitals_without_demand(tender: Tender) -> Select:
    """The hospitals in the tender's region scope that have reported no demand for it (a
    select of ``Organization`` for a listing)."""
    reported = select(DemandReport.hospital_id).where(DemandReport.tender_id == tender.id)
    in_scope = [
        Organization.region_code.startswith(code[:2]) for code in (tender.region_scope or [])
    ]
    return select(Organization).where(
        Organization.kind == OrgKind.HOSPITAL,
        or_(*in_scope) if in_scope else false(),
        Organization.id.not_in(reported),
    )


def _count(session: Session, query: Select) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
