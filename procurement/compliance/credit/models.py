"""Supplier credit: events, appeals, repairs and the level each manufacturer holds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.compliance.columns_models import _enum
from procurement.db import Base

__all__ = [
    "CreditAppeal",
    "CreditEvent",
    "CreditEventKind",
    "CreditEventStatus",
    "CreditLevelRecord",
    "CreditRepair",
]


class CreditEventKind(StrEnum):
    LATE_DELIVERY = "late_delivery"
    ORDER_REJECTED_OR_UNCONFIRMED = "order_rejected_or_unconfirmed"
    REGION_UNSUPPLIED_7D = "region_unsupplied_7d"
    GAVE_UP_WIN = "gave_up_win"


class CreditEventStatus(StrEnum):
    ACTIVE = "active"
    APPEALED = "appealed"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class CreditEvent(Base):
    """A supply failure counted against a manufacturer's credit (RULES.md 8). ``source_key`` is
    the natural key of what it came from ("sla:<breach id>", "order:<id>:rejected"), unique, so
    importing twice creates nothing twice."""

    __tablename__ = "credit_events"
    __table_args__ = (
        UniqueConstraint("source_key"),
        Index("ix_credit_events_manufacturer_occurred", "manufacturer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[CreditEventKind] = mapped_column(_enum(CreditEventKind))
    points: Mapped[int]
    occurred_at: Mapped[datetime]
    source_key: Mapped[str] = mapped_column(String(80))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CreditEventStatus] = mapped_column(
        _enum(CreditEventStatus, 12), default=CreditEventStatus.ACTIVE
    )
    recorded_at: Mapped[datetime]

    manufacturer: Mapped[Organization] = relationship()
    appeals: Mapped[list[CreditAppeal]] = relationship(
        back_populates="event", order_by="CreditAppeal.id"
    )

    @property
    def counts(self) -> bool:
        return self.status != CreditEventStatus.OVERTURNED


class CreditAppeal(Base):
    """A manufacturer's appeal against an event and the regulator's decision."""

    __tablename__ = "credit_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("credit_events.id"), index=True)
    by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    decision: Mapped[str | None] = mapped_column(String(12))  # upheld | overturned
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    decided_at: Mapped[datetime | None]

    event: Mapped[CreditEvent] = relationship(back_populates="appeals")


class CreditRepair(Base):
    """Credit repair (信用修复) by the regulator: events up to ``repaired_at`` stop counting."""

    __tablename__ = "credit_repairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    level_before: Mapped[str] = mapped_column(String(40))
    level_after: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    repaired_at: Mapped[datetime]


class CreditLevelRecord(Base):
    """A manufacturer's current level and the bidding ban it holds (one row each)."""

    __tablename__ = "credit_levels"

    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    points: Mapped[int]
    level: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime]
