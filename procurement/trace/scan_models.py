"""Receiving by scan, one package one life, and stock (进销存) (RULES.md 11, issue 18 items 2-4).

- ``trace_receipt_scans``: the codes a hospital scanned for a shipment not yet received (the
  receipt draft); one row per code scanned, a case standing for its boxes.
- ``trace_line_coding``: per shipment line at acceptance, how much of the accepted quantity was
  received by scan (``coded_quantity``) and what is held, with the reason; the settlement pays
  the coded quantity when the contract requires codes (``require_trace_codes``).
- ``trace_alerts``: a package seen where it should not be: naming both places and times.
- ``trace_stock``: an institution's ledger per product and batch (received, dispensed,
  returned; on hand is received - dispensed - returned), kept up to date by each scan.
- ``trace_nocode_stock``: legacy stock declared without codes, counted apart.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from procurement.db import Amount, Base, enum_type
from procurement.trace.models import MAX_CODE_KEY

MAX_REASON = 500  # characters of a reason (held quantity, no-code stock)


class AlertKind(StrEnum):
    SECOND_RECEIPT = "second_receipt"  # received again (anywhere)
    SECOND_DISPENSE = "second_dispense"
    DISPENSE_BEFORE_RECEIPT = "dispense_before_receipt"
    DISPENSE_ELSEWHERE = "dispense_elsewhere"  # dispensed where it was never delivered
    UNKNOWN_CODE = "unknown_code"  # a code the platform never shipped


class ReceiptScan(Base):
    __tablename__ = "trace_receipt_scans"

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(MAX_CODE_KEY), primary_key=True)
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_lines.id"))
    boxes: Mapped[int] = mapped_column(Integer)
    scanned_at: Mapped[datetime]
    scanned_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class LineCoding(Base):
    __tablename__ = "trace_line_coding"

    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_lines.id"), primary_key=True)
    coded_quantity: Mapped[int] = mapped_column(Integer)  # accepted boxes received by scan
    uncoded_quantity: Mapped[int] = mapped_column(Integer)  # accepted without a code
    codes_required: Mapped[bool]  # require_trace_codes held for the line's contract
    coded_amount: Mapped[Amount]  # what the settlement may pay
    held_reason: Mapped[str | None] = mapped_column(String(MAX_REASON))
    accepted_at: Mapped[datetime]


class TraceAlert(Base):
    __tablename__ = "trace_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(enum_type(AlertKind, 24), index=True)
    code: Mapped[str] = mapped_column(String(MAX_CODE_KEY), index=True)
    product_id: Mapped[int | None]
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))  # where it was seen now
    seen_at: Mapped[datetime]
    first_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    first_at: Mapped[datetime | None]  # where and when it was seen before (if ever)
    raised_at: Mapped[datetime] = mapped_column(index=True)


class StockLine(Base):
    __tablename__ = "trace_stock"

    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    expiry_date: Mapped[date]
    received: Mapped[int] = mapped_column(Integer, default=0)
    dispensed: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]

    @property
    def on_hand(self) -> int:
        return self.received - self.dispensed - self.returned


class NoCodeStock(Base):
    __tablename__ = "trace_nocode_stock"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    batch_no: Mapped[str] = mapped_column(String(40))
    expiry_date: Mapped[date]
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(MAX_REASON))
    declared_at: Mapped[datetime]
    declared_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
