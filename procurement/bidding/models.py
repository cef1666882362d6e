"""Bids (sealed until the opening), their append-only versions, and bidding bans."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.models import Lot, Product, Tender
from procurement.core.clock import business_date
from procurement.db import Base, Quantity, UnitPrice, enum_type

__all__ = [
    "BID_REFERENCE_BYTES",
    "Bid",
    "BidAction",
    "BidStatus",
    "BidVersion",
    "BidderGroup",
    "BidderGroupDesignation",
    "BidderGroupMember",
    "BiddingBan",
    "CostDisclosure",
    "Validity",
    "new_bid_reference",
]

# A bid's public reference: 128 random bits, URL-safe base64 (22 characters). Receipts and the
# public verification use it, never the sequential id, which would count the platform's bids.
BID_REFERENCE_BYTES = 16


def new_bid_reference() -> str:
    return secrets.token_urlsafe(BID_REFERENCE_BYTES)


class BidStatus(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class BidAction(StrEnum):
    SUBMIT = "submit"
    AMEND = "amend"
    WITHDRAW = "withdraw"


class Validity(StrEnum):
    VALID = "valid"
    INVALID = "invalid"


class Bid(Base):
    """A manufacturer's bid on a lot: one row per manufacturer and lot (the DB enforces it).

    Before opening the price, capacity, regions and note exist only inside ``sealed`` (a Fernet
    token of the canonical content JSON) and as the commitment ``digest``; ``nonce`` holds the
    commitment nonce, itself sealed. Opening fills the plaintext columns. A withdrawn bid that
    is submitted again reuses its row (a new version), so "one live bid" is a plain constraint.
    """

    __tablename__ = "bids"
    __table_args__ = (
        UniqueConstraint("lot_id", "manufacturer_id"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable in the schema only because SQLite cannot make an added column NOT NULL without
    # rebuilding this referenced table; every row has one (this default, the migration's backfill).
    reference: Mapped[str | None] = mapped_column(
        String(32), unique=True, index=True, default=new_bid_reference
    )
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    status: Mapped[BidStatus] = mapped_column(enum_type(BidStatus, 20))
    revival_opt_in: Mapped[bool] = mapped_column(default=False)
    # The bidder's commitment not to quote below cost (RULES.md 10); every bid since batch 11.
    cost_commitment: Mapped[bool] = mapped_column(default=False, server_default=false())
    submitted_at: Mapped[datetime]  # first submission
    updated_at: Mapped[datetime]
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)  # sealed too: never readable before opening
    version: Mapped[int] = mapped_column(default=1)
    # Filled at opening only.
    opened_at: Mapped[datetime | None]
    revealed_nonce: Mapped[str | None] = mapped_column(String(64))
    price_per_pack: Mapped[UnitPrice | None]
    unit_price: Mapped[UnitPrice | None]
    comparable_price: Mapped[UnitPrice | None]
    capacity: Mapped[Quantity | None]
    regions: Mapped[list[str] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    validity: Mapped[Validity | None] = mapped_column(enum_type(Validity, 10))
    invalid_reason: Mapped[str | None] = mapped_column(String(300))
    # False when the product was found ineligible at opening (not consistency-evaluated, barred,
    # approved after the cut-off): such a bidder does not count in N (RULES.md 2.2).
    eligible: Mapped[bool | None]
    rank: Mapped[int | None]

    tender: Mapped[Tender] = relationship()
    lot: Mapped[Lot] = relationship()
    manufacturer: Mapped[Organization] = relationship()
    product: Mapped[Product] = relationship()
    versions: Mapped[list[BidVersion]] = relationship(
        back_populates="bid", order_by="BidVersion.version"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def is_live(self) -> bool:
        return self.status == BidStatus.SUBMITTED

    @property
    def is_opened(self) -> bool:
        return self.opened_at is not None


class BidVersion(Base):
    """Every submit, amend and withdraw of a bid with its sealed blob; append-only."""

    __tablename__ = "bid_versions"
    __table_args__ = (UniqueConstraint("bid_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"), index=True)
    version: Mapped[int]
    action: Mapped[BidAction] = mapped_column(enum_type(BidAction, 10))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    revival_opt_in: Mapped[bool]
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]

    bid: Mapped[Bid] = relationship(back_populates="versions")


class BiddingBan(Base):
    """A manufacturer (or one of its products) barred from bidding for a period.

    The regulator enters them; the compliance area writes them for credit levels (RULES.md 8).
    ``until`` None means until lifted."""

    __tablename__ = "bidding_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    level: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    until: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(40))  # regulator, credit, violation-list ...
    created_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[datetime]

    manufacturer: Mapped[Organization] = relationship(foreign_keys=[manufacturer_id])
    product: Mapped[Product | None] = relationship()

    def active_at(self, when: datetime) -> bool:
        return self.starts_at <= when and (self.until is None or when < self.until)

    def covers(self, product_id: int) -> bool:
        return self.product_id is None or self.product_id == product_id


class BidderGroup(Base):
    """Manufacturers under common control (RULES.md 1 and 10): one bidder in N, and only the
    group's best-ranked valid bid per lot stands. The regulator keeps the groups; every change
    is audited (the audit trail is the membership's history)."""

    __tablename__ = "bidder_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[datetime]

    members: Mapped[list[BidderGroupMember]] = relationship(
        back_populates="group", order_by="BidderGroupMember.id"
    )
    designations: Mapped[list[BidderGroupDesignation]] = relationship(
        back_populates="group", order_by="BidderGroupDesignation.id"
    )


class BidderGroupMember(Base):
    """A manufacturer in a group; the unique manufacturer keeps it in one group at a time."""

    __tablename__ = "bidder_group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("bidder_groups.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    since: Mapped[datetime]

    group: Mapped[BidderGroup] = relationship(back_populates="members")
    manufacturer: Mapped[Organization] = relationship()


class BidderGroupDesignation(Base):
    """The member a group names to bid on a tender (``lot_id`` None: every lot) or on one lot;
    a lot's own designation comes before the tender's. Only that member's bid stands."""

    __tablename__ = "bidder_group_designations"
    __table_args__ = (UniqueConstraint("group_id", "tender_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("bidder_groups.id"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[datetime]

    group: Mapped[BidderGroup] = relationship(back_populates="designations")
    tender: Mapped[Tender] = relationship()
    lot: Mapped[Lot | None] = relationship()
    manufacturer: Mapped[Organization] = relationship()


class CostDisclosure(Base):
    """A bid's cost disclosure (RULES.md 10): an award run found the bid priced below
    ``cost_disclosure_ratio`` x the lot's anchor, so its bidder files a cost breakdown per
    smallest unit by ``due_at``; the figures are empty until filed. ``win_void`` says whether
    the latest award run voided the bid's win for want of it."""

    __tablename__ = "cost_disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"), unique=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    comparable_price: Mapped[UnitPrice]
    threshold: Mapped[UnitPrice]  # cost_disclosure_ratio x the anchor
    found_at: Mapped[datetime]
    due_at: Mapped[datetime]
    win_void: Mapped[bool] = mapped_column(default=False)
    manufacturing_cost: Mapped[UnitPrice | None]
    period_expenses: Mapped[UnitPrice | None]
    profit: Mapped[UnitPrice | None]
    note: Mapped[str | None] = mapped_column(Text)
    filed_at: Mapped[datetime | None]
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    bid: Mapped[Bid] = relationship()

    @property
    def filed(self) -> bool:
        return self.filed_at is not None

    @property
    def due_date(self) -> date:
        """The business day by whose end the breakdown is due (``due_at`` begins the next)."""
        return business_date(self.due_at) - timedelta(days=1)
