"""Compliance: alerts and their escalation, year-end results, supplier credit events.

An alert's ``open_key`` equals its ``dedup_key`` while it is open and is NULL once resolved;
the unique constraint on it means one open alert per condition (NULLs never collide)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.models import Lot
from procurement.db import Amount, Base, Currency, Quantity, Ratio, enum_type
from procurement.orders.models import OrderLine

__all__ = [
    "Alert",
    "AlertEscalation",
    "AlertKind",
    "AlertResponse",
    "AlertStatus",
    "CreditAppeal",
    "CreditEvent",
    "CreditEventKind",
    "CreditEventStatus",
    "CreditLevelRecord",
    "CreditRepair",
    "EscalationStep",
    "Severity",
    "YearEndLine",
    "YearEndResult",
    "YearEndRun",
]


class AlertKind(StrEnum):
    HOSPITAL_BEHIND = "hospital_behind"
    ZERO_PURCHASE = "zero_purchase"
    SUPPLIER_UNCONFIRMED = "supplier_unconfirmed"  # shortage risk
    LATE_DELIVERY = "late_delivery"
    REJECTED_ORDERS = "rejected_orders"
    OVERDUE_PAYMENT = "overdue_payment"
    HIGH_NON_WINNING_SHARE = "high_non_winning_share"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    HIGH = "high"


class AlertStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class EscalationStep(StrEnum):
    NONE = "none"
    REMINDER = "reminder"  # 提醒
    PUBLIC_NOTICE = "public_notice"  # 通报
    SUMMONS = "summons"  # 约谈


LADDER = (
    EscalationStep.NONE,
    EscalationStep.REMINDER,
    EscalationStep.PUBLIC_NOTICE,
    EscalationStep.SUMMONS,
)


class Alert(Base):
    __tablename__ = "compliance_alerts"
    __table_args__ = (
        UniqueConstraint("open_key"),
        Index("ix_compliance_alerts_subject_status", "subject_org_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(enum_type(AlertKind, 30), index=True)
    severity: Mapped[Severity] = mapped_column(enum_type(Severity, 10))
    dedup_key: Mapped[str] = mapped_column(String(160), index=True)
    open_key: Mapped[str | None] = mapped_column(String(160))
    subject_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    region_code: Mapped[str | None] = mapped_column(String(6))
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    contract_year: Mapped[int | None]
    detail: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[AlertStatus] = mapped_column(
        enum_type(AlertStatus, 10), default=AlertStatus.OPEN
    )
    step: Mapped[EscalationStep] = mapped_column(
        enum_type(EscalationStep, 20), default=EscalationStep.NONE
    )
    raised_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)

    subject: Mapped[Organization | None] = relationship()
    escalations: Mapped[list[AlertEscalation]] = relationship(
        back_populates="alert", order_by="AlertEscalation.id"
    )
    responses: Mapped[list[AlertResponse]] = relationship(
        back_populates="alert", order_by="AlertResponse.id"
    )


class AlertEscalation(Base):
    """One step up the ladder, by whom and when."""

    __tablename__ = "compliance_alert_escalations"
    __table_args__ = (UniqueConstraint("alert_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("compliance_alerts.id"), index=True)
    step: Mapped[EscalationStep] = mapped_column(enum_type(EscalationStep, 20))
    by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]

    alert: Mapped[Alert] = relationship(back_populates="escalations")


class AlertResponse(Base):
    """The subject organization's answer to an alert."""

    __tablename__ = "compliance_alert_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("compliance_alerts.id"), index=True)
    by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]

    alert: Mapped[Alert] = relationship(back_populates="responses")


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


class CreditEventKind(StrEnum):
    LATE_DELIVERY = "late_delivery"
    ORDER_REJECTED_OR_UNCONFIRMED = "order_rejected_or_unconfirmed"
    REGION_UNSUPPLIED_7D = "region_unsupplied_7d"
    GAVE_UP_WIN = "gave_up_win"


class CreditEventStatus(StrEnum):
    ACTIVE = "active"
    APPEALED = "appealed"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class CreditEvent(Base):
    """A supply failure counted against a manufacturer's credit (RULES.md 8). ``source_key`` is
    the natural key of what it came from ("sla:<breach id>", "order:<id>:rejected"), unique, so
    importing twice creates nothing twice."""

    __tablename__ = "credit_events"
    __table_args__ = (
        UniqueConstraint("source_key"),
        Index("ix_credit_events_manufacturer_occurred", "manufacturer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[CreditEventKind] = mapped_column(enum_type(CreditEventKind, 30))
    points: Mapped[int]
    occurred_at: Mapped[datetime]
    source_key: Mapped[str] = mapped_column(String(80))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CreditEventStatus] = mapped_column(
        enum_type(CreditEventStatus, 12), default=CreditEventStatus.ACTIVE
    )
    recorded_at: Mapped[datetime]

    manufacturer: Mapped[Organization] = relationship()
    appeals: Mapped[list[CreditAppeal]] = relationship(
        back_populates="event", order_by="CreditAppeal.id"
    )

    @property
    def counts(self) -> bool:
        return self.status != CreditEventStatus.OVERTURNED


class CreditAppeal(Base):
    """A manufacturer's appeal against an event and the regulator's decision."""

    __tablename__ = "credit_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("credit_events.id"), index=True)
    by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    decision: Mapped[str | None] = mapped_column(String(12))  # upheld | overturned
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    decided_at: Mapped[datetime | None]

    event: Mapped[CreditEvent] = relationship(back_populates="appeals")


class CreditRepair(Base):
    """Credit repair (信用修复) by the regulator: events up to ``repaired_at`` stop counting."""

    __tablename__ = "credit_repairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    level_before: Mapped[str] = mapped_column(String(40))
    level_after: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    repaired_at: Mapped[datetime]


class CreditLevelRecord(Base):
    """A manufacturer's current level and the bidding ban it holds (one row each)."""

    __tablename__ = "credit_levels"

    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    points: Mapped[int]
    level: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime]


# Off-contract order lines are few; compliance reads them by lot (non-winning share).
Index(
    "ix_order_lines_off_contract_lot",
    OrderLine.__table__.c.lot_id,
    postgresql_where=OrderLine.__table__.c.off_contract,
    sqlite_where=OrderLine.__table__.c.off_contract,
)


# The dashboard rollup's tables live in their own module (imported here, so that the models of
# the area are complete for Alembic and create_all).
from procurement.compliance.rollup_models import Rollup, RollupGroup, RollupUnpaid  # noqa: E402

__all__ += ["Rollup", "RollupGroup", "RollupUnpaid"]
