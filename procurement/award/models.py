"""Award runs (one solve of a whole tender), their per-lot results, every bid's outcome and the
allocation rows. A run is a record of what was computed; confirming one writes the contracts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.award.selection import Outcome
from procurement.bidding.models import Bid
from procurement.catalog.models import Lot, Tender
from procurement.db import Amount, Base, Quantity, Ratio, UnitPrice, enum_type

__all__ = [
    "AwardAllocation",
    "AwardBidOutcome",
    "AwardLotResult",
    "AwardRun",
    "LotStatus",
    "RunStatus",
]

Gap = Numeric(12, 6)


class RunStatus(StrEnum):
    SUCCEEDED = "succeeded"  # every lot ok or failed (流标): confirmable
    INFEASIBLE = "infeasible"  # at least one lot has no allocation (see its diagnosis)
    FAILED = "failed"  # the solver gave no answer for at least one lot (time limit, error)


class LotStatus(StrEnum):
    OK = "ok"
    INFEASIBLE = "infeasible"
    FAILED = "failed"  # 流标: no winner; no contracts
    ERROR = "error"  # the solver gave no plan


class AwardRun(Base):
    """One award computation for a tender, numbered per tender (1, 2, ...)."""

    __tablename__ = "award_runs"
    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"), index=True)
    number: Mapped[int]
    status: Mapped[RunStatus] = mapped_column(enum_type(RunStatus, 20))
    # SHA-256 over the canonical inputs (bids, demand, rules, options): same digest, same plan.
    inputs_digest: Mapped[str] = mapped_column(String(64))
    rules_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)  # granularity, fallback, solver ...
    solver: Mapped[str] = mapped_column(String(20))
    objective: Mapped[Amount | None]
    gap: Mapped[Decimal | None] = mapped_column(Gap)
    build_s: Mapped[float] = mapped_column(default=0.0)
    solve_s: Mapped[float] = mapped_column(default=0.0)
    total_s: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    started_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    started_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    tender: Mapped[Tender] = relationship()
    started_by: Mapped[Organization] = relationship()
    lots: Mapped[list[AwardLotResult]] = relationship(
        back_populates="run", order_by="AwardLotResult.lot_code", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def confirmable(self) -> bool:
        return self.status == RunStatus.SUCCEEDED and not self.confirmed


class AwardLotResult(Base):
    """What a run decided for one lot: selection, volumes, the solver's answer or diagnosis."""

    __tablename__ = "award_lot_results"
    __table_args__ = (UniqueConstraint("run_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("award_runs.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    lot_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[LotStatus] = mapped_column(enum_type(LotStatus, 20))
    selection_reason: Mapped[str] = mapped_column(Text, default="")
    declared_count: Mapped[int] = mapped_column(default=0)
    valid_count: Mapped[int] = mapped_column(default=0)
    winner_count: Mapped[int] = mapped_column(default=0)
    anchor_price: Mapped[UnitPrice | None]
    revival_price: Mapped[UnitPrice | None]
    volume_ratio: Mapped[Ratio | None]
    contract_years: Mapped[int] = mapped_column(default=0)
    total_demand: Mapped[Quantity] = mapped_column(default=0)
    total_agreed: Mapped[Quantity] = mapped_column(default=0)
    granularity: Mapped[str] = mapped_column(String(10))
    solver_status: Mapped[str] = mapped_column(String(20), default="")
    proven_optimal: Mapped[bool] = mapped_column(default=False)
    objective: Mapped[Amount | None]
    lp_bound: Mapped[Amount | None]
    gap: Mapped[Decimal | None] = mapped_column(Gap)
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    # [{"constraint", "message", "shortfall"}] and the fallbacks the regulator may choose.
    diagnosis_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    fallback_used: Mapped[str | None] = mapped_column(String(200))
    backups: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # province -> bid id
    # Brand reports (RULES.md 10): requests, met in full / in part / not, volumes, and the cuts
    # a winner's capacity made (award/brand_reports.py BrandPlan.record); None: no brand parts.
    brand_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    build_s: Mapped[float] = mapped_column(default=0.0)
    solve_s: Mapped[float] = mapped_column(default=0.0)
    total_s: Mapped[float] = mapped_column(default=0.0)

    run: Mapped[AwardRun] = relationship(back_populates="lots")
    lot: Mapped[Lot] = relationship()
    outcomes: Mapped[list[AwardBidOutcome]] = relationship(
        back_populates="lot_result",
        order_by="AwardBidOutcome.position",
        cascade="all, delete-orphan",
    )
    allocations: Mapped[list[AwardAllocation]] = relationship(
        back_populates="lot_result",
        order_by="[AwardAllocation.hospital_id, AwardAllocation.bid_id]",
        cascade="all, delete-orphan",
    )

    @property
    def winners(self) -> list[AwardBidOutcome]:
        return [o for o in self.outcomes if o.is_winner]


class AwardBidOutcome(Base):
    """What became of one bid in a run: won / revived / lost / invalid, with the reason, and
    for winners (reserves included) the volume it was given."""

    __tablename__ = "award_bid_outcomes"
    __table_args__ = (UniqueConstraint("lot_result_id", "bid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_result_id: Mapped[int] = mapped_column(ForeignKey("award_lot_results.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    position: Mapped[int]  # display order: winners by price, then the rest by rank
    outcome: Mapped[str] = mapped_column(String(10))  # won, revived, lost, invalid
    reason: Mapped[str] = mapped_column(Text)
    rank: Mapped[int | None]
    comparable_price: Mapped[UnitPrice | None]
    award_unit_price: Mapped[UnitPrice | None]  # what a winner is paid per smallest unit
    award_comparable_price: Mapped[UnitPrice | None]
    reserve: Mapped[bool] = mapped_column(default=False)  # a reserve used by the fallback
    allocated: Mapped[Quantity] = mapped_column(default=0)
    share: Mapped[Ratio | None]
    # Why a winner received less than its price would expect (award/volume_limits.py), as
    # computed when the run allocated the lot; None: nothing to explain (or an older run).
    volume_limit: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    lot_result: Mapped[AwardLotResult] = relationship(back_populates="outcomes")
    bid: Mapped[Bid] = relationship()
    manufacturer: Mapped[Organization] = relationship()

    @property
    def outcome_kind(self) -> Outcome:
        """The outcome as its enum (stored as its code), for labels."""
        return Outcome(self.outcome)

    @property
    def is_winner(self) -> bool:
        return self.outcome in ("won", "revived") or self.reserve


class AwardAllocation(Base):
    """Quantity of a lot a winner supplies to a hospital per contract year, with the reason."""

    __tablename__ = "award_allocations"
    __table_args__ = (UniqueConstraint("lot_result_id", "hospital_id", "bid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_result_id: Mapped[int] = mapped_column(ForeignKey("award_lot_results.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"))
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    quantity: Mapped[Quantity]
    unit_price: Mapped[UnitPrice]
    amount: Mapped[Amount]
    reason: Mapped[str] = mapped_column(Text)
    # Of `quantity`, the units fixed by the hospital's brand reports (supplied directly).
    brand_quantity: Mapped[Quantity] = mapped_column(default=0, server_default="0")

    lot_result: Mapped[AwardLotResult] = relationship(back_populates="allocations")
    hospital: Mapped[Organization] = relationship(foreign_keys=[hospital_id])
    manufacturer: Mapped[Organization] = relationship(foreign_keys=[manufacturer_id])
    bid: Mapped[Bid] = relationship()
