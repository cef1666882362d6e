"""What shortage monitoring reads: who owes a monthly report (winners with a contract in force
in the month, manufacturers of listed shortage-risk products), which reports came, each lot's
daily demand per county from the running contracts, the products' latest reported stock, and
the orders unfilled past their deadline per lot and county. Set-based selects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.catalog.models import Product
from procurement.compliance.shortage import rules as r
from procurement.compliance.shortage.models import ShortageListEntry, ShortageReport
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date, day_start
from procurement.orders.models import OrderLine, OrderStatus, PurchaseOrder

WAITING = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED)


@dataclass(frozen=True)
class Duty:
    """A manufacturer owes a report of ``product`` for ``period`` (``lot``: a lot it won with
    it, None for a listed product without one)."""

    manufacturer_id: int
    product_id: int
    period: str
    lot_id: int | None


def duties(session: Session, periods: list[str], manufacturer_id: int | None = None) -> list[Duty]:
    """Every report owed for ``periods``: a contract in force (active or since ended) for some
    day of the month, or the product on the shortage-risk list before the month ended."""
    out: dict[tuple[int, int, str], Duty] = {}
    for period in periods:
        start, end = r.period_start(period), r.period_end(period)
        c = Contract
        won = select(c.manufacturer_id, c.product_id, func.min(c.lot_id)).where(
            c.status.in_((ContractStatus.ACTIVE, ContractStatus.ENDED)),
            c.period_start <= end,
            c.period_end >= start,
        )
        listed = (
            select(Product.manufacturer_id, Product.id)
            .join(ShortageListEntry, ShortageListEntry.product_id == Product.id)
            .where(ShortageListEntry.added_at < day_start(end + timedelta(days=1)))
        )
        if manufacturer_id is not None:
            won = won.where(c.manufacturer_id == manufacturer_id)
            listed = listed.where(Product.manufacturer_id == manufacturer_id)
        for maker, product, lot in session.execute(won.group_by(c.manufacturer_id, c.product_id)):
            out[(maker, product, period)] = Duty(maker, product, period, lot)
        for maker, product in session.execute(listed):
            out.setdefault((maker, product, period), Duty(maker, product, period, None))
    return [out[k] for k in sorted(out, key=lambda k: (k[2], k[0], k[1]))]


def reported(session: Session, items: list[Duty]) -> set[tuple[int, int, str]]:
    """Of ``items``, the (manufacturer, product, period) whose report came."""
    if not items:
        return set()
    keys = {(d.manufacturer_id, d.product_id, d.period) for d in items}
    sr = ShortageReport
    rows = session.execute(
        select(sr.manufacturer_id, sr.product_id, sr.period).where(
            sr.period.in_(sorted({k[2] for k in keys})),
            sr.manufacturer_id.in_(sorted({k[0] for k in keys})),
        )
    )
    return {tuple(row) for row in rows} & keys  # type: ignore[misc]


@dataclass(frozen=True)
class CountyDemand:
    lot_id: int
    tender_id: int
    contract_year: int
    product_id: int
    manufacturer_id: int
    county: str
    daily: Decimal


def county_demand(session: Session, now: datetime) -> list[CountyDemand]:
    """Per lot, product and buyer county: the daily demand of the contracts running today (the
    agreed volume over the days of the contract year)."""
    today = business_date(now)
    c, org = Contract, Organization
    rows = session.execute(
        select(
            c.lot_id,
            c.tender_id,
            c.contract_year,
            c.product_id,
            c.manufacturer_id,
            org.region_code,
            c.period_start,
            c.period_end,
            func.sum(c.agreed_volume),
        )
        .join(org, org.id == c.hospital_id)
        .where(c.status == ContractStatus.ACTIVE, c.period_start <= today, c.period_end >= today)
        .group_by(
            c.lot_id,
            c.tender_id,
            c.contract_year,
            c.product_id,
            c.manufacturer_id,
            org.region_code,
            c.period_start,
            c.period_end,
        )
    )
    out = []
    for lot, tender, year, product, maker, county, start, end, agreed in rows:
        days = (end - start).days + 1
        out.append(
            CountyDemand(
                lot, tender, year, product, maker, county, r.daily_demand(int(agreed or 0), days)
            )
        )
    return out


def latest_stock(session: Session, product_ids: set[int]) -> dict[int, tuple[str, int]]:
    """Each product's latest report: (period, stock on hand)."""
    if not product_ids:
        return {}
    sr = ShortageReport
    latest = (
        select(sr.product_id, func.max(sr.period).label("period"))
        .where(sr.product_id.in_(sorted(product_ids)))
        .group_by(sr.product_id)
        .subquery()
    )
    rows = session.execute(
        select(sr.product_id, sr.period, func.sum(sr.stock))
        .where(tuple_(sr.product_id, sr.period).in_(select(latest.c.product_id, latest.c.period)))
        .group_by(sr.product_id, sr.period)
    )
    return {product: (period, int(stock)) for product, period, stock in rows}


def unfilled(session: Session, now: datetime) -> dict[tuple[int, str], datetime]:
    """(lot, buyer county) -> the oldest delivery deadline among orders placed or confirmed
    with quantity still unshipped past it."""
    po, ol = PurchaseOrder, OrderLine
    rows = session.execute(
        select(ol.lot_id, po.region_code, func.min(po.deliver_due_at))
        .join(po, po.id == ol.order_id)
        .where(po.status.in_(WAITING), ol.shipped_quantity < ol.quantity, po.deliver_due_at < now)
        .group_by(ol.lot_id, po.region_code)
    )
    return {(lot, county): due for lot, county, due in rows}


def regions_of(session: Session, org_ids: set[int]) -> dict[int, str]:
    if not org_ids:
        return {}
    rows = session.execute(
        select(Organization.id, Organization.region_code).where(Organization.id.in_(org_ids))
    )
    return {i: code for i, code in rows}


def product_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Product.id, Product.generic_name, Product.dosage_form).where(Product.id.in_(ids))
    )
    return {i: f"{name} {form}" for i, name, form in rows}


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days
