"""Monthly reconciliation (对账) and invoices (两票制), RULES.md 11 and 5.

Reading guide:

- ``Reconciliation``: one per hospital, manufacturer (the contract's supplier) and business
  month, issued after the month ends, of the accepted contract receipt lines of tenders whose
  rules turn ``settlement.reconciliation`` on. ``deadline_at`` = issue + ``reconciliation_days``.
  Confirmed (``confirmed_at``) when both sides confirmed, or at the deadline when
  ``auto_confirm`` (silence confirms).
- ``ReconciliationLine``: one per receipt line (``receipt_line_id`` unique), with the line's
  accepted quantity, contract price and amount copied at issue. ``status`` open | confirmed |
  disputed. ``released_at`` is when the line became payable (confirmed, undisputed, matched);
  ``held_reason`` says why it is not payable yet (unconfirmed, disputed, mismatch) and is NULL
  once released. Settlement runs pay a reconciled line only once it is released, and its
  payment deadline runs from the later of acceptance and ``released_at``.
- ``Invoice`` and ``InvoiceLine``: an invoice of an issuer (manufacturer or distributor) to a
  recipient (distributor or hospital), the receipt lines it covers with quantity and amount.
  At most two invoices cover one receipt line (两票制), at most one of them to the hospital; the
  three-way match compares the hospital's invoice with the receipt and the order. A voided
  invoice (``voided_at``, 红冲) no longer counts, so a corrected one can replace it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.db import Amount, Base, Quantity, UnitPrice, enum_type


class ReconciliationStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"


class LineStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class HeldReason(StrEnum):
    UNCONFIRMED = "unconfirmed"  # the reconciliation is not confirmed yet
    DISPUTED = "disputed"  # a side disputed the line; waits for its resolution
    MISMATCH = "mismatch"  # the three-way match of order, receipt and invoice differs
    NO_INVOICE = "no_invoice"  # confirmed, but no invoice to the hospital covers it yet
    UNSCANNED = "unscanned"  # its packages carry codes, accepted without scanning them


class Resolution(StrEnum):
    CORRECTED = "corrected"  # the manufacturer corrected the delivery or invoice
    WITHDRAWN = "withdrawn"  # the disputing side withdrew the dispute


class Reconciliation(Base):
    __tablename__ = "reconciliations"
    __table_args__ = (UniqueConstraint("hospital_id", "manufacturer_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    month: Mapped[date]  # the first day of the business month
    status: Mapped[ReconciliationStatus] = mapped_column(
        enum_type(ReconciliationStatus, 10), default=ReconciliationStatus.OPEN
    )
    total_amount: Mapped[Amount]
    issued_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    auto_confirm: Mapped[bool]
    hospital_confirmed_at: Mapped[datetime | None]
    manufacturer_confirmed_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    auto_confirmed: Mapped[bool] = mapped_column(default=False)

    hospital: Mapped[Organization] = relationship(foreign_keys=[hospital_id])
    manufacturer: Mapped[Organization] = relationship(foreign_keys=[manufacturer_id])
    lines: Mapped[list[ReconciliationLine]] = relationship(
        back_populates="reconciliation", order_by="ReconciliationLine.receipt_line_id"
    )


class ReconciliationLine(Base):
    __tablename__ = "reconciliation_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("reconciliations.id"), index=True)
    receipt_line_id: Mapped[int] = mapped_column(ForeignKey("receipt_lines.id"), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    quantity: Mapped[Quantity]
    unit_price: Mapped[UnitPrice]
    amount: Mapped[Amount]
    accepted_at: Mapped[datetime]
    status: Mapped[LineStatus] = mapped_column(enum_type(LineStatus, 10), default=LineStatus.OPEN)
    held_reason: Mapped[HeldReason | None] = mapped_column(
        enum_type(HeldReason, 12), default=HeldReason.UNCONFIRMED
    )
    released_at: Mapped[datetime | None]
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    disputed_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    disputed_at: Mapped[datetime | None]
    resolution: Mapped[Resolution | None] = mapped_column(enum_type(Resolution, 10))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]

    reconciliation: Mapped[Reconciliation] = relationship(back_populates="lines")


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("issuer_id", "number"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    issued_on: Mapped[date]
    amount: Mapped[Amount]
    recorded_at: Mapped[datetime]
    voided_at: Mapped[datetime | None]  # 红冲: cancelled by its issuer; a new one may replace it

    issuer: Mapped[Organization] = relationship(foreign_keys=[issuer_id])
    recipient: Mapped[Organization] = relationship(foreign_keys=[recipient_id])
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.id"
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "receipt_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    receipt_line_id: Mapped[int] = mapped_column(ForeignKey("receipt_lines.id"), index=True)
    quantity: Mapped[Quantity]
    amount: Mapped[Amount]

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
