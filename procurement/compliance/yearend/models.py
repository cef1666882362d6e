"""Year-end results: one run per tender's contract year, one result per hospital, one line per
hospital x lot."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.models import Lot
from procurement.db import Amount, Base, Currency, Quantity, Ratio

__all__ = ["YearEndLine", "YearEndResult", "YearEndRun"]


class YearEndRun(Base):
    """The year-end check of one tender's contract year: done once; a re-run reads it back."""

    __tablename__ = "compliance_year_end_runs"
    __table_args__ = (UniqueConstraint("tender_id", "contract_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"))
    contract_year: Mapped[int]
    period_start: Mapped[date]
    period_end: Mapped[date]
    scheme: Mapped[str] = mapped_column(String(10))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    run_at: Mapped[datetime]
    total_deduction: Mapped[Amount]
    total_retained: Mapped[Amount]
    currency: Mapped[Currency]

    results: Mapped[list[YearEndResult]] = relationship(
        back_populates="run", order_by="YearEndResult.hospital_id"
    )


class YearEndResult(Base):
    """One hospital's year-end result, with the figures the formulas used."""

    __tablename__ = "compliance_year_end_results"
    __table_args__ = (UniqueConstraint("run_id", "hospital_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("compliance_year_end_runs.id"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    agreed: Mapped[Quantity]
    accepted: Mapped[Quantity]
    completion: Mapped[Ratio]
    budget: Mapped[Amount]
    actual: Mapped[Amount]
    balance: Mapped[Amount]
    savings_rate: Mapped[Ratio]
    payment_rate: Mapped[Ratio]
    non_winning_share: Mapped[Ratio]
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grade: Mapped[str | None] = mapped_column(String(2))
    retention_ratio: Mapped[Decimal | None] = mapped_column(Numeric(9, 4))
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    deduction: Mapped[Amount]
    retained: Mapped[Amount]
    note: Mapped[str] = mapped_column(Text, default="")
    deduction_txn_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    retained_txn_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))

    run: Mapped[YearEndRun] = relationship(back_populates="results")
    hospital: Mapped[Organization] = relationship()
    lines: Mapped[list[YearEndLine]] = relationship(
        back_populates="result", order_by="YearEndLine.lot_id"
    )


class YearEndLine(Base):
    """One hospital x lot of a year-end result."""

    __tablename__ = "compliance_year_end_lines"
    __table_args__ = (UniqueConstraint("result_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("compliance_year_end_results.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    agreed: Mapped[Quantity]
    accepted: Mapped[Quantity]
    completion: Mapped[Ratio]
    shortfall: Mapped[Quantity]
    reference_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    winning_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    non_winning_quantity: Mapped[Quantity]
    non_winning_amount: Mapped[Amount]
    budget: Mapped[Amount]
    actual: Mapped[Amount]
    deduction: Mapped[Amount]

    result: Mapped[YearEndResult] = relationship(back_populates="lines")
    lot: Mapped[Lot] = relationship()
