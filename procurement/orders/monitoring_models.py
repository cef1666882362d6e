"""What the orders area records for compliance to read: each contract's running volume
(``ContractVolume``), missed service levels (``SlaBreach``), shortage-risk signals
(``SupplyAlert``) and hospitals' off-platform purchase reports (``OffPlatformPurchase``).
Re-exported by ``procurement.orders.models``; import them from there."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.catalog.models import Lot
from procurement.contracts.models import Contract
from procurement.db import Amount, Base, Currency, Quantity, enum_type

if TYPE_CHECKING:
    from procurement.orders.models import PurchaseOrder

__all__ = [
    "ContractVolume",
    "OffPlatformPurchase",
    "SlaBreach",
    "SlaKind",
    "SupplyAlert",
    "SupplyAlertKind",
]


class SlaKind(StrEnum):
    CONFIRM = "confirm"
    DELIVER = "deliver"


class SupplyAlertKind(StrEnum):
    ORDER_REJECTED = "order_rejected"  # the supplier refused an order
    CONFIRM_OVERDUE = "confirm_overdue"  # not confirmed within the service level: shortage risk


class ContractVolume(Base):
    """Exact running volume of one contract, in smallest units. Updated only under a row lock
    (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) in the changing transaction.

    ordered = sum of quantity of the contract's order lines not cancelled or rejected;
    beyond_agreed = the beyond part of those; remaining = max(0, agreed - ordered)."""

    __tablename__ = "contract_volumes"
    __table_args__ = (
        CheckConstraint("ordered >= 0", name="ordered_not_negative"),
        CheckConstraint("beyond_agreed >= 0", name="beyond_not_negative"),
    )

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    agreed: Mapped[Quantity]
    ordered: Mapped[Quantity] = mapped_column(default=0)
    beyond_agreed: Mapped[Quantity] = mapped_column(default=0)
    shipped: Mapped[Quantity] = mapped_column(default=0)
    accepted: Mapped[Quantity] = mapped_column(default=0)
    rejected: Mapped[Quantity] = mapped_column(default=0)
    updated_at: Mapped[datetime]

    contract: Mapped[Contract] = relationship()

    @property
    def remaining(self) -> int:
        return max(0, self.agreed - self.ordered)


class OffPlatformPurchase(Base):
    """A hospital's monthly report of what it bought outside the platform (线下采购), per lot."""

    __tablename__ = "off_platform_purchases"
    __table_args__ = (
        UniqueConstraint("hospital_id", "lot_id", "month"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    month: Mapped[date]  # first day of the month
    quantity: Mapped[Quantity]  # smallest units
    amount: Mapped[Amount]
    currency: Mapped[Currency]
    reported_at: Mapped[datetime]

    lot: Mapped[Lot] = relationship()


class SlaBreach(Base):
    """A missed service level. ``happened_at`` None = still not done when detected (then
    ``hours_late`` is measured to ``detected_at`` and updated by later detections)."""

    __tablename__ = "sla_breaches"
    __table_args__ = (UniqueConstraint("order_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[SlaKind] = mapped_column(enum_type(SlaKind, 10))
    due_at: Mapped[datetime]
    happened_at: Mapped[datetime | None]
    hours_late: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    detected_at: Mapped[datetime]

    order: Mapped[PurchaseOrder] = relationship()


class SupplyAlert(Base):
    """A shortage-risk signal for compliance (RULES.md 6 and 8): an order rejected by its
    supplier, or not confirmed in time. Compliance sets ``consumed_at`` when it takes one up."""

    __tablename__ = "supply_alerts"
    __table_args__ = (UniqueConstraint("order_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SupplyAlertKind] = mapped_column(enum_type(SupplyAlertKind, 30))
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    detail: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
