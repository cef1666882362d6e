"""The to-do lists of the hospital's and the supplier's homes: what waits for them, each item
a count (and, for deadlines, the most urgent first) with the filtered list it opens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.catalog import services as catalog
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import DemandReport, Lot, Tender
from procurement.compliance import rules as progress
from procurement.compliance.models import Alert, AlertResponse, AlertStatus
from procurement.contracts.models import Contract, ContractStatus
from procurement.orders import queries
from procurement.orders.models import ContractVolume, OrderStatus, PurchaseOrder
from procurement.settlement.models import Payment

RECENT = timedelta(days=30)  # "recently": rejected lines and payments of the last 30 days
MOST_URGENT = 5  # deadlines shown under a count


@dataclass
class Todo:
    """One line of a to-do list: how many, what, where to go; ``items`` the most urgent."""

    key: str
    count: int
    url_args: dict[str, Any] = field(default_factory=dict)
    items: list[Any] = field(default_factory=list)
    amount: Decimal | None = None
    since: date | None = None


def demand_due(session: Session, actor: Actor) -> tuple[int, list[Any]]:
    """Tenders open for demand reporting in which the hospital has not reported every lot."""
    tenders = catalog.list_tenders(session, actor=actor, status=TenderStatus.DEMAND_OPEN)
    due = []
    for tender in tenders:
        lots = session.scalar(select(func.count(Lot.id)).where(Lot.tender_id == tender.id)) or 0
        reported = session.scalar(
            select(func.count(DemandReport.id)).where(
                DemandReport.tender_id == tender.id, DemandReport.hospital_id == actor.org_id
            )
        )
        if lots and (reported or 0) < lots:
            due.append(tender)
    due.sort(key=lambda t: t.demand_deadline)
    return len(due), due[:MOST_URGENT]


def alerts_to_answer(session: Session, actor: Actor) -> int:
    """Open compliance alerts about the organization that it has not answered yet."""
    answered = exists(
        select(AlertResponse.id).where(
            AlertResponse.alert_id == Alert.id, AlertResponse.by_org_id == actor.org_id
        )
    )
    query = select(func.count(Alert.id)).where(
        Alert.subject_org_id == actor.org_id, Alert.status == AlertStatus.OPEN, ~answered
    )
    return session.scalar(query) or 0


def contracts_behind(session: Session, actor: Actor, today: date) -> int:
    """The hospital's contracts in force whose accepted volume is behind the time elapsed
    (RULES.md 6: completion below the tender's own on-track factor x time progress)."""
    rows = session.execute(
        select(Contract, ContractVolume.accepted, Tender.rules_snapshot)
        .join(Tender, Tender.id == Contract.tender_id)
        .outerjoin(ContractVolume, ContractVolume.contract_id == Contract.id)
        .where(
            and_(
                Contract.hospital_id == actor.org_id,
                Contract.status == ContractStatus.ACTIVE,
                Contract.period_start <= today,
                Contract.period_end >= today,
            )
        )
    ).all()
    behind = 0
    for contract, accepted, snapshot in rows:
        rules = progress.from_snapshot(snapshot)
        elapsed = progress.time_progress(contract.period_start, contract.period_end, today)
        months = progress.months_elapsed(contract.period_start, today)
        state = progress.status(accepted or 0, contract.agreed_volume, elapsed, months, rules)
        behind += state != progress.Status.ON_TRACK
    return behind


def hospital(session: Session, actor: Actor, now: datetime, today: date) -> list[Todo]:
    to_receive = queries.shipments_to_receive(session, actor, today)
    pending = queries.due(
        session, actor, today, queries.PENDING, PurchaseOrder.deliver_due_at, MOST_URGENT
    )
    demand, tenders = demand_due(session, actor)
    return [
        Todo("receive", to_receive, {"state": "to_receive"}),
        Todo("pending", pending.count, {"status": "pending", "sort": "due"}, pending.first),
        Todo("demand", demand, items=tenders),
        Todo("alerts", alerts_to_answer(session, actor)),
        Todo("behind", contracts_behind(session, actor, today)),
    ]


def supplier(session: Session, actor: Actor, now: datetime, today: date) -> list[Todo]:
    confirm = queries.due(
        session, actor, today, (OrderStatus.PLACED,), PurchaseOrder.confirm_due_at, MOST_URGENT
    )
    ship = queries.due(
        session, actor, today, queries.TO_SHIP, PurchaseOrder.deliver_due_at, MOST_URGENT
    )
    since = now - RECENT
    rejected = queries.rejected_lines_since(session, actor, today, since)
    todos = [
        Todo("confirm", confirm.count, {"status": "placed", "sort": "confirm_due"}, confirm.first),
        Todo("ship", ship.count, {"status": "to_ship", "sort": "due"}, ship.first),
        Todo(
            "rejected",
            rejected,
            {"state": "rejections", "from": (today - RECENT).isoformat()},
            since=today - RECENT,
        ),
    ]
    paid = session.execute(
        select(func.count(Payment.id), func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.manufacturer_id == actor.org_id, Payment.paid_at >= since
        )
    ).one()
    if actor.org_kind.value == "manufacturer":
        todos.append(
            Todo(
                "payments",
                paid[0],
                {"from": (today - RECENT).isoformat()},
                amount=Decimal(paid[1]),
                since=today - RECENT,
            )
        )
    return todos
