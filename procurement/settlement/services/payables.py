"""Payables: accrued from accepted receipt lines (orders is upstream; settlement reads it) in
one set-based INSERT ... SELECT per payment deadline; listing and the overdue list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    case,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session, undefer

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.auth.services.scope import buyer_clause
from procurement.catalog.models import Tender
from procurement.contracts.models import Contract
from procurement.core.clock import day_start
from procurement.core.money import stored_amount
from procurement.db import UtcDateTime
from procurement.db.backends import backend, plan_for_bulk, refresh_statistics
from procurement.orders.models import ReceiptLine
from procurement.settlement.models import Payable
from procurement.settlement.monthly_models import ReconciliationLine
from procurement.settlement.rules import SettlementRules, days_overdue
from procurement.trace.payable_queries import coded_amount, with_coding

BULK = 10_000  # an accrual at least this large refreshes the planner's statistics


@dataclass(frozen=True)
class AccrualResult:
    created: int
    amount: Decimal


def _deadlines(session: Session) -> dict[int, int]:
    """Tenders whose frozen rules set a payment deadline other than the default."""
    default = SettlementRules().payment_deadline_days
    found = {}
    for tender_id, snapshot in session.execute(select(Tender.id, Tender.rules_snapshot)):
        days = SettlementRules.from_snapshot(snapshot).payment_deadline_days
        if days != default:
            found[tender_id] = days
    return found


PAYABLE_COLUMNS = [
    "id",
    "contract_id",
    "hospital_id",
    "manufacturer_id",
    "amount",
    "accepted_at",
    "due_at",
]
PAID_COLUMNS = ["run_id", "payment_txn_id", "paid_at"]


def accruals(session: Session, *, where=(), same=(), paid=None) -> list:
    """``INSERT INTO payables ... SELECT`` statements (one per payment deadline) of the accepted
    contract receipt lines matching ``where`` that have no payable yet; ``same`` narrows the
    payables looked at to those that lines matching ``where`` could have (their columns are the
    line's: a smaller hash for the anti-join). ``paid`` = (run id,
    transaction id, paid at) inserts them already paid (a run accrues and pays in one write).
    Contracts are joined only to tell tenders with their own payment deadline apart (none:
    no join; a line's contract exists, receipt_lines.contract_id has a foreign key).

    Run them through ``insert_payables`` (or a run's batch, ``batches.claim``)."""
    return [
        insert(Payable).from_select(
            PAYABLE_COLUMNS + (PAID_COLUMNS if paid is not None else []),
            _lines(session, days, condition, where, same, paid),
        )
        for days, condition in _deadline_groups(session)
    ]


def _deadline_groups(session: Session) -> list[tuple[int, tuple]]:
    """(payment deadline, condition on the contract) per group of lines; one group without a
    condition when every tender has the default deadline."""
    special = _deadlines(session)
    default = SettlementRules().payment_deadline_days
    if not special:
        return [(default, ())]
    groups = [(days, (Contract.tender_id == tender_id,)) for tender_id, days in special.items()]
    groups.append((default, (Contract.tender_id.not_in(special),)))
    return groups


def _lines(session: Session, days: int, condition: tuple, where, same, paid):
    """The receipt lines of one deadline group without a payable, as payable rows."""
    accrued = select(Payable.id).where(Payable.id == ReceiptLine.id, *same).exists()
    extra = []
    if paid is not None:
        extra = [literal(paid[0]), literal(paid[1]), literal(paid[2], UtcDateTime())]
    reconciled = session.scalar(select(ReconciliationLine.id).limit(1)) is not None
    rows = select(
        ReceiptLine.id,
        ReceiptLine.contract_id,
        ReceiptLine.hospital_id,
        ReceiptLine.manufacturer_id,
        coded_amount(),  # the scanned packages' amount where codes are required (issue 18)
        ReceiptLine.accepted_at,
        backend(session).plus_days(
            _deadline_from() if reconciled else ReceiptLine.accepted_at, days
        ),
        *extra,
    ).where(
        ~accrued,
        ReceiptLine.contract_id.is_not(None),
        ReceiptLine.accepted_quantity > 0,
        coded_amount() > 0,
        *condition,
        *where,
    )
    rows = with_coding(rows)
    if condition:
        rows = rows.join(Contract, Contract.id == ReceiptLine.contract_id)
    if reconciled:
        rows = rows.outerjoin(
            ReconciliationLine, ReconciliationLine.receipt_line_id == ReceiptLine.id
        )
    return rows


def _deadline_from():
    """The later of acceptance and release by the month's reconciliation (RULES.md 5: with
    reconciliation on, the payment deadline runs from the later date)."""
    released = ReconciliationLine.released_at
    return case((released > ReceiptLine.accepted_at, released), else_=ReceiptLine.accepted_at)


def insert_payables(session: Session, *, where=(), same=()) -> None:
    """Accrue every accepted contract receipt line without a payable (no commit)."""
    plan_for_bulk(session)
    for statement in accruals(session, where=where, same=same):
        session.connection().execute(statement)


def _new_since(session: Session, last: int) -> tuple[int, Decimal]:
    """Count and total of the payables created after id ``last``. (The driver's rowcount of
    an INSERT ... SELECT is -1 under psycopg 3, which printed "accrued 0 payables".)"""
    count, total = session.execute(
        select(func.count(Payable.id), func.coalesce(func.sum(Payable.amount), 0)).where(
            Payable.id > last
        )
    ).one()
    return count, stored_amount(total)


def accrue_payables(
    session: Session, *, now: datetime, actor: Actor | None = None
) -> AccrualResult:
    """Create the payables of all accepted receipt lines that have none (idempotent)."""
    if actor is not None:
        actor.require(OrgKind.FUND, action="accrue payables")
    last = session.scalar(select(func.coalesce(func.max(Payable.id), 0)))
    insert_payables(session)
    created, amount = _new_since(session, last)
    if created >= BULK:  # or the next run plans its claims for the table before the accrual
        refresh_statistics(session, Payable.__table__)
    if created:
        audit.record(
            session,
            action="settlement.payables.accrued",
            subject_type="payables",
            subject_id="accrual",
            now=now,
            actor=actor,
            payload={"created": created, "amount": str(amount)},
        )
    session.commit()
    return AccrualResult(created=created, amount=amount)


def _scope(query, actor: Actor):
    """Manufacturers see their own payables, hospitals theirs; fund and regulator all."""
    actor.require(
        OrgKind.FUND,
        OrgKind.REGULATOR,
        OrgKind.MANUFACTURER,
        OrgKind.HOSPITAL,
        write=False,
        action="read payables",
    )
    if actor.org_kind == OrgKind.MANUFACTURER:
        return query.where(Payable.manufacturer_id == actor.org_id)
    if actor.org_kind == OrgKind.HOSPITAL:
        return query.where(buyer_clause(Payable.hospital_id, actor))
    return query


def list_payables(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    manufacturer_id: int | None = None,
    hospital_id: int | None = None,
    accepted_from: date | None = None,
    accepted_to: date | None = None,
    now: datetime,
    limit: int = 500,
) -> list[Payable]:
    """Payables you may see; ``status`` unpaid | paid | overdue; dates inclusive."""
    query = _scope(select(Payable).options(undefer(Payable.region_code)), actor)
    if status == "paid":
        query = query.where(Payable.paid_at.is_not(None))
    elif status in ("unpaid", "overdue"):
        query = query.where(Payable.paid_at.is_(None))
        if status == "overdue":
            query = query.where(Payable.due_at < now)
    if manufacturer_id is not None:
        query = query.where(Payable.manufacturer_id == manufacturer_id)
    if hospital_id is not None:
        query = query.where(Payable.hospital_id == hospital_id)
    if accepted_from is not None:
        query = query.where(Payable.accepted_at >= day_start(accepted_from))
    if accepted_to is not None:
        query = query.where(Payable.accepted_at < day_start(accepted_to + timedelta(days=1)))
    return list(session.scalars(query.order_by(Payable.due_at, Payable.id).limit(limit)))


@dataclass(frozen=True)
class OverdueItem:
    payable_id: int
    receipt_line_id: int
    contract_id: int
    hospital_id: int
    hospital_name: str
    manufacturer_id: int
    manufacturer_name: str
    amount: Decimal
    currency: str
    accepted_at: datetime
    due_at: datetime
    days_overdue: int


def overdue_payables(
    session: Session, *, now: datetime, actor: Actor, limit: int = 1000
) -> list[OverdueItem]:
    """Unpaid payables past their due time with their (started) days overdue, oldest first.
    Compliance reads this (or the same query) for overdue-payment alerts."""
    hospital = Organization.__table__.alias("hospital")
    maker = Organization.__table__.alias("maker")
    query = _scope(
        select(Payable, hospital.c.name, maker.c.name)
        .join(hospital, hospital.c.id == Payable.hospital_id)
        .join(maker, maker.c.id == Payable.manufacturer_id)
        .where(Payable.paid_at.is_(None), Payable.due_at < now),
        actor,
    )
    rows = session.execute(query.order_by(Payable.due_at, Payable.id).limit(limit))
    return [
        OverdueItem(
            p.id,
            p.receipt_line_id,
            p.contract_id,
            p.hospital_id,
            h_name,
            p.manufacturer_id,
            m_name,
            p.amount,
            p.currency,
            p.accepted_at,
            p.due_at,
            days_overdue(p.due_at, now),
        )
        for p, h_name, m_name in rows
    ]
