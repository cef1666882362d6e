"""Contracts (采购协议): one per hospital x lot x manufacturer x contract year.

Written by confirming an award run (status draft), made active when the regulator puts the
tender in force, ended after the year. ``unit_price`` is what the hospital pays per smallest unit
(the winning price, or the revival price for a revived winner); ``agreed_volume`` is the year's
agreed quantity in smallest units (the same every year of the period).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.award.models import AwardRun
from procurement.bidding.models import Bid
from procurement.catalog.models import Lot, Product, Tender
from procurement.db import Base, Currency, Quantity, UnitPrice

__all__ = ["Contract", "ContractStatus"]


class ContractStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ENDED = "ended"


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("lot_id", "hospital_id", "manufacturer_id", "contract_year"),
        CheckConstraint("agreed_volume >= 0", name="agreed_volume_not_negative"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("contract_year >= 1", name="contract_year_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"))
    award_run_id: Mapped[int] = mapped_column(ForeignKey("award_runs.id"), index=True)
    contract_year: Mapped[int]  # 1..n
    period_start: Mapped[date]
    period_end: Mapped[date]  # inclusive
    unit_price: Mapped[UnitPrice]
    currency: Mapped[Currency]
    agreed_volume: Mapped[Quantity]
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # hospital's province
    status: Mapped[ContractStatus] = mapped_column(
        Enum(
            ContractStatus,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ContractStatus.DRAFT,
        index=True,
    )
    reason: Mapped[str] = mapped_column(Text, default="")  # the allocation reason
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    tender: Mapped[Tender] = relationship()
    lot: Mapped[Lot] = relationship()
    hospital: Mapped[Organization] = relationship(foreign_keys=[hospital_id])
    manufacturer: Mapped[Organization] = relationship(foreign_keys=[manufacturer_id])
    product: Mapped[Product] = relationship()
    bid: Mapped[Bid] = relationship()
    award_run: Mapped[AwardRun] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls inside this contract year."""
        return self.period_start <= day <= self.period_end
