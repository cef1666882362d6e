"""Listing requests (挂网申请) and the active listings they become once the regulator approves."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.models import Product
from procurement.db import Base, Currency, UnitPrice, enum_type

__all__ = ["Listing", "ListingRequest", "RequestStatus"]


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ListingRequest(Base):
    """A manufacturer's request to list a product at a unit price in one province (or in every
    region: ``region_code`` None), with the evidence for the price and the checks' results.

    ``checks`` are the results when it was filed; ``decision_checks`` when it was decided (what
    is on record may have moved in between). Both are lists of ``rules.Check.to_dict()``."""

    __tablename__ = "listing_requests"
    __table_args__ = (CheckConstraint("unit_price > 0", name="unit_price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    filed_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    unit_price: Mapped[UnitPrice]  # per smallest unit
    currency: Mapped[Currency]
    evidence: Mapped[str] = mapped_column(Text)  # where the price comes from, as filed
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, 20), default=RequestStatus.PENDING, index=True
    )
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)  # ListingRules.to_dict() when filed
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decision_checks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    product: Mapped[Product] = relationship()
    manufacturer: Mapped[Organization] = relationship(foreign_keys=[manufacturer_id])
    listing: Mapped[Listing | None] = relationship(back_populates="request")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Listing(Base):
    """An active listing price (挂网价) of a product in a province or platform-wide. Approving a
    new request for the same product and region ends the previous one (``ended_at``)."""

    __tablename__ = "listings"
    __table_args__ = (CheckConstraint("unit_price > 0", name="unit_price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("listing_requests.id"), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Denormalized from the product: the public list searches and groups by it.
    generic_name: Mapped[str] = mapped_column(String(200), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6))
    unit_price: Mapped[UnitPrice]
    currency: Mapped[Currency]
    listed_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(index=True)
    ended_by_listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"))

    request: Mapped[ListingRequest] = relationship(back_populates="listing")
    product: Mapped[Product] = relationship()
    manufacturer: Mapped[Organization] = relationship()

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def pack_price(self) -> Decimal:
        return self.unit_price * self.product.pack_size
