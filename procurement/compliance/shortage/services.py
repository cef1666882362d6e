"""Shortage monitoring use cases (RULES.md 14): a manufacturer's monthly reports and its
reporting duties; the shortages (graded alerts raised by the compliance check) with their level
history; and activating the award's backup supplier for a shortage's region."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.models import Product
from procurement.compliance.alerts.models import Alert, AlertKind, AlertStatus
from procurement.compliance.common_services import OVERSIGHT
from procurement.compliance.errors import ShortageNotFound, ShortageReportNotValid
from procurement.compliance.shortage import queries as q
from procurement.compliance.shortage import rules as r
from procurement.compliance.shortage.models import (
    BackupActivation,
    ShortageListEntry,
    ShortageReport,
)
from procurement.core.clock import business_date
from procurement.core.messages import N_, Message
from procurement.orders.models import OrderLine, PurchaseOrder

KINDS = (AlertKind.SHORTAGE, AlertKind.SHORTAGE_REPORT_MISSING)
RULES = r.RULES


@dataclass(frozen=True)
class ReportInput:
    product_id: int
    period: str
    production: int
    stock: int
    capacity: int


def submit_report(
    session: Session, *, data: ReportInput, now: datetime, actor: Actor
) -> ShortageReport:
    """Report a product's month (manufacturer): production, stock on hand at the month's end,
    supply capacity per month. Sending the same month again replaces its figures."""
    actor.require(OrgKind.MANUFACTURER, action="report shortage figures")
    _check_report(session, data, business_date(now), actor)
    report = _store(session, data, now, actor)
    session.commit()
    return report


def submit_reports(
    session: Session, *, rows: list[ReportInput], now: datetime, actor: Actor
) -> list[ReportInput]:
    """Several products' months at once (manufacturer; an upload, the demo): each checked as
    one report, all stored together or none (the first refusal names its row)."""
    actor.require(OrgKind.MANUFACTURER, action="report shortage figures")
    today = business_date(now)
    for i, data in enumerate(rows):
        try:
            _check_report(session, data, today, actor)
        except ShortageReportNotValid as refusal:
            errors = {f"rows.{i}.{k}": v for k, v in refusal.errors.items()}
            raise ShortageReportNotValid(errors=errors) from None
    for data in rows:
        _store(session, data, now, actor)
    session.commit()
    return rows


def _store(session: Session, data: ReportInput, now: datetime, actor: Actor) -> ShortageReport:
    report = session.scalars(
        select(ShortageReport).where(
            ShortageReport.manufacturer_id == actor.org_id,
            ShortageReport.product_id == data.product_id,
            ShortageReport.period == data.period,
        )
    ).one_or_none()
    if report is None:
        report = ShortageReport(
            manufacturer_id=actor.org_id,
            product_id=data.product_id,
            period=data.period,
            reported_at=now,
        )
        session.add(report)
    report.production, report.stock, report.capacity = data.production, data.stock, data.capacity
    report.updated_at, report.reported_by_user_id = now, actor.user_id
    session.flush()
    record(
        session,
        action="compliance.shortage_reported",
        subject_type="shortage_report",
        subject_id=report.id,
        now=now,
        actor=actor,
        payload={"product": data.product_id, "period": data.period, "stock": data.stock},
    )
    return report


def _check_report(session: Session, data: ReportInput, today: date, actor: Actor) -> None:
    errors: dict[str, list[Any]] = {}
    product = session.get(Product, data.product_id)
    if product is None or product.manufacturer_id != actor.org_id:
        errors["product_id"] = [N_("not one of your products")]
    latest = r.open_period(today)
    if not _is_period(data.period):
        errors["period"] = [N_("a month as YYYY-MM")]
    elif data.period > latest:
        errors["period"] = [
            Message(
                "{period} is not over yet: the latest is {latest}",
                period=data.period,
                latest=latest,
            )
        ]
    for name in ("production", "stock", "capacity"):
        value = getattr(data, name)
        if not 0 <= value <= RULES.shortage_max_quantity:
            errors[name] = [
                Message(
                    "from 0 to {limit} (shortage_max_quantity)",
                    limit=f"{RULES.shortage_max_quantity:,}",
                )
            ]
    if errors:
        raise ShortageReportNotValid(errors=errors)


def _is_period(text: str) -> bool:
    if len(text or "") != r.PERIOD_LENGTH or text[4] != "-":
        return False
    year, month = text[:4], text[5:]
    return year.isdigit() and month.isdigit() and int(year) >= 2000 and 1 <= int(month) <= 12


@dataclass(frozen=True)
class DutyRow:
    product_id: int
    product: str
    lot_id: int | None
    period: str
    due: date
    days_overdue: int
    report: ShortageReport | None

    @property
    def missing(self) -> bool:
        return self.report is None and self.days_overdue > 0


@dataclass
class Duties:
    today: date
    open_period: str
    rows: list[DutyRow] = field(default_factory=list)  # the open month's, then missing ones

    @property
    def missing(self) -> list[DutyRow]:
        return [row for row in self.rows if row.missing]


def reporting_duties(session: Session, *, now: datetime, actor: Actor) -> Duties:
    """The manufacturer's reports owed: this month's (last month's figures, due by the
    ``shortage_report_day``), and every earlier month still missing, with days overdue."""
    actor.require(OrgKind.MANUFACTURER, write=False, action="see shortage reporting duties")
    today = business_date(now)
    current = r.open_period(today)
    periods = [current, *(p for p in r.overdue_periods(today, RULES) if p != current)]
    owed = q.duties(session, periods, manufacturer_id=actor.org_id)
    reports = {
        (rep.product_id, rep.period): rep
        for rep in session.scalars(
            select(ShortageReport).where(
                ShortageReport.manufacturer_id == actor.org_id,
                ShortageReport.period.in_(periods),
            )
        )
    }
    names = q.product_names(session, {d.product_id for d in owed})
    out = Duties(today, current)
    for d in sorted(owed, key=lambda d: (d.period != current, d.period, d.product_id)):
        report = reports.get((d.product_id, d.period))
        if d.period != current and report is not None:
            continue
        due = r.due_date(d.period, RULES)
        days = r.days_overdue(d.period, today, RULES)
        out.rows.append(
            DutyRow(d.product_id, names[d.product_id], d.lot_id, d.period, due, days, report)
        )
    return out


def reports_query(actor: Actor) -> Select:
    """Reports, newest month first: a manufacturer's own; oversight sees all."""
    actor.require(OrgKind.MANUFACTURER, *OVERSIGHT, write=False, action="see shortage reports")
    query = select(ShortageReport).order_by(ShortageReport.period.desc(), ShortageReport.product_id)
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(ShortageReport.manufacturer_id == actor.org_id)
    return query


def list_reports(session: Session, *, actor: Actor) -> list[ShortageReport]:
    """Shortage reports (the manufacturer's own; all for the regulator and the fund)."""
    return list(session.scalars(reports_query(actor)))


def level_rank():
    """National 0, province 1, city 2, county 3, none 4: the highest level sorts first."""
    rank = {lv.value: i for i, lv in enumerate(reversed(r.LEVELS))}
    return case(rank, value=Alert.level, else_=len(rank))


def shortages_query(actor: Actor, *, level: str | None = None, status: str | None = None) -> Select:
    """Shortage alerts, the highest level first: oversight sees all, a manufacturer those it
    is the subject of."""
    actor.require(OrgKind.MANUFACTURER, *OVERSIGHT, write=False, action="see shortages")
    query = (
        select(Alert)
        .where(Alert.kind.in_(KINDS))
        .order_by(level_rank(), Alert.raised_at.desc(), Alert.id.desc())
    )
    if actor.org_kind not in OVERSIGHT:
        query = query.where(Alert.subject_org_id == actor.org_id)
    if level:
        query = query.where(Alert.level == level)
    if status:
        query = query.where(Alert.status == status)
    return query


def list_shortages(
    session: Session, *, actor: Actor, level: str | None = None, status: str | None = None
) -> list[Alert]:
    """Shortages (missing reports and short counties) by level, with their level history."""
    return list(session.scalars(shortages_query(actor, level=level, status=status)))


@dataclass
class ShortageCase:
    alert: Alert
    activation: BackupActivation | None
    orders: list[PurchaseOrder]  # the orders the backup received through the activation


def get_shortage(session: Session, *, alert_id: int, actor: Actor) -> ShortageCase:
    """One shortage with its level history, the backup activated for it and the orders the
    backup then received."""
    actor.require(OrgKind.MANUFACTURER, *OVERSIGHT, write=False, action="see shortages")
    alert = session.get(Alert, alert_id)
    visible = alert is not None and (
        actor.org_kind in OVERSIGHT or alert.subject_org_id == actor.org_id
    )
    if alert is None or alert.kind not in KINDS or not visible:
        raise ShortageNotFound(alert_id=alert_id)
    activation = session.scalars(
        select(BackupActivation).where(BackupActivation.alert_id == alert.id)
    ).one_or_none()
    return ShortageCase(alert, activation, backup_orders(session, activation))


def backup_orders(session: Session, activation: BackupActivation | None) -> list[PurchaseOrder]:
    if activation is None:
        return []
    ids = [bc.contract_id for bc in activation.contracts]
    orders = select(OrderLine.order_id).where(OrderLine.contract_id.in_(ids))
    return list(
        session.scalars(
            select(PurchaseOrder)
            .where(PurchaseOrder.id.in_(orders))
            .order_by(PurchaseOrder.placed_at, PurchaseOrder.id)
        )
    )


def is_open_shortage(alert: Alert) -> bool:
    return alert.kind == AlertKind.SHORTAGE and alert.status == AlertStatus.OPEN


def list_shortage_risk_product(
    session: Session, *, product_id: int, now: datetime, actor: Actor
) -> ShortageListEntry:
    """Put a product on the shortage-risk list (regulator): its manufacturer reports monthly
    from the month it was listed in, with or without an award in force. Listing it again
    returns the entry."""
    actor.require(OrgKind.REGULATOR, action="list shortage-risk products")
    if session.get(Product, product_id) is None:
        raise ShortageReportNotValid(errors={"product_id": [N_("no such product")]})
    entry = session.scalars(
        select(ShortageListEntry).where(ShortageListEntry.product_id == product_id)
    ).one_or_none()
    if entry is None:
        entry = ShortageListEntry(product_id=product_id, added_at=now, added_by_org_id=actor.org_id)
        session.add(entry)
        session.flush()
        record(
            session,
            action="compliance.shortage_listed",
            subject_type="product",
            subject_id=product_id,
            now=now,
            actor=actor,
        )
        session.commit()
    return entry


def shortage_risk_products(session: Session, *, actor: Actor) -> list[ShortageListEntry]:
    """The shortage-risk list (every organization may read it)."""
    actor.require(write=False, action="see the shortage-risk list")
    return list(session.scalars(select(ShortageListEntry).order_by(ShortageListEntry.id)))
