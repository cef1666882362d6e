"""Tenders and their lots, manufacturers' products, hospitals' demand reports (报量)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.lifecycle import TenderStatus, allowed_next
from procurement.db import Base, Currency, Quantity, UnitPrice, enum_type

__all__ = [
    "DemandBrandLine",
    "DemandConfirmation",
    "DemandReport",
    "DemandRevision",
    "DosageClass",
    "Lot",
    "Product",
    "QualityRequirement",
    "SmallestUnit",
    "Tender",
    "TenderCategory",
    "TenderStatus",
]

Strength = Numeric(18, 4)


class TenderCategory(StrEnum):
    DRUG = "drug"
    CONSUMABLE = "consumable"


class DosageClass(StrEnum):
    """Dosage-form class: rules key on it (the 0.10 yuan absolute floor is for oral solids)."""

    ORAL_SOLID = "oral_solid"
    ORAL_LIQUID = "oral_liquid"
    INJECTION = "injection"
    TOPICAL = "topical"
    INHALATION = "inhalation"
    DEVICE = "device"
    OTHER = "other"


class SmallestUnit(StrEnum):
    """The smallest unit a quantity and a unit price count (片/粒/袋/支/瓶/个)."""

    TABLET = "tablet"
    CAPSULE = "capsule"
    SACHET = "sachet"
    VIAL = "vial"
    AMPOULE = "ampoule"
    BAG = "bag"
    BOTTLE = "bottle"
    SYRINGE = "syringe"
    PIECE = "piece"
    SET = "set"


class QualityRequirement(StrEnum):
    CONSISTENCY_EVALUATED = "consistency_evaluated"  # 通过一致性评价 (or the originator)
    NONE = "none"


class Tender(Base):
    """A procurement batch (采购批次): its catalog of lots, its timeline and frozen rules."""

    __tablename__ = "tenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[TenderCategory] = mapped_column(enum_type(TenderCategory, 20))
    # Province-level GB/T 2260 codes (e.g. ["310000", "320000"]) whose hospitals take part.
    region_scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    demand_deadline: Mapped[datetime]
    bid_deadline: Mapped[datetime]
    opening_at: Mapped[datetime]
    contract_start: Mapped[date]
    contract_years: Mapped[int]
    status: Mapped[TenderStatus] = mapped_column(
        enum_type(TenderStatus, 20), default=TenderStatus.DRAFT, index=True
    )
    rules_preset: Mapped[str] = mapped_column(String(40))
    rules_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # RulesSet.to_dict() frozen when the tender leaves draft; never changed afterwards.
    rules_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    status_changed_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    created_by: Mapped[Organization] = relationship()
    lots: Mapped[list[Lot]] = relationship(
        back_populates="tender", order_by="Lot.code", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (CheckConstraint("contract_years >= 1", name="contract_years_positive"),)

    @property
    def allowed_next(self) -> list[TenderStatus]:
        return allowed_next(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == TenderStatus.DRAFT

    def in_scope(self, region_code: str) -> bool:
        """Whether an organization in ``region_code`` (any level) belongs to this tender."""
        return region_code[:2] + "0000" in (self.region_scope or [])


class Lot(Base):
    """One item of the catalog (品种): generic name + dosage form + representative strength."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("tender_id", "code"),
        CheckConstraint("reference_strength > 0", name="reference_strength_positive"),
        CheckConstraint("ceiling_unit_price > 0", name="ceiling_positive"),
        CheckConstraint("reference_unit_price > 0", name="reference_price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))  # "L01", unique within the tender
    generic_name: Mapped[str] = mapped_column(String(200))
    dosage_form: Mapped[str] = mapped_column(String(80))  # as printed: 片剂, 注射液 ...
    dosage_class: Mapped[DosageClass] = mapped_column(enum_type(DosageClass, 20))
    reference_strength: Mapped[Decimal] = mapped_column(Strength)
    strength_unit: Mapped[str] = mapped_column(String(10))  # mg, g, ml, IU ...
    smallest_unit: Mapped[SmallestUnit] = mapped_column(enum_type(SmallestUnit, 20))
    # Per smallest unit of the representative strength (最高有效申报价).
    ceiling_unit_price: Mapped[UnitPrice]
    # Pre-procurement price per smallest unit, for savings and year-end budgets.
    reference_unit_price: Mapped[UnitPrice]
    currency: Mapped[Currency]
    quality_requirement: Mapped[QualityRequirement] = mapped_column(
        enum_type(QualityRequirement, 30), default=QualityRequirement.CONSISTENCY_EVALUATED
    )
    antimicrobial_restricted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    tender: Mapped[Tender] = relationship(back_populates="lots")
    demand_reports: Mapped[list[DemandReport]] = relationship(back_populates="lot")
    confirmation: Mapped[DemandConfirmation | None] = relationship(back_populates="lot")

    @property
    def oral_solid(self) -> bool:
        return self.dosage_class == DosageClass.ORAL_SOLID


class Product(Base):
    """A manufacturer's registered product (批准文号), which it may bid on a matching lot."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("strength > 0", name="strength_positive"),
        CheckConstraint("pack_size >= 1", name="pack_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    approval_number: Mapped[str] = mapped_column(String(40), unique=True)  # 国药准字H...
    generic_name: Mapped[str] = mapped_column(String(200), index=True)
    trade_name: Mapped[str | None] = mapped_column(String(200))
    dosage_form: Mapped[str] = mapped_column(String(80))
    dosage_class: Mapped[DosageClass] = mapped_column(enum_type(DosageClass, 20))
    strength: Mapped[Decimal] = mapped_column(Strength)
    strength_unit: Mapped[str] = mapped_column(String(10))
    smallest_unit: Mapped[SmallestUnit] = mapped_column(enum_type(SmallestUnit, 20))
    pack_size: Mapped[int]  # smallest units per pack
    consistency_evaluated: Mapped[bool] = mapped_column(default=False)
    originator: Mapped[bool] = mapped_column(default=False)
    approval_date: Mapped[date]
    created_at: Mapped[datetime]

    manufacturer: Mapped[Organization] = relationship()

    @property
    def meets_quality_bar(self) -> bool:
        """Consistency-evaluated generics and originators may bid on a 'consistency' lot."""
        return self.consistency_evaluated or self.originator


class DemandReport(Base):
    """A hospital's annual demand for one lot (报量), in the lot's smallest units.

    ``version`` counts revisions; every revision is kept as a :class:`DemandRevision`.
    ``confirmed_quantity`` is set by the regulator's confirmation and is what the award uses.
    """

    __tablename__ = "demand_reports"
    __table_args__ = (
        UniqueConstraint("lot_id", "hospital_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("last_year_usage >= 0", name="usage_not_negative"),
        CheckConstraint("confirmed_quantity >= 0", name="confirmed_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The hospital's province when it reported (totals by region do not move if it moves).
    province_code: Mapped[str] = mapped_column(String(6), index=True)
    quantity: Mapped[Quantity]
    last_year_usage: Mapped[Quantity]
    submitted_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    confirmed_quantity: Mapped[Quantity | None]
    version: Mapped[int] = mapped_column(default=1)
    # The demand floor (RULES.md 10) when the report was last saved below it (floor_mode
    # "reason"): the figure it had to reach, where the usage came from ("platform" purchases
    # or the "reported" last-year usage), the hospital's reason and the regulator's confirmation.
    # All None when the report reaches its floor.
    floor_quantity: Mapped[Quantity | None]
    floor_source: Mapped[str | None] = mapped_column(String(10))
    floor_reason: Mapped[str | None] = mapped_column(Text)
    floor_confirmed_at: Mapped[datetime | None]
    floor_confirmed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lot: Mapped[Lot] = relationship(back_populates="demand_reports")
    hospital: Mapped[Organization] = relationship()
    revisions: Mapped[list[DemandRevision]] = relationship(
        back_populates="report", order_by="DemandRevision.version"
    )
    brand_lines: Mapped[list[DemandBrandLine]] = relationship(
        back_populates="report", order_by="DemandBrandLine.product_id", cascade="all, delete-orphan"
    )


class DemandBrandLine(Base):
    """Part of a demand report named by product (带量报名 by brand, RULES.md 10): if the product
    wins, its manufacturer supplies this part to the hospital directly.

    The report's ``quantity`` is the whole demand for the lot; its brand lines are parts of it
    (their sum never exceeds it), the rest is reported by generic name."""

    __tablename__ = "demand_brand_lines"
    __table_args__ = (
        UniqueConstraint("report_id", "product_id"),
        CheckConstraint("quantity > 0", name="brand_quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("demand_reports.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[Quantity]

    report: Mapped[DemandReport] = relationship(back_populates="brand_lines")
    product: Mapped[Product] = relationship()


class DemandRevision(Base):
    """One submitted version of a demand report; append-only."""

    __tablename__ = "demand_revisions"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("demand_reports.id"), index=True)
    version: Mapped[int]
    quantity: Mapped[Quantity]
    last_year_usage: Mapped[Quantity]
    source: Mapped[str] = mapped_column(String(10))  # api, upload, page
    # The version's brand lines: [{"product_id", "approval_number", "quantity"}] (None before
    # brand reporting existed).
    brand_lines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    floor_reason: Mapped[str | None] = mapped_column(Text)
    submitted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime]

    report: Mapped[DemandReport] = relationship(back_populates="revisions")


class DemandConfirmation(Base):
    """The regulator's confirmation of a lot's demand (the totals the award will use)."""

    __tablename__ = "demand_confirmations"
    __table_args__ = (UniqueConstraint("lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    total_reported: Mapped[Quantity]
    total_confirmed: Mapped[Quantity]
    hospitals: Mapped[int]
    confirmed_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    confirmed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime]

    lot: Mapped[Lot] = relationship(back_populates="confirmation")
