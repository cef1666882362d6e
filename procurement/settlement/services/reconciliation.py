"""Reconciliation report: proves that the ledger balances, that payments = paid payables =
manufacturers' paid accounts, that no payable is paid twice, and that every payable points at a
real accepted receipt line with the same amount (fund office, regulator)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.core.money import HALF_FEN, stored_amount
from procurement.orders.models import ReceiptLine
from procurement.settlement.models import (
    Account,
    AccountKind,
    LedgerPosting,
    LedgerTransaction,
    Payable,
    Payment,
)
from procurement.settlement.services.ledger import ZERO
from procurement.trace.payable_queries import expected_amount, join_coding


@dataclass
class Reconciliation:
    transactions: int = 0
    unbalanced: list[dict] = field(default_factory=list)
    ledger_total: Decimal = ZERO
    payments_total: Decimal = ZERO
    paid_payables_total: Decimal = ZERO
    manufacturer_paid_balance: Decimal = ZERO
    payables_paid_twice: int = 0
    payables_checked: int = 0
    payables_without_receipt_line: list[int] = field(default_factory=list)
    payables_amount_mismatch: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.unbalanced
            and not self.payables_without_receipt_line
            and not self.payables_amount_mismatch
            and abs(self.ledger_total) < HALF_FEN
            and self.payments_total == self.paid_payables_total == self.manufacturer_paid_balance
            and self.payables_paid_twice == 0
        )


def reconcile(session: Session, *, actor: Actor) -> Reconciliation:
    """Prove the ledger: every transaction balances, all postings sum to zero, live payments =
    paid payables = what manufacturers' paid accounts show (fund office, regulator)."""
    actor.require(OrgKind.FUND, OrgKind.REGULATOR, write=False, action="reconcile the ledger")
    report = Reconciliation()
    sums = select(
        LedgerPosting.transaction_id, func.sum(LedgerPosting.amount).label("total")
    ).group_by(LedgerPosting.transaction_id)
    report.transactions = session.scalar(select(func.count(LedgerTransaction.id))) or 0
    report.unbalanced = [
        {"transaction_id": row.transaction_id, "total": Decimal(row.total)}
        for row in session.execute(
            sums.having(func.abs(func.sum(LedgerPosting.amount)) >= HALF_FEN)
        )
    ]
    report.ledger_total = _money(session.scalar(select(func.sum(LedgerPosting.amount))))
    reversed_ids = select(LedgerTransaction.reverses_id).where(
        LedgerTransaction.reverses_id.is_not(None)
    )
    report.payments_total = _money(
        session.scalar(
            select(func.sum(Payment.amount)).where(Payment.transaction_id.not_in(reversed_ids))
        )
    )
    report.paid_payables_total = _money(
        session.scalar(select(func.sum(Payable.amount)).where(Payable.paid_at.is_not(None)))
    )
    report.manufacturer_paid_balance = _money(
        session.scalar(
            select(func.sum(LedgerPosting.amount))
            .join(Account)
            .where(Account.kind == AccountKind.MANUFACTURER_PAID)
        )
    )
    report.payables_paid_twice = _paid_twice(session)
    _check_receipt_lines(session, report)
    return report


def _paid_twice(session: Session) -> int:
    """Payables whose run id, payment transaction or paid time disagree (a claimed payable
    must have all three): a double claim would show up as an inconsistent row."""
    bad = select(func.count(Payable.id)).where(
        (Payable.paid_at.is_(None) != Payable.payment_txn_id.is_(None))
        | and_(Payable.paid_at.is_not(None), Payable.run_id.is_(None))
    )
    return session.scalar(bad) or 0


def _money(value) -> Decimal:
    return stored_amount(value)


def _check_receipt_lines(session: Session, report: Reconciliation, limit: int = 100) -> None:
    """Every payable must point at a real receipt line with accepted units and the same
    amount: one pass (one join) listing the first offenders of either kind."""
    line = ReceiptLine.__table__.alias("line")
    missing = or_(line.c.id.is_(None), line.c.accepted_quantity <= 0)
    query = select(Payable.id, missing.label("missing")).outerjoin(
        line, line.c.id == Payable.receipt_line_id
    )
    offenders = session.execute(
        join_coding(query, line)  # a coded line's payable is its coded amount (issue 18)
        .where(or_(missing, expected_amount(line) != Payable.amount))
        .order_by(Payable.id)
        .limit(2 * limit)
    ).all()
    report.payables_checked = session.scalar(select(func.count(Payable.id))) or 0
    report.payables_without_receipt_line = [i for i, gone in offenders if gone][:limit]
    report.payables_amount_mismatch = [i for i, gone in offenders if not gone][:limit]
