"""Settlement (结算): a double-entry ledger, advances, payables, payment runs and payments.

Reading guide (for compliance and reports):

- ``LedgerPosting.amount`` is signed: positive = debit, negative = credit. Every
  ``LedgerTransaction``'s postings sum to zero; postings are append-only; a correction is a new
  transaction whose ``reverses_id`` names the corrected one (its postings negated).
  An account's balance is ``SUM(amount)`` of its postings; nothing stores a running total.
- Account kinds and what their balance means (owner = an organization, or a region for the pool):

  ==================== =================================================================
  fund_pool            region's fund; credited when the advance leaves it (balance <= 0)
  hospital_advance     advance paid to the hospital and not yet used (debit balance)
  hospital_allocation  the hospital's share of the regional fund; credited with what the
                       fund paid on the hospital's behalf beyond its advance
  manufacturer_paid    paid to the manufacturer by settlement runs (debit balance)
  manufacturer_payable reserved for accrual postings (payables are the sub-ledger today)
  retained_savings     结余留用, posted by the year-end check (compliance)
  budget_deduction     下年度总额扣减, posted by the year-end check (compliance)
  ==================== =================================================================

- Transactions: ``advance`` (Dr hospital_advance / Cr fund_pool), ``payment`` (per run batch:
  Dr manufacturer_paid per manufacturer / Cr hospital_advance then hospital_allocation per
  hospital), ``reversal``; compliance adds ``year_end``.
- ``Payable``: one per accepted contract receipt line (its id = the ``receipt_line_id``), amount =
  the line's ``accepted_amount``, ``due_at`` = ``accepted_at`` + payment deadline. Unpaid =
  ``paid_at`` IS NULL; overdue = unpaid and ``due_at`` < now (days overdue = whole days past
  ``due_at``). ``run_id``/``payment_txn_id`` say which run and ledger transaction paid it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship, synonym

from procurement.auth.models import Organization
from procurement.contracts.models import Contract
from procurement.db import Amount, Base, Currency, Ratio, enum_type

CURRENCY = "CNY"  # the ledger's single currency: accounts, postings, payments, payables

__all__ = [
    "CURRENCY",
    "Account",
    "AccountKind",
    "Advance",
    "LedgerPosting",
    "LedgerTransaction",
    "Payable",
    "Payment",
    "RunStatus",
    "SettlementRun",
    "TransactionKind",
]


class AccountKind(StrEnum):
    FUND_POOL = "fund_pool"
    HOSPITAL_ALLOCATION = "hospital_allocation"
    HOSPITAL_ADVANCE = "hospital_advance"
    MANUFACTURER_PAYABLE = "manufacturer_payable"
    MANUFACTURER_PAID = "manufacturer_paid"
    RETAINED_SAVINGS = "retained_savings"
    BUDGET_DEDUCTION = "budget_deduction"


class TransactionKind(StrEnum):
    ADVANCE = "advance"
    PAYMENT = "payment"
    REVERSAL = "reversal"
    YEAR_END = "year_end"
    ADJUSTMENT = "adjustment"


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class Account(Base):
    """A ledger account. ``key`` is the natural key "kind:owner:currency" (owner = "org<id>" or
    "region<code>"), unique, so set-based inserts can create missing accounts idempotently."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (Index("ix_ledger_accounts_kind_owner", "kind", "owner_org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[AccountKind] = mapped_column(enum_type(AccountKind, 24))
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    currency: Mapped[Currency]
    created_at: Mapped[datetime]

    owner: Mapped[Organization | None] = relationship()


class LedgerTransaction(Base):
    """One balanced business event. ``key`` is its natural key, unique, so a retry that would
    post the same event again fails the insert instead ("advance:{hospital}:{tender}:{year}",
    "payment:{run}:{batch}", "reversal:{transaction}")."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[TransactionKind] = mapped_column(enum_type(TransactionKind, 24), index=True)
    reference: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_runs.id"), index=True)
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))

    postings: Mapped[list[LedgerPosting]] = relationship(
        back_populates="transaction", order_by="LedgerPosting.id"
    )


class LedgerPosting(Base):
    """One leg of a transaction: signed amount, positive = debit. Append-only."""

    __tablename__ = "ledger_postings"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_ledger_postings_account_transaction", "account_id", "transaction_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount: Mapped[Amount]
    currency: Mapped[Currency]

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="postings")
    account: Mapped[Account] = relationship()


class Advance(Base):
    """The advance (预付) of one hospital for one tender's contract year: paid once."""

    __tablename__ = "settlement_advances"
    __table_args__ = (
        UniqueConstraint("hospital_id", "tender_id", "contract_year"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    contract_year: Mapped[int]
    region_code: Mapped[str] = mapped_column(String(6))
    annual_value: Mapped[Amount]  # sum of line_total(agreed_volume, unit_price)
    ratio: Mapped[Ratio]
    amount: Mapped[Amount]  # round_amount(annual_value x ratio)
    currency: Mapped[Currency]
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    paid_at: Mapped[datetime]

    hospital: Mapped[Organization] = relationship()


class SettlementRun(Base):
    """A direct-settlement run (直接结算) of the fund office for a cut-off date."""

    __tablename__ = "settlement_runs"
    __table_args__ = (UniqueConstraint("fund_org_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    fund_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    cut_off: Mapped[date]
    status: Mapped[RunStatus] = mapped_column(enum_type(RunStatus, 10), default=RunStatus.RUNNING)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    batch_size: Mapped[int] = mapped_column(default=20)  # manufacturers per batch
    batches_total: Mapped[int] = mapped_column(default=0)
    batches_done: Mapped[int] = mapped_column(default=0)
    payables_count: Mapped[int] = mapped_column(default=0)
    total_amount: Mapped[Amount] = mapped_column(default=Decimal("0"))
    currency: Mapped[Currency]
    error: Mapped[str | None] = mapped_column(Text)

    payments: Mapped[list[Payment]] = relationship(
        back_populates="run", order_by="Payment.manufacturer_id"
    )

    replayed = False  # not a column: start_run sets it when a retry returns an earlier run


class Payment(Base):
    """One transfer of a run to one manufacturer (one line of the bank's payment file)."""

    __tablename__ = "settlement_payments"
    __table_args__ = (
        UniqueConstraint("run_id", "manufacturer_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("settlement_runs.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    batch_no: Mapped[int]
    amount: Mapped[Amount]
    payables_count: Mapped[int]
    currency: Mapped[Currency]
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    paid_at: Mapped[datetime]

    run: Mapped[SettlementRun] = relationship(back_populates="payments")
    manufacturer: Mapped[Organization] = relationship()


class Payable(Base):
    """What the fund owes a manufacturer for one accepted receipt line (应付款).

    Derived table: written only by set-based SQL from ``receipt_lines`` (accrual, and runs that
    accrue and pay a line in one INSERT), millions of rows at a time. Its id IS the receipt
    line's id (``receipt_line_id`` is a synonym of ``id``), so the primary key alone makes "one
    payable per receipt line" hold: a second accrual of a line fails on it, and a run's INSERT
    skips lines whose id is taken.

    The other ids are copies (contract, hospital, manufacturer) without foreign keys: the
    per-row referential trigger, which locks every receipt line, about doubled a bulk accrual.
    Integrity is proved instead by construction (the INSERT selects from receipt_lines) and by
    the reconciliation report, which checks every payable against a real accepted receipt line
    of the same amount.

    Narrow rows: a run writes a million of them, and every byte is written twice (heap and
    WAL). What can be derived is not stored: ``receipt_line_id`` = ``id``, ``currency`` = the
    ledger's single currency, ``region_code`` = the contract's (a deferred column read through
    ``contract_id``; listings undefer it, aggregates join contracts), ``deadline_days`` =
    ``due_at`` - ``accepted_at``. (Accrual time was dropped: for the rows a run writes it
    equalled ``paid_at``, and accruals are in the audit trail.)

    Only the primary key is indexed: every index a run maintains costs it about as much as the
    GROUP BY it is measured against, and none may name a column the claiming UPDATE changes
    (``run_id``, ``payment_txn_id``, ``paid_at``), so that it stays a HOT update. Statements,
    the overdue list and the claims read payables by sequential scans.

    The measurements behind each choice: docs/performance.md, "Settlement".
    """

    __tablename__ = "payables"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        # Full pages: runs write their payables already paid, and those never need room for a
        # new version. The price: the claiming UPDATE of payables accrued before a run is no
        # HOT update. The run that accrues as it pays is the one a fund office waits for when
        # lines were not accrued daily, so it is the one this favours.
        {"postgresql_with": {"fillfactor": 100}},
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    contract_id: Mapped[int] = mapped_column()  # contracts.id
    hospital_id: Mapped[int]  # organizations.id
    manufacturer_id: Mapped[int]  # organizations.id
    amount: Mapped[Amount]
    accepted_at: Mapped[datetime]
    due_at: Mapped[datetime]
    run_id: Mapped[int | None]  # settlement_runs.id
    payment_txn_id: Mapped[int | None]  # ledger_transactions.id
    paid_at: Mapped[datetime | None]

    receipt_line_id: Mapped[int] = synonym("id")  # receipt_lines.id
    region_code: Mapped[str] = deferred(
        select(Contract.region_code).where(Contract.id == contract_id).scalar_subquery()
    )

    @property
    def currency(self) -> str:
        """The ledger's single currency (every payment and posting is in it)."""
        return CURRENCY

    @property
    def deadline_days(self) -> int:
        """The payment deadline it was accrued with (RULES.md; the tender's rules)."""
        return (self.due_at - self.accepted_at).days


# Monthly reconciliation and invoices live beside (same metadata, one import of the area).
from procurement.settlement import monthly_models  # noqa: E402,F401
