"""What price monitoring reads: accepted deliveries (receipt lines with an accepted quantity)
joined to their order line (product, lot) and order (buyer, province), summed in SQL per
institution, per product and month, or per lot, product, province and institution. Python
sees grouped rows only, whatever the number of deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.catalog.models import Product
from procurement.compliance.prices.calc import Bought, MonthSum, Paid
from procurement.core.clock import day_start
from procurement.orders.models import OrderLine, PurchaseOrder, ReceiptLine


@dataclass(frozen=True)
class Period:
    """Business months ``first`` to ``last`` (``YYYY-MM``), as UTC instants [start, end)."""

    first: str
    last: str
    months: list[str]

    @property
    def start(self) -> datetime:
        return day_start(_first_day(self.first))

    @property
    def end(self) -> datetime:
        return day_start(_next_month(_first_day(self.last)))


def _first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _accepted(start: datetime, end: datetime, province: str | None):
    """The receipt lines accepted in [start, end) joined to their order line and order."""
    rl, ol, po = ReceiptLine, OrderLine, PurchaseOrder
    query = (
        select()
        .select_from(rl)
        .join(ol, ol.id == rl.order_line_id)
        .join(po, po.id == ol.order_id)
        .where(rl.accepted_quantity > 0, rl.accepted_at >= start, rl.accepted_at < end)
    )
    if province:
        query = query.where(po.province_code == province)
    return query


def products_bought(session: Session, period: Period, province: str | None) -> list[tuple]:
    """(product, institutions, quantity, amount, lowest and highest unit price) per product
    bought in the period, by generic name, dosage form and id."""
    rl, ol = ReceiptLine, OrderLine
    sums = (
        _accepted(period.start, period.end, province)
        .add_columns(
            ol.product_id.label("product_id"),
            func.count(func.distinct(rl.hospital_id)).label("institutions"),
            func.sum(rl.accepted_quantity).label("quantity"),
            func.sum(rl.accepted_amount).label("amount"),
            func.min(rl.unit_price).label("lowest"),
            func.max(rl.unit_price).label("highest"),
        )
        .group_by(ol.product_id)
        .subquery()
    )
    rows = session.execute(
        select(Product, sums.c.institutions, sums.c.quantity, sums.c.amount)
        .add_columns(sums.c.lowest, sums.c.highest)
        .join(sums, sums.c.product_id == Product.id)
        .order_by(Product.generic_name, Product.dosage_form, Product.id)
    )
    return [tuple(row) for row in rows]


def paid_for_product(
    session: Session, product_id: int, period: Period, province: str | None
) -> list[Paid]:
    """What each institution paid for the product in the period, per institution and province."""
    rl, ol, po = ReceiptLine, OrderLine, PurchaseOrder
    rows = session.execute(
        _accepted(period.start, period.end, province)
        .add_columns(
            rl.hospital_id,
            po.province_code,
            func.sum(rl.accepted_quantity),
            func.sum(rl.accepted_amount),
            func.min(rl.unit_price),
            func.max(rl.unit_price),
            func.count(),
        )
        .where(ol.product_id == product_id)
        .group_by(rl.hospital_id, po.province_code)
    )
    return [
        Paid(org, region, int(q), amount, low, high, int(n))
        for org, region, q, amount, low, high, n in rows
    ]


def month_sums(
    session: Session, product_ids: list[int], period: Period, province: str | None
) -> list[MonthSum]:
    """(product, business month) -> accepted quantity and amount."""
    rl, ol = ReceiptLine, OrderLine
    month = _month_of(rl.accepted_at, period)
    rows = session.execute(
        _accepted(period.start, period.end, province)
        .add_columns(
            ol.product_id, month, func.sum(rl.accepted_quantity), func.sum(rl.accepted_amount)
        )
        .where(ol.product_id.in_(product_ids))
        .group_by(ol.product_id, month)
    )
    return [MonthSum(p, m, int(q), a) for p, m, q, a in rows if m is not None]


def _month_of(column, period: Period):
    """The business month of a UTC instant, by plain comparisons with each month's first
    instant (the same SQL on every database, no per-row function call)."""
    whens, day = [], _first_day(period.first)
    for month in period.months:
        day = _next_month(day)
        whens.append((column < day_start(day), month))
    return case(*whens, else_=None)


def bought_in_window(
    session: Session, lot_ids: list[int], start: datetime, end: datetime
) -> list[Bought]:
    """Per lot, product, province and institution: the accepted quantity and amount in
    [start, end), for the outliers."""
    rl, ol, po = ReceiptLine, OrderLine, PurchaseOrder
    rows = session.execute(
        _accepted(start, end, None)
        .add_columns(
            ol.lot_id,
            ol.product_id,
            po.province_code,
            rl.hospital_id,
            func.sum(rl.accepted_quantity),
            func.sum(rl.accepted_amount),
        )
        .where(ol.lot_id.in_(lot_ids))
        .group_by(ol.lot_id, ol.product_id, po.province_code, rl.hospital_id)
    )
    return [Bought(lot, p, region, org, int(q), a) for lot, p, region, org, q, a in rows]


def lots_bought(session: Session, start: datetime, end: datetime) -> list[int]:
    """The lots with accepted deliveries in [start, end)."""
    ol = OrderLine
    query = _accepted(start, end, None).add_columns(ol.lot_id).distinct().order_by(ol.lot_id)
    return list(session.scalars(query))


def names(session: Session, ids: set[int]) -> dict[int, Organization]:
    if not ids:
        return {}
    rows = session.scalars(select(Organization).where(Organization.id.in_(ids)))
    return {org.id: org for org in rows}


def products(session: Session, ids: set[int]) -> dict[int, Product]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}


def group_products(session: Session, generic_name: str, dosage_form: str) -> list[Product]:
    """Every product (specification) of a generic name and dosage form."""
    return list(
        session.scalars(
            select(Product)
            .where(Product.generic_name == generic_name, Product.dosage_form == dosage_form)
            .order_by(Product.strength, Product.pack_size, Product.id)
        )
    )
