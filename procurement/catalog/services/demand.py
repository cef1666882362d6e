"""Hospitals' demand reports (报量): submit and revise until the deadline, upload, read;
the regulator's totals by lot and province, and its confirmation (what the award uses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind, province_of
from procurement.auth.services.scope import acting_for, buyer_clause
from procurement.catalog.errors import (
    DemandClosed,
    DemandNotConfirmable,
    DemandReportNotFound,
    DemandReportNotValid,
    OutsideRegionScope,
)
from procurement.catalog.floor import Floor
from procurement.catalog.lifecycle import BEFORE_AWARD, TenderStatus
from procurement.catalog.models import (
    DemandBrandLine,
    DemandReport,
    DemandRevision,
    Lot,
    Product,
    Tender,
)
from procurement.catalog.services.brands import BrandInput, Problems, check_brand_lines
from procurement.catalog.services.common import (
    require_owner,
    visible_tender,
)
from procurement.catalog.services.demand_floor import check_floors
from procurement.catalog.services.tenders import rules_of
from procurement.core.messages import N_, Message

DEMAND_COLUMNS = ("lot_code", "quantity", "last_year_usage")
# Brand lines one report may carry, and the length of a reason for a report below the floor.
MAX_BRAND_LINES = 50
MAX_FLOOR_REASON_CHARS = 2000


@dataclass(frozen=True)
class DemandLine:
    """One lot's report as sent. ``key`` is the field its quantity's errors are given under
    ("rows.0.quantity" from the API and page, "row 3: quantity" from an upload)."""

    lot_code: str
    quantity: int
    last_year_usage: int
    brands: tuple[BrandInput, ...] = ()
    floor_reason: str | None = None
    key: str = ""


def open_for(session: Session, tender_id: int, actor: Actor, now: datetime) -> Tender:
    """The tender, if this hospital may report on it now."""
    actor.require(OrgKind.HOSPITAL, action="report demand")
    tender = visible_tender(session, tender_id, actor)
    if not tender.in_scope(actor.region_code):
        raise OutsideRegionScope(
            region_code=actor.region_code,
            tender_code=tender.code,
            scope=", ".join(tender.region_scope),
        )
    if tender.status != TenderStatus.DEMAND_OPEN or now >= tender.demand_deadline:
        raise DemandClosed(
            tender_code=tender.code,
            current_status=tender.status.value,
            deadline=tender.demand_deadline.isoformat(),
        )
    return tender


def submit_demand(
    session: Session,
    *,
    tender_id: int,
    lines: list[dict[str, Any]],
    now: datetime,
    actor: Actor,
    source: str = "api",
    buyer_id: int | None = None,
) -> list[DemandReport]:
    """Submit or revise the acting hospital's quantities for some lots (all or nothing): each
    row's ``quantity``, ``last_year_usage``, optional ``brand_lines`` (``product_id`` or
    ``approval_number``, ``quantity``) and ``floor_reason`` (RULES.md 10). A county medical
    community reports for its member ``buyer_id`` (RULES.md 12)."""
    actor.require(OrgKind.HOSPITAL, action="report demand")
    actor = acting_for(session, actor, buyer_id)
    tender = open_for(session, tender_id, actor, now)
    lots = {lot.code: lot for lot in tender.lots}
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    parsed = []
    for index, line in enumerate(lines):
        code = line.get("lot_code")
        if code not in lots:
            errors[f"rows.{index}.lot_code"] = [
                Message(
                    "tender {tender_code} has no lot '{code}'", tender_code=tender.code, code=code
                )
            ]
        elif code in seen:
            errors[f"rows.{index}.lot_code"] = [Message("lot '{code}' is given twice", code=code)]
        seen.add(code)
        for key in ("quantity", "last_year_usage"):
            if not _count(line.get(key)):
                errors[f"rows.{index}.{key}"] = [N_("a whole number of smallest units, 0 or more")]
        parsed.append(_line(index, line, errors))
    if not lines:
        errors["rows"] = [N_("send at least one row")]
    if errors:
        raise DemandReportNotValid(errors=errors)
    reports = apply_lines(session, tender, lots, parsed, now=now, actor=actor, source=source)
    session.commit()
    return reports


def _count(value: Any, minimum: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _line(index: int, line: dict[str, Any], errors: dict[str, list[str]]) -> DemandLine:
    """One API/page row as a DemandLine; field errors of its brand lines and reason collected."""
    code, brands = line.get("lot_code"), []
    items = line.get("brand_lines") or []
    if len(items) > MAX_BRAND_LINES:
        errors[f"rows.{index}.brand_lines"] = [
            Message("at most {maximum} brand lines", maximum=MAX_BRAND_LINES)
        ]
        items = []
    for number, item in enumerate(items):
        key = f"rows.{index}.brand_lines.{number}"
        if not _count(item.get("quantity"), 1):
            errors[f"{key}.quantity"] = [N_("a whole number of smallest units, 1 or more")]
        product_id, approval = item.get("product_id"), (item.get("approval_number") or "").strip()
        if not _count(product_id, 1) and not approval:
            errors[f"{key}.product"] = [N_("name the product (its approval number)")]
        brands.append(
            BrandInput(
                where=f"{code} #{number + 1}",
                key=f"{key}.product",
                quantity=item.get("quantity"),
                product_id=product_id if _count(product_id, 1) else None,
                approval_number=approval or None,
            )
        )
    reason = (line.get("floor_reason") or "").strip() or None
    if reason is not None and len(reason) > MAX_FLOOR_REASON_CHARS:
        errors[f"rows.{index}.floor_reason"] = [
            Message("at most {maximum} characters", maximum=MAX_FLOOR_REASON_CHARS)
        ]
    return DemandLine(
        code,
        line.get("quantity"),
        line.get("last_year_usage"),
        tuple(brands),
        reason,
        key=f"rows.{index}.quantity",
    )


def apply_lines(
    session: Session,
    tender: Tender,
    lots: dict[str, Lot],
    lines: list[DemandLine],
    *,
    now: datetime,
    actor: Actor,
    source: str,
) -> list[DemandReport]:
    """Check the brand lines and the demand floor of every line (refused as a whole), then save
    the reports that changed, each with a new revision."""
    problems = Problems()
    brands = check_brand_lines(
        session,
        tender,
        enabled=rules_of(tender).demand.brand_reporting,
        lines=[(lots[x.lot_code], x.quantity, x.key, x.brands) for x in lines],
        problems=problems,
    )
    floors = check_floors(
        session,
        tender,
        hospital_id=actor.org_id,
        lines=[
            (lots[x.lot_code], x.quantity, x.last_year_usage, x.floor_reason, x.key) for x in lines
        ],
        problems=problems,
    )
    problems.raise_any()
    existing = {
        r.lot_id: r
        for r in session.scalars(
            select(DemandReport).where(
                DemandReport.tender_id == tender.id, DemandReport.hospital_id == actor.org_id
            )
        )
    }
    reports, changed = [], []
    for line in lines:
        lot = lots[line.lot_code]
        named, floor = brands.get(lot.id, []), floors.get(lot.id)
        reason = line.floor_reason if floor else None
        report = existing.get(lot.id)
        if report is None:
            report = _new_report(tender, lot, line, now=now, actor=actor)
            session.add(report)
        elif _same(report, line, named, reason):
            reports.append(report)
            continue
        else:
            report.quantity, report.last_year_usage = line.quantity, line.last_year_usage
            report.version += 1
            report.updated_at = now
        _set_brands(report, lot, named)
        _set_floor(report, floor, reason)
        report.revisions.append(_revision(report, named, source=source, now=now, actor=actor))
        reports.append(report)
        changed.append({"lot": lot.code, "quantity": line.quantity, "version": report.version})
    session.flush()
    record(
        session,
        action="demand.submitted",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={"source": source, "changed": changed},
    )
    return reports


def _same(
    report: DemandReport, line: DemandLine, named: list[tuple[Product, int]], reason: str | None
) -> bool:
    """Whether a line repeats the report as saved (no new version then)."""
    return (
        (report.quantity, report.last_year_usage) == (line.quantity, line.last_year_usage)
        and sorted((b.product_id, b.quantity) for b in report.brand_lines)
        == sorted((p.id, q) for p, q in named)
        and report.floor_reason == reason
    )


def _set_brands(report: DemandReport, lot: Lot, named: list[tuple[Product, int]]) -> None:
    """The report's brand lines become ``named``: kept lines updated in place (the unique
    product per report holds at every flush), others removed, new ones added."""
    wanted = {product.id: quantity for product, quantity in named}
    for line in list(report.brand_lines):
        if line.product_id in wanted:
            line.quantity = wanted.pop(line.product_id)
        else:
            report.brand_lines.remove(line)
    for product, _quantity in named:
        if product.id in wanted:
            report.brand_lines.append(
                DemandBrandLine(
                    lot_id=lot.id,
                    hospital_id=report.hospital_id,
                    product=product,
                    product_id=product.id,
                    quantity=wanted[product.id],
                )
            )


def _set_floor(report: DemandReport, floor: Floor | None, reason: str | None) -> None:
    """A report saved below its floor keeps the floor and the reason, unconfirmed again."""
    report.floor_quantity = floor.quantity if floor else None
    report.floor_source = floor.source if floor else None
    report.floor_reason = reason
    report.floor_confirmed_at = report.floor_confirmed_by_user_id = None


def _new_report(
    tender: Tender, lot: Lot, line: DemandLine, *, now: datetime, actor: Actor
) -> DemandReport:
    """The hospital's first report of a lot's demand (version 1)."""
    return DemandReport(
        tender_id=tender.id,
        lot_id=lot.id,
        hospital_id=actor.org_id,
        province_code=province_of(actor.region_code),
        quantity=line.quantity,
        last_year_usage=line.last_year_usage,
        submitted_at=now,
        updated_at=now,
        version=1,
    )


def _revision(
    report: DemandReport,
    named: list[tuple[Product, int]],
    *,
    source: str,
    now: datetime,
    actor: Actor,
) -> DemandRevision:
    """The revision recording a report's current version as submitted, brand lines included."""
    return DemandRevision(
        version=report.version,
        quantity=report.quantity,
        last_year_usage=report.last_year_usage,
        source=source,
        brand_lines=[
            {"product_id": p.id, "approval_number": p.approval_number, "quantity": q}
            for p, q in named
        ],
        floor_reason=report.floor_reason,
        submitted_by_user_id=actor.user_id,
        submitted_at=now,
    )


def demand_query(session: Session, *, tender_id: int, actor: Actor) -> Select:
    """A select of a tender's demand reports the actor may see (a hospital its own, the
    tender's regulator all), joined to their lots."""
    tender = visible_tender(session, tender_id, actor)
    query = select(DemandReport).join(Lot).where(DemandReport.tender_id == tender.id)
    if actor.org_kind == OrgKind.HOSPITAL:
        return query.where(buyer_clause(DemandReport.hospital_id, actor))
    require_owner(tender, actor, "see every hospital's demand")
    return query


def list_demand(session: Session, *, tender_id: int, actor: Actor) -> list[DemandReport]:
    """A hospital's own reports on a tender; every report for the tender's regulator."""
    query = demand_query(session, tender_id=tender_id, actor=actor)
    lines = selectinload(DemandReport.brand_lines).selectinload(DemandBrandLine.product)
    query = query.options(lines).order_by(Lot.code, DemandReport.hospital_id)
    return list(session.scalars(query))


def get_demand_report(session: Session, *, report_id: int, actor: Actor) -> DemandReport:
    """One report with its revisions: its hospital's, or the tender regulator's (else 404)."""
    actor.require(OrgKind.HOSPITAL, OrgKind.REGULATOR, write=False, action="see demand reports")
    report = session.get(DemandReport, report_id)
    tender = report.lot.tender if report is not None else None
    visible = report is not None and (
        (actor.org_kind == OrgKind.HOSPITAL and actor.acts_for(report.hospital_id))
        or (actor.org_kind == OrgKind.REGULATOR and tender.created_by_org_id == actor.org_id)
    )
    if not visible:
        raise DemandReportNotFound(report_id=report_id)
    return report


def check_confirmable(tender: Tender, now: datetime) -> None:
    if tender.status not in BEFORE_AWARD or now < tender.demand_deadline:
        raise DemandNotConfirmable(
            tender_code=tender.code,
            deadline=tender.demand_deadline.isoformat(),
            current_status=tender.status.value,
        )
