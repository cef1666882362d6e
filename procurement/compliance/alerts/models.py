"""Alerts and their escalation.

An alert's ``open_key`` equals its ``dedup_key`` while it is open and is NULL once resolved;
the unique constraint on it means one open alert per condition (NULLs never collide)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.catalog.models import Lot
from procurement.compliance.columns_models import _enum
from procurement.db import Base

__all__ = [
    "LADDER",
    "NOTE_LIMIT",
    "Alert",
    "AlertEscalation",
    "AlertKind",
    "AlertLevelChange",
    "AlertResponse",
    "AlertStatus",
    "EscalationStep",
    "Severity",
]


class AlertKind(StrEnum):
    HOSPITAL_BEHIND = "hospital_behind"
    ZERO_PURCHASE = "zero_purchase"
    SUPPLIER_UNCONFIRMED = "supplier_unconfirmed"  # shortage risk
    LATE_DELIVERY = "late_delivery"
    REJECTED_ORDERS = "rejected_orders"
    OVERDUE_PAYMENT = "overdue_payment"
    HIGH_NON_WINNING_SHARE = "high_non_winning_share"
    NO_BACKUP = "no_backup"  # a region without a backup with spare capacity (supply risk)
    SHORTAGE = "shortage"  # a county's stock cover low or orders unfilled (RULES.md 14)
    SHORTAGE_REPORT_MISSING = "shortage_report_missing"  # a monthly shortage report is late
    PRICE_OUTLIER = "price_outlier"  # paid over the province's lowest by the margin (prices)
    PHARMACY_COVERAGE = "pharmacy_coverage"  # a pharmacy stocks fewer names than it must
    PHARMACY_PRICE = "pharmacy_price"  # a pharmacy charged above the winning price's cap
    PHARMACY_STOCK_OUT = "pharmacy_stock_out"  # signed-up products with nothing on hand


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


NOTE_LIMIT = 2000  # characters of an escalation note, a reply or a closing note

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
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind), index=True)
    severity: Mapped[Severity] = mapped_column(_enum(Severity, 10))
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
    status: Mapped[AlertStatus] = mapped_column(_enum(AlertStatus, 10), default=AlertStatus.OPEN)
    step: Mapped[EscalationStep] = mapped_column(
        _enum(EscalationStep, 20), default=EscalationStep.NONE
    )
    raised_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    # Who closed the case with a note (organization and user ids); both NULL on a resolved
    # alert: the check found its condition no longer holds. Plain ids, no foreign keys: SQLite
    # adds a constrained column to an existing table only by copying it (batch mode).
    resolved_by_org_id: Mapped[int | None]
    resolved_by_user_id: Mapped[int | None]
    # The graded response level of a shortage alert (county, city, province, national;
    # compliance/shortage/rules.py), raised by the check as the shortage lasts and spreads.
    level: Mapped[str | None] = mapped_column(String(10))

    subject: Mapped[Organization | None] = relationship()
    lot: Mapped[Lot | None] = relationship()
    escalations: Mapped[list[AlertEscalation]] = relationship(
        back_populates="alert", order_by="AlertEscalation.id"
    )
    responses: Mapped[list[AlertResponse]] = relationship(
        back_populates="alert", order_by="AlertResponse.id"
    )
    levels: Mapped[list[AlertLevelChange]] = relationship(
        back_populates="alert", order_by="AlertLevelChange.id"
    )


class AlertEscalation(Base):
    """One step up the ladder, by whom and when."""

    __tablename__ = "compliance_alert_escalations"
    __table_args__ = (UniqueConstraint("alert_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("compliance_alerts.id"), index=True)
    step: Mapped[EscalationStep] = mapped_column(_enum(EscalationStep, 20))
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


class AlertLevelChange(Base):
    """A graded alert's level when raised and each change since: its history."""

    __tablename__ = "compliance_alert_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("compliance_alerts.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str | None] = mapped_column(String(6))  # the region at that level
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]

    alert: Mapped[Alert] = relationship(back_populates="levels")
