"""Pharmacies in VBP (RULES.md 12): a store's or chain's sign-up for a tender's winning
products, each store's signed-up products with its selling price, its sales, and the public
finder's read model (kept up to date by the services whenever stock or a price changes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procurement.db import Amount, Base, enum_type
from procurement.pharmacy.rules import PlaceKind, StockStatus

MAX_NAME = 200
MAX_SPEC = 200


class PharmacyEnrollment(Base):
    """A store's or a chain's sign-up for a tender's winning products (a chain's covers its
    stores): the generic names it chose."""

    __tablename__ = "pharmacy_enrollments"
    __table_args__ = (UniqueConstraint("org_id", "tender_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    generic_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    enrolled_at: Mapped[datetime]
    enrolled_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PharmacyProduct(Base):
    """A winning product one store has signed up for, its VBP price per package and the price
    the store sells it at (None: the VBP price). ``sold_no_code`` counts packages of no-code
    stock sold by quantity (coded packages are dispensed in the traceability ledger)."""

    __tablename__ = "pharmacy_products"

    store_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("pharmacy_enrollments.id"), index=True)
    generic_name: Mapped[str] = mapped_column(String(MAX_NAME))
    vbp_pack_price: Mapped[Amount]
    price_cap: Mapped[Amount]  # VBP price x (1 + the tender's pharmacy markup)
    price: Mapped[Amount | None]
    price_set_at: Mapped[datetime | None]
    sold_no_code: Mapped[int] = mapped_column(Integer, default=0)


class PharmacySale(Base):
    """A sale a store reported: packages of one product at the price charged; ``code`` when a
    coded package was dispensed (then the traceability ledger counts it), else no-code stock."""

    __tablename__ = "pharmacy_sales"
    __table_args__ = (Index("ix_pharmacy_sales_store_sold", "store_id", "sold_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Amount]  # charged per package
    code: Mapped[str | None] = mapped_column(String(64))
    sold_at: Mapped[datetime]
    reported_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class FinderName(Base):
    """A search key of a generic name (the name, its pinyin, its initials: ``keys.py``)."""

    __tablename__ = "finder_names"

    key: Mapped[str] = mapped_column(String(MAX_NAME), primary_key=True)
    generic_name: Mapped[str] = mapped_column(String(MAX_NAME), primary_key=True)


class FinderProduct(Base):
    """A signed-up VBP product as the public sees it."""

    __tablename__ = "finder_products"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    generic_name: Mapped[str] = mapped_column(String(MAX_NAME), index=True)
    manufacturer: Mapped[str] = mapped_column(String(MAX_NAME))
    specification: Mapped[str] = mapped_column(String(MAX_SPEC))
    vbp_pack_price: Mapped[Amount]


class FinderEntry(Base):
    """The finder's read model: one place (a pharmacy store or a primary care clinic: ``kind``)
    stocking one product, with only public facts (its name, district and address, the price it
    sells at, a stock status)."""

    __tablename__ = "finder_entries"
    __table_args__ = (
        Index("ix_finder_entries_lookup", "generic_name", "district", "status_rank", "store_id"),
    )

    store_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    generic_name: Mapped[str] = mapped_column(String(MAX_NAME))
    district: Mapped[str] = mapped_column(String(6))
    kind: Mapped[PlaceKind] = mapped_column(
        enum_type(PlaceKind, 10), default=PlaceKind.PHARMACY, server_default="pharmacy"
    )
    store_name: Mapped[str] = mapped_column(String(MAX_NAME))
    store_address: Mapped[str | None] = mapped_column(String(MAX_NAME))
    price: Mapped[Amount]
    status: Mapped[StockStatus] = mapped_column(enum_type(StockStatus, 10))
    status_rank: Mapped[int]  # 0 in stock, 1 low, 2 out: the finder lists stocked stores first
    updated_at: Mapped[datetime]


RANK = {StockStatus.IN_STOCK: 0, StockStatus.LOW: 1, StockStatus.OUT: 2}

__all__ = [
    "RANK",
    "FinderEntry",
    "FinderName",
    "FinderProduct",
    "PharmacyEnrollment",
    "PharmacyProduct",
    "PharmacySale",
]
