"""The online procurement rate's one grouped query.

Online: the value accepted at receipt (``receipt_lines.accepted_amount``, contract and
off-contract lines alike) with ``accepted_at`` inside the months. Off-platform: the amounts
buyers reported for those months (``off_platform_purchases``, one row per buyer, lot and
month). The rate is online / (online + off-platform), per group; every buyer kind counts (a
hospital, a primary care institution, a medical community, a pharmacy). A buyer's county is its
6-digit region code, its city the first 4 digits + "00", its province the first 2 + "0000"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String, func, literal, select, union_all
from sqlalchemy.orm import Session

from procurement.auth.models import InstitutionType, Organization, OrgKind
from procurement.compliance.progress.queries import buyer_type_ids
from procurement.compliance.rules import share
from procurement.core.clock import day_start
from procurement.core.money import stored_amount
from procurement.orders.models import OffPlatformPurchase, ReceiptLine

LEVELS = ("institution", "county", "city", "province")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RateFilters:
    month_from: date  # first day of the first month
    month_to: date  # first day of the last month (inclusive)
    level: str = "institution"
    institution_type: str | None = None
    region_code: str | None = None  # a province, city or county: its buyers
    buyer_ids: tuple[int, ...] | None = None  # a buyer's own (a community's: its members')


@dataclass
class RateRow:
    key: str  # the organization id, or the region code
    online: Decimal
    off_platform: Decimal
    buyers: int
    name: str = ""  # an institution's
    institution_type: InstitutionType | None = None  # an institution's
    region_code: str = ""  # an institution's county, or the group's code

    @property
    def total(self) -> Decimal:
        return self.online + self.off_platform

    @property
    def rate(self) -> Decimal | None:
        """online / (online + off-platform), 4 places; None when nothing was bought."""
        return share(self.online, self.total)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _level_key(level: str) -> Any:
    code = Organization.region_code
    return {
        "institution": func.cast(Organization.id, String(20)),
        "county": code,
        "city": func.substr(code, 1, 4) + "00",
        "province": func.substr(code, 1, 2) + "0000",
    }[level]


def _region_match(region: str) -> Any:
    """A region code's buyers: a province (..0000) by its 2 digits, a city (..00) by 4."""
    if region.endswith("0000"):
        return func.substr(Organization.region_code, 1, 2) == region[:2]
    if region.endswith("00"):
        return func.substr(Organization.region_code, 1, 4) == region[:4]
    return Organization.region_code == region


def rates(session: Session, filters: RateFilters) -> list[RateRow]:
    """One row per group with purchases on or off the platform in the months."""
    money = Numeric(18, 2)
    start, end = filters.month_from, _next_month(filters.month_to)
    online = (
        select(
            ReceiptLine.hospital_id.label("buyer"),
            func.sum(ReceiptLine.accepted_amount).label("online"),
            literal(ZERO, money).label("off"),
        )
        .where(
            ReceiptLine.accepted_at >= day_start(start), ReceiptLine.accepted_at < day_start(end)
        )
        .group_by(ReceiptLine.hospital_id)
    )
    off = (
        select(
            OffPlatformPurchase.hospital_id,
            literal(ZERO, money),
            func.sum(OffPlatformPurchase.amount),
        )
        .where(OffPlatformPurchase.month >= start, OffPlatformPurchase.month < end)
        .group_by(OffPlatformPurchase.hospital_id)
    )
    flows = union_all(online, off).subquery()
    key = _level_key(filters.level).label("key")
    query = (
        select(
            key,
            func.sum(flows.c.online),
            func.sum(flows.c.off),
            func.count(func.distinct(flows.c.buyer)),
        )
        .join(Organization, Organization.id == flows.c.buyer)
        .where(Organization.kind == OrgKind.HOSPITAL)
        .group_by(key)
        .order_by(key)
    )
    if filters.institution_type:
        query = query.where(Organization.id.in_(buyer_type_ids(filters.institution_type)))
    if filters.region_code:
        query = query.where(_region_match(filters.region_code))
    if filters.buyer_ids is not None:
        query = query.where(Organization.id.in_(filters.buyer_ids))
    rows = [
        RateRow(str(k), stored_amount(on or 0), stored_amount(of or 0), int(n))
        for k, on, of, n in session.execute(query)
    ]
    rows = [row for row in rows if row.total]
    if filters.level == "institution":
        _name_institutions(session, rows)
    else:
        for row in rows:
            row.region_code = row.key
    return rows


def _name_institutions(session: Session, rows: list[RateRow]) -> None:
    ids = [int(row.key) for row in rows]
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    for row in rows:
        org = orgs[int(row.key)]
        row.name, row.institution_type, row.region_code = org.name, org.buyer_type, org.region_code
