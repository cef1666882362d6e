"""Hospitals' demand reports (报量): submit and revise until the deadline, upload, read;
the regulator's totals by lot and province, and its confirmation (what the award uses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind, province_of
from procurement.catalog.errors import (
    DemandClosed,
    DemandNotConfirmable,
    DemandReportNotFound,
    DemandReportNotValid,
    OutsideRegionScope,
)
from procurement.catalog.lifecycle import BEFORE_AWARD, TenderStatus
from procurement.catalog.models import DemandReport, DemandRevision, Lot, Tender
from procurement.catalog.services.common import (
    raise_table_error,
    require_owner,
    table_failure,
    visible_tender,
)
from procurement.catalog.tabular import CellError, CellParser, TableError, read_table
from procurement.core.messages import N_, Message

DEMAND_COLUMNS = ("lot_code", "quantity", "last_year_usage")


@dataclass(frozen=True)
class DemandLine:
    lot_code: str
    quantity: int
    last_year_usage: int


def _open_for(session: Session, tender_id: int, actor: Actor, now: datetime) -> Tender:
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
) -> list[DemandReport]:
    """Submit or revise the acting hospital's quantities for some lots (all or nothing)."""
    tender = _open_for(session, tender_id, actor, now)
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
            value = line.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors[f"rows.{index}.{key}"] = [N_("a whole number of smallest units, 0 or more")]
        parsed.append(DemandLine(code, line.get("quantity"), line.get("last_year_usage")))
    if not lines:
        errors["rows"] = [N_("send at least one row")]
    if errors:
        raise DemandReportNotValid(errors=errors)
    reports = _apply(session, tender, lots, parsed, now=now, actor=actor, source=source)
    session.commit()
    return reports


def import_demand(
    session: Session,
    *,
    tender_id: int,
    filename: str,
    content: bytes,
    now: datetime,
    actor: Actor,
) -> list[DemandReport]:
    """Upload the hospital's demand as CSV/XLSX (lot_code, quantity, last_year_usage)."""
    tender = _open_for(session, tender_id, actor, now)
    try:
        table = read_table(filename, content, required=DEMAND_COLUMNS)
    except TableError as exc:
        raise_table_error(exc, "demand")
    lots = {lot.code: lot for lot in tender.lots}
    parsed: list[DemandLine] = []
    errors: list[CellError] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        p = CellParser(number, cells)
        code = p.text("lot_code")
        if code and code not in lots:
            p.fail("lot_code", f"tender {tender.code} has no lot '{code}'")
        elif code in seen:
            p.fail("lot_code", f"lot '{code}' is already on row {seen[code]} (duplicate row)")
        seen.setdefault(code, number)
        quantity, usage = p.integer("quantity"), p.integer("last_year_usage")
        errors.extend(p.errors)
        if not p.errors:
            parsed.append(DemandLine(code, quantity, usage))  # type: ignore[arg-type]
    if errors:
        raise table_failure(errors, "demand")
    reports = _apply(session, tender, lots, parsed, now=now, actor=actor, source="upload")
    session.commit()
    return reports


def _apply(
    session: Session,
    tender: Tender,
    lots: dict[str, Lot],
    lines: list[DemandLine],
    *,
    now: datetime,
    actor: Actor,
    source: str,
) -> list[DemandReport]:
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
        report = existing.get(lot.id)
        if report is None:
            report = _new_report(tender, lot, line, now=now, actor=actor)
            session.add(report)
        elif (report.quantity, report.last_year_usage) == (line.quantity, line.last_year_usage):
            reports.append(report)
            continue
        else:
            report.quantity, report.last_year_usage = line.quantity, line.last_year_usage
            report.version += 1
            report.updated_at = now
        report.revisions.append(_revision(report, line, source=source, now=now, actor=actor))
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
    report: DemandReport, line: DemandLine, *, source: str, now: datetime, actor: Actor
) -> DemandRevision:
    """The revision recording a report's current version as submitted."""
    return DemandRevision(
        version=report.version,
        quantity=line.quantity,
        last_year_usage=line.last_year_usage,
        source=source,
        submitted_by_user_id=actor.user_id,
        submitted_at=now,
    )


def demand_query(session: Session, *, tender_id: int, actor: Actor) -> Select:
    """A select of a tender's demand reports the actor may see (a hospital its own, the
    tender's regulator all), joined to their lots."""
    tender = visible_tender(session, tender_id, actor)
    query = select(DemandReport).join(Lot).where(DemandReport.tender_id == tender.id)
    if actor.org_kind == OrgKind.HOSPITAL:
        return query.where(DemandReport.hospital_id == actor.org_id)
    require_owner(tender, actor, "see every hospital's demand")
    return query


def list_demand(session: Session, *, tender_id: int, actor: Actor) -> list[DemandReport]:
    """A hospital's own reports on a tender; every report for the tender's regulator."""
    query = demand_query(session, tender_id=tender_id, actor=actor)
    return list(session.scalars(query.order_by(Lot.code, DemandReport.hospital_id)))


def get_demand_report(session: Session, *, report_id: int, actor: Actor) -> DemandReport:
    """One report with its revisions: its hospital's, or the tender regulator's (else 404)."""
    actor.require(OrgKind.HOSPITAL, OrgKind.REGULATOR, write=False, action="see demand reports")
    report = session.get(DemandReport, report_id)
    tender = report.lot.tender if report is not None else None
    visible = report is not None and (
        report.hospital_id == actor.org_id
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
