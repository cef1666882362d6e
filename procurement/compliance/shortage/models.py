"""Shortage monitoring's records (RULES.md 14): the manufacturers' monthly reports, the
regulator's list of shortage-risk products (their manufacturers report too), and backup
supplies activated by a shortage with the contracts they opened."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.models import Lot, Product
from procurement.compliance.alerts.models import Alert
from procurement.contracts.models import Contract
from procurement.db import Base, Quantity

__all__ = ["BackupActivation", "BackupContract", "ShortageListEntry", "ShortageReport"]


class ShortageReport(Base):
    """One product's month (``period`` YYYY-MM): production in it, stock on hand at its end and
    the supply capacity in units per month, all in the product's smallest units. A report sent
    again for the same month replaces the figures (``updated_at``)."""

    __tablename__ = "shortage_reports"
    __table_args__ = (
        UniqueConstraint("manufacturer_id", "product_id", "period"),
        CheckConstraint("production >= 0", name="production_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    production: Mapped[Quantity]
    stock: Mapped[Quantity]
    capacity: Mapped[Quantity]
    reported_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    reported_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    product: Mapped[Product] = relationship()
    manufacturer: Mapped[Organization] = relationship()


class ShortageListEntry(Base):
    """A product on the regulator's shortage-risk list: its manufacturer reports monthly even
    without an award in force."""

    __tablename__ = "shortage_list_entries"
    __table_args__ = (UniqueConstraint("product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    added_at: Mapped[datetime]
    added_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))

    product: Mapped[Product] = relationship()


MAX_END_REASON = 500  # characters of the reason a backup supply ends


class BackupActivation(Base):
    """The award's backup supplier (RULES.md 3) activated for a shortage's region and lot: the
    region's buyers get a contract with it (agreed volume 0, at its winning price) and their
    new orders for the lot can go to it."""

    __tablename__ = "shortage_backup_activations"
    __table_args__ = (UniqueConstraint("alert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("compliance_alerts.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))  # the region served by the backup
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"))
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    activated_at: Mapped[datetime]
    activated_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    activated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # set when the regulator ends the backup supply: its contracts end, no new orders
    ended_at: Mapped[datetime | None]
    ended_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(String(MAX_END_REASON))

    alert: Mapped[Alert] = relationship()
    lot: Mapped[Lot] = relationship()
    manufacturer: Mapped[Organization] = relationship(foreign_keys=[manufacturer_id])
    contracts: Mapped[list[BackupContract]] = relationship(
        back_populates="activation", order_by="BackupContract.id"
    )


class BackupContract(Base):
    """A contract an activation opened with the backup supplier."""

    __tablename__ = "shortage_backup_contracts"
    __table_args__ = (UniqueConstraint("contract_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activation_id: Mapped[int] = mapped_column(
        ForeignKey("shortage_backup_activations.id"), index=True
    )
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))

    activation: Mapped[BackupActivation] = relationship(back_populates="contracts")
    contract: Mapped[Contract] = relationship()
