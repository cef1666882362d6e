"""Price monitoring (价格监测, RULES.md 13) for the regulator and the fund: the products bought,
what every institution paid for one product, the monthly price index of a generic name and
dosage form, and the outliers (formulas in ``prices/calc.py``). Computed on demand from the
accepted deliveries; nothing stored but the alerts the compliance check raises.

Who sees it: the regulator and the fund, every institution's prices (read-only). Hospitals,
other buyers, manufacturers and distributors are refused: what other institutions paid is not
theirs to see (their own purchases are on their orders and receipts)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import Organization, check_region_code, province_of
from procurement.catalog.errors import ProductNotFound
from procurement.catalog.models import Product
from procurement.compliance.alerts.models import Alert
from procurement.compliance.common_services import OVERSIGHT, lot_rules
from procurement.compliance.errors import PriceGroupNotFound, PriceMonthsNotValid
from procurement.compliance.prices import calc
from procurement.compliance.prices import queries as q
from procurement.core.clock import business_date, day_start
from procurement.core.messages import N_, Message

__all__ = [
    "MAX_MONTHS",
    "PERIOD_MONTHS",
    "Filters",
    "find_outliers",
    "price_index",
    "price_outliers",
    "product_prices",
    "products_bought",
]

ACTION = "see price monitoring"
PERIOD_MONTHS = 12  # the period shown when none is asked for: the last 12 business months
MAX_MONTHS = 36  # the longest period one request may ask for
MONTH = re.compile(r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$")  # years 1900-2999


@dataclass(frozen=True)
class Filters:
    region: str | None = None  # a region code; its province is looked at
    first: str | None = None  # YYYY-MM
    last: str | None = None


def period_of(filters: Filters, now: datetime) -> q.Period:
    """The months asked for (default: the last ``PERIOD_MONTHS`` up to this one); a bad month,
    a reversed or too long period is refused with the field named."""
    this = calc.month_of(business_date(now))
    last = filters.last or this
    first = filters.first or _shift(last, -(PERIOD_MONTHS - 1))
    errors: dict[str, list[str]] = {}
    for name, value in (("from", first), ("to", last)):
        if not MONTH.match(value):
            errors[name] = [N_("a month YYYY-MM")]
    if not errors and first > last:
        errors["from"] = [N_("after the last month")]
    if not errors and len(calc.months_between(first, last)) > MAX_MONTHS:
        errors["from"] = [
            Message(
                "more than {limit} months before the last ({name})",
                limit=MAX_MONTHS,
                name="MAX_MONTHS",
            )
        ]
    if errors:
        raise PriceMonthsNotValid(errors=errors, limit=MAX_MONTHS, name="MAX_MONTHS")
    return q.Period(first, last, calc.months_between(first, last))


def _shift(month: str, by: int) -> str:
    n = int(month[:4]) * 12 + int(month[5:7]) - 1 + by
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def _province(filters: Filters) -> str | None:
    if not filters.region:
        return None
    return province_of(check_region_code(filters.region, "region"))


@dataclass(frozen=True)
class ProductRow:
    product: Product
    institutions: int
    quantity: int
    amount: Decimal
    lowest: Decimal  # lowest and highest unit price of a delivery
    highest: Decimal

    @property
    def average(self) -> Decimal | None:
        return calc.average_price(self.amount, self.quantity)


@dataclass(frozen=True)
class Overview:
    period: q.Period
    province: str | None
    products: list[ProductRow]

    @property
    def groups(self) -> list[tuple[str, str]]:
        """(generic name, dosage form) of the products bought, in order."""
        seen: dict[tuple[str, str], None] = {}
        for row in self.products:
            seen[(row.product.generic_name, row.product.dosage_form)] = None
        return list(seen)


def products_bought(session: Session, *, filters: Filters, actor: Actor, now: datetime) -> Overview:
    """Every product bought in the period (in the province): institutions, quantity, amount,
    the lowest and highest unit price of a delivery."""
    actor.require(*OVERSIGHT, write=False, action=ACTION)
    period, province = period_of(filters, now), _province(filters)
    rows = [ProductRow(*row) for row in q.products_bought(session, period, province)]
    return Overview(period, province, rows)


@dataclass(frozen=True)
class InstitutionPaid:
    institution: Organization
    paid: calc.Paid
    lowest_in_region: Decimal  # the lowest average unit price of the province
    excess: Decimal  # average / lowest_in_region - 1

    @property
    def average(self) -> Decimal:
        return self.paid.average or Decimal(0)


@dataclass(frozen=True)
class ProductPrices:
    product: Product
    period: q.Period
    province: str | None
    rows: list[InstitutionPaid]  # province, then the highest average first

    @property
    def quantity(self) -> int:
        return sum(r.paid.quantity for r in self.rows)

    @property
    def amount(self) -> Decimal:
        return sum((r.paid.amount for r in self.rows), Decimal(0))

    @property
    def average(self) -> Decimal | None:
        return calc.average_price(self.amount, self.quantity)


def product_prices(
    session: Session, *, product_id: int, filters: Filters, actor: Actor, now: datetime
) -> ProductPrices:
    """What every institution paid for one product (specification) in the period: quantity,
    amount, average, lowest and highest unit price, and how far above its province's lowest
    average it paid."""
    actor.require(*OVERSIGHT, write=False, action=ACTION)
    period, province = period_of(filters, now), _province(filters)
    product = session.get(Product, product_id)
    if product is None:
        raise ProductNotFound(product_id=product_id)
    paid = q.paid_for_product(session, product_id, period, province)
    lowest: dict[str, Decimal] = {}
    for p in paid:
        if p.average is not None:
            lowest[p.region] = min(lowest.get(p.region, p.average), p.average)
    orgs = q.names(session, {p.institution_id for p in paid})
    rows = [
        InstitutionPaid(
            orgs[p.institution_id],
            p,
            lowest[p.region],
            calc.round_ratio(p.average / lowest[p.region] - 1) if lowest[p.region] else Decimal(0),
        )
        for p in paid
        if p.average is not None
    ]
    rows.sort(key=lambda r: (r.paid.region, -r.average, r.institution.name, r.institution.id))
    return ProductPrices(product, period, province, rows)


@dataclass(frozen=True)
class GroupIndex:
    generic_name: str
    dosage_form: str
    period: q.Period
    province: str | None
    products: list[Product]
    index: calc.PriceIndex


def price_index(
    session: Session,
    *,
    generic_name: str,
    dosage_form: str,
    filters: Filters,
    actor: Actor,
    now: datetime,
    base: str | None = None,
) -> GroupIndex:
    """The monthly price index of a generic name and dosage form over the period (base: the
    first month with purchases, or ``base`` when given and inside the period)."""
    actor.require(*OVERSIGHT, write=False, action=ACTION)
    period, province = period_of(filters, now), _province(filters)
    if base is not None and base not in period.months:
        raise PriceMonthsNotValid(
            errors={"base": [N_("a month of the period")]}, limit=MAX_MONTHS, name="MAX_MONTHS"
        )
    products = q.group_products(session, generic_name, dosage_form)
    if not products:
        raise PriceGroupNotFound(generic_name=generic_name, dosage_form=dosage_form)
    sums = q.month_sums(session, [p.id for p in products], period, province)
    index = calc.price_index(sums, period.months, base)
    return GroupIndex(generic_name, dosage_form, period, province, products, index)


@dataclass(frozen=True)
class Found:
    """An outlier with the names behind its ids."""

    outlier: calc.Outlier
    institution: Organization
    lowest_institution: Organization
    product: Product


def find_outliers(session: Session, now: datetime) -> list[Found]:
    """Every outlier of today: per lot, its tender's margin and window (RULES.md 13)."""
    today = business_date(now)
    end = day_start(today + timedelta(days=1))
    longest = day_start(today - timedelta(days=366))
    lots = q.lots_bought(session, longest, end)
    rules = lot_rules(session, set(lots))
    found: list[calc.Outlier] = []
    for days in sorted({r.price_window_days for r in rules.values()}):
        ids = [lot for lot in lots if rules[lot].price_window_days == days]
        start = day_start(today - timedelta(days=days - 1))
        bought = q.bought_in_window(session, ids, start, end)
        found += calc.outliers(bought, {lot: rules[lot].price_outlier_margin for lot in ids})
    orgs = q.names(
        session, {o.institution_id for o in found} | {o.lowest_institution_id for o in found}
    )
    products = q.products(session, {o.product_id for o in found})
    return [
        Found(o, orgs[o.institution_id], orgs[o.lowest_institution_id], products[o.product_id])
        for o in found
    ]


def open_alerts(session: Session, found: list[Found]) -> dict[str, int]:
    """The open price outlier alert of each outlier (dedup key -> alert id), for links."""
    keys = [calc.outlier_key(f.outlier) for f in found]
    if not keys:
        return {}
    rows = session.execute(select(Alert.open_key, Alert.id).where(Alert.open_key.in_(keys)))
    return {key: alert_id for key, alert_id in rows}


def price_outliers(
    session: Session, *, filters: Filters, actor: Actor, now: datetime
) -> list[Found]:
    """Today's outliers (in the province), the largest excess first."""
    actor.require(*OVERSIGHT, write=False, action=ACTION)
    province = _province(filters)
    found = [f for f in find_outliers(session, now) if province in (None, f.outlier.region)]
    found.sort(key=lambda f: (-f.outlier.excess, f.outlier.region, f.institution.id))
    return found
