"""Read-side selects of the settlement pages: a contract's orders and progress, payables and
payments with what they pay for, and the fund office's to-do list. Callers scope by actor
through the services (``services.get_contract``, ``payables._scope``) before reading here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased

from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.contracts.models import Contract
from procurement.core.clock import business_date
from procurement.orders.models import OrderLine, OrderStatus, PurchaseOrder, ReceiptLine
from procurement.settlement.errors import PayableNotFound, PaymentNotFound
from procurement.settlement.models import Payable, Payment, RunStatus, SettlementRun
from procurement.settlement.rules import days_overdue
from procurement.settlement.services.batches import due_lines, eligible
from procurement.settlement.services.payables import _scope as scope_payables
from procurement.trace.payable_queries import coded_amount, with_coding

DEAD = (OrderStatus.CANCELLED, OrderStatus.REJECTED)  # orders that deliver nothing
HOSPITAL = aliased(Organization, name="hospital_org")
MAKER = aliased(Organization, name="maker_org")
TODO_ROWS = 10  # overdue payables shown on the fund office's home (the rest: the list)


@dataclass(frozen=True)
class ContractProgress:
    """How far a contract year has come: quantities in smallest units, money in yuan."""

    agreed: int
    ordered: int
    accepted: int
    paid: Decimal
    unpaid: Decimal
    orders: int
    time_share: Decimal  # share of the contract year elapsed (0..1)

    @property
    def accepted_share(self) -> Decimal:
        return Decimal(self.accepted) / self.agreed if self.agreed else Decimal(0)

    @property
    def ordered_share(self) -> Decimal:
        return Decimal(self.ordered) / self.agreed if self.agreed else Decimal(0)


def time_share(start: date, end: date, today: date) -> Decimal:
    """The share of [start, end] (inclusive days) that has passed by the end of ``today``."""
    days = (end - start).days + 1
    passed = min(max((today - start).days + 1, 0), days)
    return Decimal(passed) / days if days > 0 else Decimal(0)


def contract_progress(session: Session, contract: Contract, now: datetime) -> ContractProgress:
    """Ordered and accepted quantities against the agreed volume, and what the fund paid."""
    ordered, accepted, orders = session.execute(
        select(
            func.coalesce(func.sum(OrderLine.quantity), 0),
            func.coalesce(func.sum(OrderLine.accepted_quantity), 0),
            func.count(func.distinct(OrderLine.order_id)),
        )
        .join(PurchaseOrder, PurchaseOrder.id == OrderLine.order_id)
        .where(OrderLine.contract_id == contract.id, PurchaseOrder.status.not_in(DEAD))
    ).one()
    paid, unpaid = session.execute(
        select(
            func.coalesce(func.sum(case((Payable.paid_at.is_not(None), Payable.amount))), 0),
            func.coalesce(func.sum(case((Payable.paid_at.is_(None), Payable.amount))), 0),
        ).where(Payable.contract_id == contract.id)
    ).one()
    today = business_date(now)
    return ContractProgress(
        contract.agreed_volume,
        int(ordered),
        int(accepted),
        Decimal(paid),
        Decimal(unpaid),
        int(orders),
        time_share(contract.period_start, contract.period_end, today),
    )


def contract_lines(contract_id: int) -> Select:
    """The contract's order lines with their orders (for a listing)."""
    return (
        select(OrderLine, PurchaseOrder)
        .join(PurchaseOrder, PurchaseOrder.id == OrderLine.order_id)
        .where(OrderLine.contract_id == contract_id)
    )


def payables(actor: Actor) -> Select:
    """Payables the actor may see, with the names of their hospital and manufacturer."""
    return scope_payables(
        select(Payable, HOSPITAL.name, MAKER.name)
        .join(HOSPITAL, HOSPITAL.id == Payable.hospital_id)
        .join(MAKER, MAKER.id == Payable.manufacturer_id),
        actor,
    )


@dataclass(frozen=True)
class PayableDetail:
    """A payable with the order line and receipt it pays for, and the payment that paid it."""

    payable: Payable
    receipt_line: ReceiptLine
    line: OrderLine
    order: PurchaseOrder
    contract: Contract | None
    hospital: Organization
    manufacturer: Organization
    run: SettlementRun | None
    payment: Payment | None
    days_overdue: int


def payable_detail(session: Session, *, payable_id: int, actor: Actor, now: datetime):
    """One payable the actor may see (404 for another party's, like a missing one)."""
    payable = session.scalar(scope_payables(select(Payable).where(Payable.id == payable_id), actor))
    if payable is None:
        raise PayableNotFound(payable_id=payable_id)
    receipt_line = session.get(ReceiptLine, payable.receipt_line_id)
    line = receipt_line.order_line
    payment = None
    if payable.run_id is not None:
        payment = session.scalar(
            select(Payment).where(
                Payment.run_id == payable.run_id, Payment.manufacturer_id == payable.manufacturer_id
            )
        )
    overdue = days_overdue(payable.due_at, now) if payable.paid_at is None else 0
    return PayableDetail(
        payable,
        receipt_line,
        line,
        line.order,
        session.get(Contract, payable.contract_id),
        session.get(Organization, payable.hospital_id),
        session.get(Organization, payable.manufacturer_id),
        session.get(SettlementRun, payable.run_id) if payable.run_id else None,
        payment,
        overdue,
    )


def get_payment(session: Session, *, payment_id: int, actor: Actor) -> Payment:
    """One payment of a run: the fund office and the regulator see all, a manufacturer its own."""
    actor.require(
        OrgKind.FUND, OrgKind.REGULATOR, OrgKind.MANUFACTURER, write=False, action="see payments"
    )
    payment = session.get(Payment, payment_id)
    if payment is None or (
        actor.org_kind == OrgKind.MANUFACTURER and payment.manufacturer_id != actor.org_id
    ):
        raise PaymentNotFound(payment_id=payment_id)
    return payment


def payment_payables(payment: Payment) -> Select:
    """The payables one payment paid, with their hospital's name."""
    return (
        select(Payable, HOSPITAL.name)
        .join(HOSPITAL, HOSPITAL.id == Payable.hospital_id)
        .where(Payable.run_id == payment.run_id, Payable.manufacturer_id == payment.manufacturer_id)
    )


@dataclass(frozen=True)
class NoticeLine:
    contract: Contract
    hospital: str
    payables: int
    amount: Decimal


def payment_notice(session: Session, payment: Payment) -> list[NoticeLine]:
    """A payment per contract (payment notice): payables counted and summed per contract."""
    rows = session.execute(
        select(Payable.contract_id, HOSPITAL.name, func.count(), func.sum(Payable.amount))
        .join(HOSPITAL, HOSPITAL.id == Payable.hospital_id)
        .where(Payable.run_id == payment.run_id, Payable.manufacturer_id == payment.manufacturer_id)
        .group_by(Payable.contract_id, HOSPITAL.name)
        .order_by(HOSPITAL.name, Payable.contract_id)
    ).all()
    contracts = {
        c.id: c
        for c in session.scalars(select(Contract).where(Contract.id.in_([r[0] for r in rows])))
    }
    return [NoticeLine(contracts[cid], name, n, Decimal(total)) for cid, name, n, total in rows]


def due_today(session: Session, today: date, now: datetime) -> tuple[int, Decimal]:
    """What a run with today's cut-off would pay now: unpaid payables, and accepted contract
    receipt lines not accrued yet (a run accrues and pays them, a coded line at the amount of
    its scanned packages), as (lines, amount)."""
    probe = SettlementRun(cut_off=today, started_at=now)  # never added: only its dates count
    payables_due = session.execute(
        select(func.count(), func.coalesce(func.sum(Payable.amount), 0)).where(
            *eligible(session, probe)
        )
    ).one()
    accrued = select(Payable.id).where(Payable.id == ReceiptLine.id).exists()
    lines = select(func.count(), func.coalesce(func.sum(coded_amount()), 0)).select_from(
        ReceiptLine
    )
    lines_due = session.execute(  # at the amount a run accrues: the coded one (issue 18)
        with_coding(lines).where(
            *due_lines(session, probe),
            ReceiptLine.contract_id.is_not(None),
            ReceiptLine.accepted_quantity > 0,
            coded_amount() > 0,
            ~accrued,
        )
    ).one()
    return (
        payables_due[0] + lines_due[0],
        Decimal(payables_due[1]) + Decimal(lines_due[1]),
    )


@dataclass(frozen=True)
class FundTodo:
    """The fund office's home: what a run would pay today, overdue payables, unfinished runs."""

    today: date
    due_count: int
    due_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal
    oldest_overdue: list[tuple[Payable, str, str, int]]
    unfinished_runs: list[SettlementRun]
    last_run: SettlementRun | None


def fund_todo(session: Session, *, actor: Actor, now: datetime) -> FundTodo:
    actor.require(OrgKind.FUND, write=False, action="see the fund office's to-do list")
    today = business_date(now)
    due_count, due_amount = due_today(session, today, now)
    overdue_count, overdue_amount = session.execute(
        select(func.count(), func.coalesce(func.sum(Payable.amount), 0)).where(
            Payable.paid_at.is_(None), Payable.due_at < now
        )
    ).one()
    oldest = session.execute(
        payables(actor)
        .where(Payable.paid_at.is_(None), Payable.due_at < now)
        .order_by(Payable.due_at, Payable.id)
        .limit(TODO_ROWS)
    ).all()
    runs = select(SettlementRun).where(SettlementRun.fund_org_id == actor.org_id)
    return FundTodo(
        today,
        due_count,
        due_amount,
        overdue_count,
        Decimal(overdue_amount),
        [(p, h, m, days_overdue(p.due_at, now)) for p, h, m in oldest],
        list(session.scalars(runs.where(SettlementRun.status != RunStatus.COMPLETED))),
        session.scalar(runs.order_by(SettlementRun.started_at.desc(), SettlementRun.id.desc())),
    )


def statement_period(day: datetime) -> tuple[date, date]:
    """The calendar month (business dates) a payment falls in, for the statement link."""
    paid = business_date(day)
    start = paid.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end
