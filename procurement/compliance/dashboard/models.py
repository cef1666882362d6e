"""Tables of the dashboard rollup (how they are written and read:
:mod:`procurement.compliance.dashboard.rollup_services`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from procurement.db import Base, UnitPrice

__all__ = ["Rollup", "RollupGroup", "RollupOpenOrder", "RollupUnpaid"]


class Rollup(Base):
    """One folded state of a tender's contract year for one day and set of thresholds.

    ``receipt_line_mark``: the highest receipt line id folded in (every lower id was committed
    when it was folded); ``payable_mark``: payables up to this id are folded in, and no payable
    up to it can appear later. ``contract_mark``, ``tender_version`` and ``payment_events``
    fingerprint what the rollup cannot see change: new contracts, the tender (its contracts go
    in force with it), and the payment and reversal ledger transactions (the only writers of
    ``payables.paid_at``)."""

    __tablename__ = "compliance_rollups"
    __table_args__ = (
        Index("ix_compliance_rollups_selection", "tender_id", "contract_year", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id"))
    contract_year: Mapped[int]
    day: Mapped[date]
    params: Mapped[str] = mapped_column(String(80))  # running, checked, thresholds
    window_start: Mapped[date]
    window_end: Mapped[date]
    contract_mark: Mapped[int] = mapped_column(BigInteger)  # highest contracts.id
    tender_version: Mapped[int]
    payment_events: Mapped[int] = mapped_column(BigInteger)
    receipt_line_mark: Mapped[int] = mapped_column(BigInteger)
    payable_mark: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger)  # paid payables (all due)
    paid_on_time: Mapped[int] = mapped_column(BigInteger)
    unpaid_due_before: Mapped[int] = mapped_column(BigInteger)  # unpaid, due before the day
    non_winning: Mapped[int] = mapped_column(BigInteger)  # accepted off-contract quantity
    built_at: Mapped[datetime]
    # Order timeliness (:mod:`.order_fold_queries`): the selection's orders up to
    # ``order_mark`` that were settled at the fold (their four flags no longer change); the
    # others are counted live. A rollup older than these columns has 0 everywhere: every
    # order is then counted live.
    order_mark: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    confirm_due: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    confirm_on_time: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    deliver_due: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    deliver_on_time: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class RollupGroup(Base):
    """Sums of one group of a rollup: ``grp`` total/lot/region/hospital/manufacturer (progress
    at the mark), ``lot_price`` (accepted per lot and contract price, for the savings) or
    ``month`` (accepted by month of acceptance, for the completion curve; ``key`` YYYY-MM)."""

    __tablename__ = "compliance_rollup_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollup_id: Mapped[int] = mapped_column(
        ForeignKey("compliance_rollups.id", ondelete="CASCADE"), index=True
    )
    grp: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[UnitPrice | None]
    agreed: Mapped[int] = mapped_column(BigInteger, default=0)
    accepted: Mapped[int] = mapped_column(BigInteger, default=0)
    contracts: Mapped[int] = mapped_column(BigInteger, default=0)
    behind: Mapped[int] = mapped_column(BigInteger, default=0)
    at_risk: Mapped[int] = mapped_column(BigInteger, default=0)
    zero: Mapped[int] = mapped_column(BigInteger, default=0)
    lag_rank: Mapped[int | None] = mapped_column(BigInteger)  # hospitals not on track: 1, 2, ...


class RollupUnpaid(Base):
    """Unpaid payables of a rollup falling due during its day, by due time."""

    __tablename__ = "compliance_rollup_unpaid"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollup_id: Mapped[int] = mapped_column(
        ForeignKey("compliance_rollups.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime]
    payables: Mapped[int] = mapped_column(BigInteger)


class RollupOpenOrder(Base):
    """An order of a rollup's selection up to its ``order_mark`` that was not settled at the
    fold: counted live on every view (by primary key)."""

    __tablename__ = "compliance_rollup_open_orders"

    rollup_id: Mapped[int] = mapped_column(
        ForeignKey("compliance_rollups.id", ondelete="CASCADE"), primary_key=True
    )
    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
