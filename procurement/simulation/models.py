"""Kept simulations: the variants run (name, preset, overrides, the rules they resolved to),
the inputs' digest, who ran it and when, and each lot's result per variant."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.models import Tender
from procurement.db import Amount, Base, Quantity, Ratio, UnitPrice


class Simulation(Base):
    """One run of rule variants on a tender's opened bids (``tender_id``) or on an uploaded
    file of bids (``uploaded``: the file's lots and bids as read, so it re-runs as it was)."""

    __tablename__ = "simulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    uploaded: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    ran_at: Mapped[datetime]
    ran_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rerun_of_id: Mapped[int | None] = mapped_column(ForeignKey("simulations.id"))

    org: Mapped[Organization] = relationship()
    tender: Mapped[Tender | None] = relationship()
    variants: Mapped[list[SimulationVariant]] = relationship(
        back_populates="simulation",
        order_by="SimulationVariant.position",
        cascade="all, delete-orphan",
    )


class SimulationVariant(Base):
    """One rules variant of a simulation; position 0 is the baseline (the tender's own rules,
    or the platform's default preset for an upload)."""

    __tablename__ = "simulation_variants"
    __table_args__ = (UniqueConstraint("simulation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    simulation_id: Mapped[int] = mapped_column(ForeignKey("simulations.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    baseline: Mapped[bool] = mapped_column(default=False)
    preset: Mapped[str] = mapped_column(String(40))
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)

    simulation: Mapped[Simulation] = relationship(back_populates="variants")
    lots: Mapped[list[SimulationLotResult]] = relationship(
        back_populates="variant",
        order_by="SimulationLotResult.lot_code",
        cascade="all, delete-orphan",
    )


class SimulationLotResult(Base):
    """One lot under one variant: winners (name, outcome, price, allocated quantity and
    amount), agreed volume, expected spend and the reference spend it saves against."""

    __tablename__ = "simulation_lot_results"
    __table_args__ = (UniqueConstraint("variant_id", "lot_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("simulation_variants.id"), index=True)
    lot_code: Mapped[str] = mapped_column(String(20))
    lot_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))
    winner_count: Mapped[int] = mapped_column(default=0)
    anchor_price: Mapped[UnitPrice | None]
    volume_ratio: Mapped[Ratio | None]
    total_demand: Mapped[Quantity] = mapped_column(default=0)
    agreed: Mapped[Quantity] = mapped_column(default=0)
    spend: Mapped[Amount | None]
    reference_spend: Mapped[Amount | None]
    winners: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")

    variant: Mapped[SimulationVariant] = relationship(back_populates="lots")

    @property
    def savings(self) -> Decimal | None:
        if self.spend is None or self.reference_spend is None:
            return None
        return self.reference_spend - self.spend
