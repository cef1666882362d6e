"""Purchase orders, shipments, receipts (入库验收), volume accounting and delivery service levels.

Reading guide for downstream areas:

- Settlement pays ``ReceiptLine.accepted_quantity x ReceiptLine.unit_price`` (the contract's
  unit price copied at receipt; ``accepted_amount`` is that product rounded to 2 places). Each
  receipt line also carries ``contract_id``, ``hospital_id``, ``manufacturer_id`` and
  ``accepted_at`` so a payable needs no join. Off-contract lines have ``contract_id`` None.
- Compliance reads ``ContractVolume`` (exact counters per contract), ``SlaBreach`` rows,
  ``SupplyAlert`` rows (``consumed_at`` None = not yet handled by compliance), off-contract order
  lines and ``OffPlatformPurchase`` reports.

An order goes to one supplier (``PurchaseOrder.manufacturer_id``); all its lines are that
manufacturer's products. ``region_code`` is the hospital's region: distributors appointed for its
province see and ship the order.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.models import Lot, Product
from procurement.contracts.models import Contract
from procurement.db import Amount, Base, Currency, Quantity, UnitPrice, enum_type
from procurement.orders.monitoring_models import (
    ContractVolume,
    OffPlatformPurchase,
    SlaBreach,
    SlaKind,
    SupplyAlert,
    SupplyAlertKind,
)

__all__ = [
    "ContractVolume",
    "DistributorAppointment",
    "IdempotencyKey",
    "OffPlatformPurchase",
    "OrderLine",
    "OrderStatus",
    "PurchaseOrder",
    "Receipt",
    "ReceiptLine",
    "Shipment",
    "ShipmentLine",
    "SlaBreach",
    "SlaKind",
    "SupplyAlert",
    "SupplyAlertKind",
]


class OrderStatus(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PARTLY_SHIPPED = "partly_shipped"
    SHIPPED = "shipped"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        Index("ix_purchase_orders_manufacturer_status", "manufacturer_id", "status"),
        Index("ix_purchase_orders_hospital_placed", "hospital_id", "placed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    region_code: Mapped[str] = mapped_column(String(6))  # the hospital's region
    province_code: Mapped[str] = mapped_column(String(6), index=True)  # distributors' scope
    status: Mapped[OrderStatus] = mapped_column(
        enum_type(OrderStatus, 20), default=OrderStatus.PLACED
    )
    placed_at: Mapped[datetime]
    placed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A county medical community that placed the order for its member (the buyer), else None.
    placed_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    wanted_by: Mapped[date | None]
    delivery_address: Mapped[str] = mapped_column(Text, default="")
    emergency: Mapped[bool] = mapped_column(default=False)
    region_class: Mapped[str] = mapped_column(String(10), default="city")  # city|county|remote
    confirm_due_at: Mapped[datetime]
    deliver_due_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    first_shipped_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]  # when the last open quantity was shipped
    received_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    total_amount: Mapped[Amount]
    currency: Mapped[Currency]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    hospital: Mapped[Organization] = relationship(foreign_keys=[hospital_id])
    manufacturer: Mapped[Organization] = relationship(foreign_keys=[manufacturer_id])
    placed_by_org: Mapped[Organization | None] = relationship(foreign_keys=[placed_by_org_id])
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_no"
    )
    shipments: Mapped[list[Shipment]] = relationship(back_populates="order", order_by="Shipment.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class OrderLine(Base):
    """One product of an order. ``quantity`` = ``packs`` x ``pack_size`` smallest units.

    Within/beyond split (RULES.md 3): ``within_agreed_quantity`` is what fit into the contract's
    remaining agreed volume when the order was placed, ``beyond_agreed_quantity`` the rest (still
    at the contract price). Off-contract lines (a non-winning product of the same generic name)
    have no contract, count nothing in ``ContractVolume`` and carry the hospital's price.
    """

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("packs > 0", name="packs_positive"),
        CheckConstraint("quantity = packs * pack_size", name="quantity_is_packs"),
        CheckConstraint(
            "within_agreed_quantity + beyond_agreed_quantity = quantity", name="split_adds_up"
        ),
        CheckConstraint("shipped_quantity <= quantity", name="not_over_shipped"),
        CheckConstraint(
            "accepted_quantity + rejected_quantity <= shipped_quantity", name="not_over_received"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up through the unique (order_id, line_no) index: no index of its own.
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    line_no: Mapped[int]
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    packs: Mapped[int]
    pack_size: Mapped[int]
    quantity: Mapped[Quantity]  # smallest units
    unit_price: Mapped[UnitPrice]  # per smallest unit
    amount: Mapped[Amount]  # line_total(quantity, unit_price)
    currency: Mapped[Currency]
    within_agreed_quantity: Mapped[Quantity] = mapped_column(default=0)
    beyond_agreed_quantity: Mapped[Quantity] = mapped_column(default=0)
    off_contract: Mapped[bool] = mapped_column(default=False)
    shipped_quantity: Mapped[Quantity] = mapped_column(default=0)
    accepted_quantity: Mapped[Quantity] = mapped_column(default=0)
    rejected_quantity: Mapped[Quantity] = mapped_column(default=0)

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    contract: Mapped[Contract | None] = relationship()
    lot: Mapped[Lot] = relationship()
    product: Mapped[Product] = relationship()

    @property
    def open_quantity(self) -> int:
        """Ordered but not yet shipped."""
        return self.quantity - self.shipped_quantity


class Shipment(Base):
    """A delivery of (part of) one order by the manufacturer or its appointed distributor."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    shipper_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    shipped_at: Mapped[datetime]
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None]

    order: Mapped[PurchaseOrder] = relationship(back_populates="shipments")
    shipper: Mapped[Organization] = relationship()
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", order_by="ShipmentLine.id"
    )
    receipt: Mapped[Receipt | None] = relationship(back_populates="shipment")


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("expiry_date > production_date", name="expiry_after_production"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[Quantity]  # smallest units
    batch_no: Mapped[str] = mapped_column(String(40), index=True)
    production_date: Mapped[date]
    expiry_date: Mapped[date]

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class Receipt(Base):
    """The hospital's receiving check (入库验收) of one shipment: one receipt per shipment."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), unique=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    received_at: Mapped[datetime]  # goods arrived (as reported by the hospital)
    accepted_at: Mapped[datetime]  # the check was recorded
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shipment: Mapped[Shipment] = relationship(back_populates="receipt")
    lines: Mapped[list[ReceiptLine]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.id"
    )


class ReceiptLine(Base):
    """Accepted + rejected = shipped for the shipment line. Settlement pays accepted only."""

    __tablename__ = "receipt_lines"
    __table_args__ = (
        CheckConstraint("accepted_quantity >= 0", name="accepted_not_negative"),
        CheckConstraint("rejected_quantity >= 0", name="rejected_not_negative"),
        Index("ix_receipt_lines_manufacturer_accepted", "manufacturer_id", "accepted_at"),
        # price monitoring (compliance/prices) reads the deliveries accepted in a window
        Index("ix_receipt_lines_accepted_at", "accepted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_lines.id"), unique=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    accepted_quantity: Mapped[Quantity]
    rejected_quantity: Mapped[Quantity]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    unit_price: Mapped[UnitPrice]  # the order line's (contract) unit price
    accepted_amount: Mapped[Amount]  # line_total(accepted_quantity, unit_price)
    currency: Mapped[Currency]
    received_at: Mapped[datetime]
    accepted_at: Mapped[datetime]

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
    shipment_line: Mapped[ShipmentLine] = relationship()
    order_line: Mapped[OrderLine] = relationship()


class DistributorAppointment(Base):
    """A manufacturer appoints a distributor (配送企业) for a province, for one contract or for
    all its contracts of a lot. One active appointment per manufacturer, lot and province."""

    __tablename__ = "distributor_appointments"
    __table_args__ = (Index("ix_distributor_appointments_scope", "distributor_id", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    region_code: Mapped[str] = mapped_column(String(6))  # province level, e.g. 310000
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]  # inclusive; None = open-ended
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    manufacturer: Mapped[Organization] = relationship(foreign_keys=[manufacturer_id])
    distributor: Mapped[Organization] = relationship(foreign_keys=[distributor_id])
    lot: Mapped[Lot] = relationship()

    def covers(self, day: date) -> bool:
        return (
            self.revoked_at is None
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class IdempotencyKey(Base):
    """A claimed ``Idempotency-Key``: inserted first (the unique constraint decides the race),
    then completed with the response in the same transaction as the work it guards."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    scope: Mapped[str] = mapped_column(String(40))  # "orders.place", "receipts.record"
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of scope + canonical body
    response_status: Mapped[int | None]
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    resource_id: Mapped[int | None]
    created_at: Mapped[datetime]
