"""The demand floor of hospitals' reports (RULES.md 10, ``rules.demand``): check a report
against it, show it on the hospital's page, and the regulator's confirmation of a report saved
below it with a reason (floor_mode "reason")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.errors import (
    DemandBelowFloor,
    DemandFloorNotConfirmed,
    DemandReportNotFound,
    FloorConfirmationNotNeeded,
)
from procurement.catalog.floor import PLATFORM, Floor, demand_floor
from procurement.catalog.models import DemandReport, Lot, Tender
from procurement.catalog.rules import DemandRules
from procurement.catalog.services.brands import Problems
from procurement.catalog.services.common import require_owner, visible_tender
from procurement.catalog.services.tenders import rules_of
from procurement.catalog.services.usage import platform_usage
from procurement.core.messages import N_, Message

SOURCES = {PLATFORM: N_("platform purchases"), "reported": N_("the reported last-year usage")}


def _floor(rules: DemandRules, bought: int, last_year_usage: int) -> Floor:
    return demand_floor(
        share=rules.floor_share,
        years=rules.floor_years,
        platform_usage=bought,
        last_year_usage=last_year_usage,
    )


def check_floors(
    session: Session,
    tender: Tender,
    *,
    hospital_id: int,
    lines: Iterable[tuple[Lot, int, int, str | None, str]],
    problems: Problems,
) -> dict[int, Floor]:
    """The floors that reports below them (with a reason, floor_mode "reason") are saved with,
    by lot id; reports below the floor otherwise are collected as problems.

    ``lines`` are ``(lot, quantity, last_year_usage, reason, the quantity's error key)``."""
    rules = rules_of(tender).demand
    lines = list(lines)
    if rules.floor_mode == "off" or not lines:
        return {}
    bought = platform_usage(
        session,
        tender=tender,
        lots=[line[0] for line in lines],
        hospital_id=hospital_id,
        years=rules.floor_years,
    )
    below: dict[int, Floor] = {}
    for lot, quantity, usage, reason, key in lines:
        floor = _floor(rules, bought[lot.id], usage)
        if floor.met_by(quantity):
            continue
        if rules.floor_mode == "reason" and reason:
            below[lot.id] = floor
            continue
        _below(problems, rules, lot, quantity, floor, key)
    return below


def _below(
    problems: Problems, rules: DemandRules, lot: Lot, quantity: int, floor: Floor, key: str
) -> None:
    what = (
        N_("Report at least the floor, or give a reason for the regulator to confirm.")
        if rules.floor_mode == "reason"
        else N_("Report at least the floor.")
    )
    problems.add(
        DemandBelowFloor,
        key,
        Message(
            "at least {floor} ({share} of the average annual usage {average}, from {source})",
            floor=floor.quantity,
            share=_percent(floor),
            average=_plain(floor),
            source=Message(SOURCES[floor.source]),
        ),
        lot_code=lot.code,
        quantity=quantity,
        floor=floor.quantity,
        share=_percent(floor),
        average=_plain(floor),
        source=Message(SOURCES[floor.source]),
        what_to_do=Message(what),
    )


def _percent(floor: Floor) -> str:
    return f"{format(floor.share * 100, 'f').rstrip('0').rstrip('.')} %"


def _plain(floor: Floor) -> str:
    text = format(floor.average, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def demand_floors(session: Session, *, tender_id: int, actor: Actor) -> dict[int, Floor]:
    """The floor of each lot the acting hospital has bought on the platform or has reported, by
    lot id (for its demand page); empty when the tender has no floor."""
    actor.require(OrgKind.HOSPITAL, write=False, action="see demand floors")
    tender = visible_tender(session, tender_id, actor)
    rules = rules_of(tender).demand
    if rules.floor_mode == "off":
        return {}
    bought = platform_usage(
        session, tender=tender, lots=tender.lots, hospital_id=actor.org_id, years=rules.floor_years
    )
    reported = dict(
        session.execute(
            select(DemandReport.lot_id, DemandReport.last_year_usage).where(
                DemandReport.tender_id == tender.id, DemandReport.hospital_id == actor.org_id
            )
        ).all()
    )
    return {
        lot.id: _floor(rules, bought[lot.id], reported.get(lot.id, 0))
        for lot in tender.lots
        if bought[lot.id] or lot.id in reported
    }


def confirm_low_report(
    session: Session, *, report_id: int, now: datetime, actor: Actor
) -> DemandReport:
    """The tender's regulator accepts the reason of a report below its demand floor."""
    report = session.get(DemandReport, report_id)
    if report is None:
        raise DemandReportNotFound(report_id=report_id)
    tender = visible_tender(session, report.tender_id, actor, lock=True)
    require_owner(tender, actor, "confirm a report below the demand floor")
    if report.floor_reason is None:
        raise FloorConfirmationNotNeeded(report_id=report_id)
    report.floor_confirmed_at, report.floor_confirmed_by_user_id = now, actor.user_id
    record(
        session,
        action="demand.floor_confirmed",
        subject_type="demand_report",
        subject_id=report.id,
        now=now,
        actor=actor,
        payload={"quantity": report.quantity, "floor": report.floor_quantity},
    )
    session.commit()
    return report


def check_floor_confirmed(session: Session, tender: Tender, lot_ids: list[int]) -> None:
    """Conflict if a report of these lots is below the floor and its reason not confirmed."""
    pending = session.scalars(
        select(Lot.code)
        .join(DemandReport, DemandReport.lot_id == Lot.id)
        .where(
            DemandReport.lot_id.in_(lot_ids),
            DemandReport.floor_reason.is_not(None),
            DemandReport.floor_confirmed_at.is_(None),
        )
        .distinct()
        .order_by(Lot.code)
    ).all()
    if pending:
        raise DemandFloorNotConfirmed(tender_code=tender.code, lots=", ".join(pending))
