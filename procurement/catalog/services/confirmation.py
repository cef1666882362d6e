"""The regulator's view of demand: totals by lot and by province, and their confirmation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.errors import DemandAdjustmentsNotValid, DemandNotConfirmed, UnknownLots
from procurement.catalog.models import (
    DemandBrandLine,
    DemandConfirmation,
    DemandReport,
    Lot,
    Product,
    Tender,
)
from procurement.catalog.services.common import require_owner, visible_tender
from procurement.catalog.services.demand import check_confirmable, list_demand
from procurement.catalog.services.demand_floor import check_floor_confirmed
from procurement.core.messages import N_, Message
from procurement.core.money import round_ratio


@dataclass
class RegionTotal:
    lot_code: str
    province_code: str
    hospitals: int
    quantity: int
    confirmed_quantity: int | None


@dataclass
class LotTotal:
    lot_id: int
    lot_code: str
    generic_name: str
    smallest_unit: str
    hospitals: int
    quantity: int
    last_year_usage: int
    confirmed_quantity: int | None
    confirmed_at: datetime | None
    brand_quantity: int = 0  # named by product (RULES.md 10)
    below_floor: int = 0  # reports saved below the demand floor with a reason
    below_floor_pending: int = 0  # ... whose reason the regulator has not confirmed yet

    @property
    def brand_share(self) -> Decimal | None:
        """The brand-named part of the reported quantity (None when nothing is reported)."""
        return round_ratio(Decimal(self.brand_quantity) / self.quantity) if self.quantity else None


@dataclass
class DemandTotals:
    tender_id: int
    lots: list[LotTotal] = field(default_factory=list)
    regions: list[RegionTotal] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return bool(self.lots) and all(t.confirmed_at is not None for t in self.lots)


def demand_view(session: Session, *, tender_id: int, actor: Actor) -> dict[str, Any]:
    """Reports the actor may see, with the totals for the tender's regulator."""
    reports = list_demand(session, tender_id=tender_id, actor=actor)
    totals = None
    if actor.org_kind == OrgKind.REGULATOR:
        totals = demand_totals(session, tender_id=tender_id, actor=actor)
    return {"reports": reports, "totals": totals}


def demand_totals(session: Session, *, tender_id: int, actor: Actor) -> DemandTotals:
    """Reported (and confirmed) totals per lot and per lot x province (the tender's regulator)."""
    tender = visible_tender(session, tender_id, actor)
    require_owner(tender, actor, "see demand totals")
    totals = DemandTotals(tender_id=tender.id)
    sums = {
        row.lot_id: row
        for row in session.execute(
            select(
                DemandReport.lot_id,
                func.count(DemandReport.id).label("hospitals"),
                func.coalesce(func.sum(DemandReport.quantity), 0).label("quantity"),
                func.coalesce(func.sum(DemandReport.last_year_usage), 0).label("usage"),
            )
            .where(DemandReport.tender_id == tender.id)
            .group_by(DemandReport.lot_id)
        )
    }
    brands, low = _brand_totals(session, tender), _low_reports(session, tender)
    for lot in tender.lots:
        row, conf = sums.get(lot.id), lot.confirmation
        totals.lots.append(
            LotTotal(
                lot_id=lot.id,
                lot_code=lot.code,
                generic_name=lot.generic_name,
                smallest_unit=lot.smallest_unit.value,
                hospitals=row.hospitals if row else 0,
                quantity=int(row.quantity) if row else 0,
                last_year_usage=int(row.usage) if row else 0,
                confirmed_quantity=conf.total_confirmed if conf else None,
                confirmed_at=conf.confirmed_at if conf else None,
                brand_quantity=int(brands.get(lot.id, 0)),
                below_floor=low.get(lot.id, (0, 0))[0],
                below_floor_pending=low.get(lot.id, (0, 0))[1],
            )
        )
    totals.regions = _region_totals(session, tender)
    return totals


def _brand_totals(session: Session, tender: Tender) -> dict[int, int]:
    """The brand-named quantity of each lot, by lot id."""
    return dict(
        session.execute(
            select(DemandBrandLine.lot_id, func.sum(DemandBrandLine.quantity))
            .join(Lot, Lot.id == DemandBrandLine.lot_id)
            .where(Lot.tender_id == tender.id)
            .group_by(DemandBrandLine.lot_id)
        ).all()
    )


def _low_reports(session: Session, tender: Tender) -> dict[int, tuple[int, int]]:
    """Reports below the demand floor (with a reason) and those not confirmed yet, by lot id."""
    pending = case((DemandReport.floor_confirmed_at.is_(None), 1), else_=0)
    rows = session.execute(
        select(DemandReport.lot_id, func.count(DemandReport.id), func.sum(pending))
        .where(DemandReport.tender_id == tender.id, DemandReport.floor_reason.is_not(None))
        .group_by(DemandReport.lot_id)
    )
    return {lot_id: (int(count), int(waiting or 0)) for lot_id, count, waiting in rows}


def _region_totals(session: Session, tender: Tender) -> list[RegionTotal]:
    query = (
        select(
            Lot.code,
            Lot.id,
            DemandReport.province_code,
            func.count(DemandReport.id),
            func.sum(DemandReport.quantity),
            func.sum(DemandReport.confirmed_quantity),
        )
        .join(Lot, Lot.id == DemandReport.lot_id)
        .where(DemandReport.tender_id == tender.id)
        .group_by(Lot.code, Lot.id, DemandReport.province_code)
        .order_by(Lot.code, DemandReport.province_code)
    )
    confirmed_lots = set(
        session.scalars(
            select(DemandConfirmation.lot_id).where(DemandConfirmation.tender_id == tender.id)
        )
    )
    return [
        RegionTotal(
            lot_code=code,
            province_code=province,
            hospitals=count,
            quantity=int(quantity or 0),
            confirmed_quantity=int(confirmed or 0) if lot_id in confirmed_lots else None,
        )
        for code, lot_id, province, count, quantity, confirmed in session.execute(query)
    ]


def _check_adjustments(
    adjustments: list[dict[str, Any]], reports: dict[int, DemandReport]
) -> dict[int, int]:
    errors: dict[str, list[str]] = {}
    adjusted: dict[int, int] = {}
    for index, item in enumerate(adjustments):
        report_id, quantity = item.get("report_id"), item.get("confirmed_quantity")
        if report_id not in reports:
            errors[f"adjustments.{index}.report_id"] = [N_("no report with this id in these lots")]
        elif report_id in adjusted:
            errors[f"adjustments.{index}.report_id"] = [N_("adjusted twice")]
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            errors[f"adjustments.{index}.confirmed_quantity"] = [N_("a whole number, 0 or more")]
        elif report_id in reports:
            adjusted[report_id] = quantity
    if errors:
        raise DemandAdjustmentsNotValid(errors=errors)
    return adjusted


def confirm_demand(
    session: Session,
    *,
    tender_id: int,
    lot_codes: list[str] | None = None,
    adjustments: list[dict[str, Any]] | None = None,
    now: datetime,
    actor: Actor,
) -> DemandTotals:
    """Confirm lots' demand after the deadline: confirmed = reported unless adjusted.

    May be repeated until the award (a later confirmation replaces the earlier one)."""
    tender = visible_tender(session, tender_id, actor, lock=True)
    require_owner(tender, actor, "confirm demand")
    check_confirmable(tender, now)
    lots = _selected_lots(tender, lot_codes)
    check_floor_confirmed(session, tender, [lot.id for lot in lots])
    reports = {
        r.id: r
        for r in session.scalars(
            select(DemandReport).where(DemandReport.lot_id.in_([lot.id for lot in lots]))
        )
    }
    adjusted = _check_adjustments(adjustments or [], reports)
    for report in reports.values():
        report.confirmed_quantity = adjusted.get(report.id, report.quantity)
    for lot in lots:
        mine = [r for r in reports.values() if r.lot_id == lot.id]
        conf = lot.confirmation or DemandConfirmation(tender_id=tender.id, lot=lot)
        conf.total_reported = sum(r.quantity for r in mine)
        conf.total_confirmed = sum(r.confirmed_quantity or 0 for r in mine)
        conf.hospitals = len(mine)
        conf.confirmed_by_org_id, conf.confirmed_by_user_id = actor.org_id, actor.user_id
        conf.confirmed_at = now
        session.add(conf)
    record(
        session,
        action="demand.confirmed",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={"lots": [lot.code for lot in lots], "adjusted": adjusted},
    )
    session.commit()
    return demand_totals(session, tender_id=tender.id, actor=actor)


def _selected_lots(tender: Tender, lot_codes: list[str] | None) -> list[Lot]:
    by_code = {lot.code: lot for lot in tender.lots}
    if not lot_codes:
        return list(by_code.values())
    unknown = [c for c in lot_codes if c not in by_code]
    if unknown:
        raise UnknownLots(
            errors={"lots": [Message("unknown lot code(s): {value}", value=", ".join(unknown))]},
            tender_code=tender.code,
            lots=", ".join(unknown),
        )
    return [by_code[c] for c in dict.fromkeys(lot_codes)]


@dataclass(frozen=True)
class ConfirmedDemand:
    hospital_id: int
    province_code: str
    quantity: int


def confirmed_demand(session: Session, *, lot_id: int) -> list[ConfirmedDemand]:
    """The confirmed demand of a lot per hospital, for the award (no authorization: the
    calling service has checked it). Conflict if the regulator has not confirmed the lot."""
    lot = session.get(Lot, lot_id)
    if lot is None or lot.confirmation is None:
        raise DemandNotConfirmed(lot_id=lot_id)
    reports = session.scalars(
        select(DemandReport).where(DemandReport.lot_id == lot_id).order_by(DemandReport.hospital_id)
    )
    return [
        ConfirmedDemand(r.hospital_id, r.province_code, r.confirmed_quantity or 0) for r in reports
    ]


@dataclass(frozen=True)
class BrandPart:
    """A part of a hospital's demand named by product (RULES.md 10), as reported, with the
    report's whole quantity and confirmed quantity (the award scales the part by them)."""

    hospital_id: int
    product_id: int
    manufacturer_id: int
    quantity: int
    report_quantity: int
    confirmed_quantity: int


def brand_parts(session: Session, *, lot_id: int) -> list[BrandPart]:
    """Every brand part of a lot's demand, by hospital then product (no authorization: the
    calling service has checked it)."""
    rows = session.execute(
        select(
            DemandBrandLine.hospital_id,
            DemandBrandLine.product_id,
            Product.manufacturer_id,
            DemandBrandLine.quantity,
            DemandReport.quantity,
            DemandReport.confirmed_quantity,
        )
        .join(DemandReport, DemandReport.id == DemandBrandLine.report_id)
        .join(Product, Product.id == DemandBrandLine.product_id)
        .where(DemandBrandLine.lot_id == lot_id)
        .order_by(DemandBrandLine.hospital_id, DemandBrandLine.product_id)
    )
    return [
        BrandPart(hospital, product, maker, quantity, reported, confirmed or 0)
        for hospital, product, maker, quantity, reported, confirmed in rows
    ]
