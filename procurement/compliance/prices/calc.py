"""Price monitoring (价格监测, RULES.md 13): what institutions paid, the monthly price index and
the outliers. Pure: the figures come in as grouped sums, nothing here reads a database or the
clock.

What a purchase is. An accepted delivery: a receipt line's accepted quantity (in the product's
smallest units) and its accepted amount (``line_total`` of the order line's unit price, the
money the institution owes for it), dated by the business month of its acceptance, placed in
the buyer's province (the order's ``province_code``). Rejected quantities, goods not yet
received and off-platform purchase reports (an amount per lot, not per product: no price of a
product) do not count.

Average unit price. ``amount / quantity`` over the purchases looked at, rounded half up to the
4 places of a unit price (``core.money.round_unit_price``): what the institution paid per
smallest unit.

Price index (per generic name and dosage form, one figure per month). A fixed-basket
(Laspeyres) index over the products (specifications) of the group, with the base month's
quantities as weights, the base month = 100::

    I(m) = 100 x sum_p q(p, b) x P(p, m) / sum_p q(p, b) x P(p, b)

where ``b`` is the base month (the first month of the period with purchases of the group),
``P(p, m) = amount(p, m) / quantity(p, m)`` is product ``p``'s average unit price in month
``m`` (unrounded), ``q(p, b)`` its quantity in the base month, and the sums run over the
products bought both in ``b`` and in ``m``. Fixed weights make the index move with prices, not
with a change of mix between strengths (a 10 mg tablet costs more than a 5 mg one). ``I(b)`` is
100; a month where no product of the base month was bought has no index (None). Rounded half up
to 2 places. The month's plain average unit price over all its products (``amount /
quantity``) is shown beside it.

Outliers. In one province, for one product bought under one lot (one tender's rules), each
institution's average unit price over the window is compared with the lowest average unit
price any institution of that province paid for it: above ``lowest x (1 + margin)``
(``price_outlier_margin``, default 0.30) it is an outlier. The excess is
``paid / lowest - 1`` rounded half up to 4 places."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from procurement.core.money import round_places, round_ratio, round_unit_price

HUNDRED = Decimal(100)
INDEX_PLACES = 2


def average_price(amount: Decimal, quantity: int) -> Decimal | None:
    """Amount paid per smallest unit, 4 places; None without a quantity."""
    if quantity <= 0:
        return None
    return round_unit_price(amount / quantity)


def months_between(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last``, both included."""
    out, (y, m) = [], (int(first[:4]), int(first[5:7]))
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def spec(product: Any) -> str:
    """A product's specification as printed: ``5mg x 28`` (strength, units per pack)."""
    return f"{product.strength.normalize():f}{product.strength_unit} x {product.pack_size}"


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


# --- what each institution paid --------------------------------------------------------------


@dataclass(frozen=True)
class Paid:
    """One institution's purchases of one product (in one region), summed."""

    institution_id: int
    region: str
    quantity: int
    amount: Decimal
    lowest: Decimal  # the lowest unit price of its lines
    highest: Decimal
    lines: int

    @property
    def average(self) -> Decimal | None:
        return average_price(self.amount, self.quantity)


# --- the monthly price index -----------------------------------------------------------------


@dataclass(frozen=True)
class MonthSum:
    """One product's purchases of one month: ``(product, month) -> quantity, amount``."""

    product_id: int
    month: str
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class IndexPoint:
    month: str
    quantity: int  # all products of the group
    amount: Decimal
    average: Decimal | None  # amount / quantity, 4 places
    index: Decimal | None  # base month = 100, 2 places
    products: int  # products compared with the base month

    @property
    def bought(self) -> bool:
        return self.quantity > 0


@dataclass(frozen=True)
class PriceIndex:
    base: str | None  # the base month; None: nothing bought in the period
    points: list[IndexPoint] = field(default_factory=list)


def price_index(sums: list[MonthSum], months: list[str], base: str | None = None) -> PriceIndex:
    """The index of one generic name and dosage form over ``months`` (see the module's
    docstring); ``base`` defaults to the first of ``months`` with purchases."""
    by_month: dict[str, dict[int, tuple[int, Decimal]]] = defaultdict(dict)
    for s in sums:
        if s.quantity > 0 and s.month in months:
            q, a = by_month[s.month].get(s.product_id, (0, Decimal(0)))
            by_month[s.month][s.product_id] = (q + s.quantity, a + s.amount)
    if base is None:
        base = next((m for m in months if by_month.get(m)), None)
    basket = by_month.get(base, {}) if base else {}
    points = []
    for month in months:
        bought = by_month.get(month, {})
        quantity = sum(q for q, _ in bought.values())
        amount = sum((a for _, a in bought.values()), Decimal(0))
        common = sorted(set(basket) & set(bought))
        index = None
        if common:
            now_cost = sum(basket[p][0] * bought[p][1] / bought[p][0] for p in common)
            base_cost = sum(basket[p][1] for p in common)
            if base_cost > 0:
                index = round_places(HUNDRED * now_cost / base_cost, INDEX_PLACES)
        points.append(
            IndexPoint(month, quantity, amount, average_price(amount, quantity), index, len(common))
        )
    return PriceIndex(base, points)


# --- outliers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bought:
    """One institution's purchases of a product under a lot in a province, over the window."""

    lot_id: int
    product_id: int
    region: str
    institution_id: int
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class Outlier:
    lot_id: int
    product_id: int
    region: str
    institution_id: int
    paid: Decimal  # its average unit price
    quantity: int
    amount: Decimal
    lowest: Decimal  # the province's lowest average unit price for the product
    lowest_institution_id: int
    excess: Decimal  # paid / lowest - 1, 4 places
    margin: Decimal


def outlier_key(o: Outlier) -> str:
    """The alert's dedup key: one open alert per lot, product, province and institution."""
    return f"price_outlier:l{o.lot_id}:p{o.product_id}:r{o.region}:h{o.institution_id}"


def outliers(bought: list[Bought], margins: dict[int, Decimal]) -> list[Outlier]:
    """Institutions paying more than ``lowest x (1 + margin)`` (``margins``: lot -> the
    margin of its tender's rules), per lot, product and province; ordered by lot, product,
    province, then the largest excess first. Ties for the lowest: the smallest institution id
    names it."""
    groups: dict[tuple[int, int, str], list[tuple[Bought, Decimal]]] = defaultdict(list)
    for b in bought:
        paid = average_price(b.amount, b.quantity)
        if paid is not None:
            groups[(b.lot_id, b.product_id, b.region)].append((b, paid))
    found: list[Outlier] = []
    for (lot_id, product_id, region), rows in sorted(groups.items()):
        cheapest, lowest = min(rows, key=lambda r: (r[1], r[0].institution_id))
        margin = margins[lot_id]
        if lowest <= 0:
            continue
        limit = lowest * (1 + margin)
        over = [
            Outlier(
                lot_id,
                product_id,
                region,
                b.institution_id,
                paid,
                b.quantity,
                b.amount,
                lowest,
                cheapest.institution_id,
                round_ratio(paid / lowest - 1),
                margin,
            )
            for b, paid in rows
            if paid > limit
        ]
        found += sorted(over, key=lambda o: (-o.excess, o.institution_id))
    return found
