"""A hospital's purchases on the platform per generic name, for the demand floor (RULES.md 10).

The catalog sits upstream of orders (STYLE.md 2) and may not import ``orders.models``; this read
names the two columns it needs of ``receipt_lines`` and ``order_lines`` as lightweight
``table()`` constructs instead. tests/service/catalog/test_demand_floor.py checks them against
the orders models and computes a floor from real receipts."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from procurement.catalog.floor import usage_window
from procurement.catalog.models import Lot, Product, Tender
from procurement.core.clock import day_start
from procurement.db import UtcDateTime

RECEIPT_LINES = table(
    "receipt_lines",
    column("order_line_id"),
    column("hospital_id"),
    column("accepted_quantity"),
    column("accepted_at", UtcDateTime()),
)
ORDER_LINES = table("order_lines", column("id"), column("product_id"))


def platform_usage(
    session: Session, *, tender: Tender, lots: Iterable[Lot], hospital_id: int, years: int
) -> dict[int, int]:
    """Accepted quantities (smallest units) the hospital bought of each lot's generic name and
    smallest unit in the ``years`` whole years before the tender's contract start, by lot id."""
    lots = list(lots)
    first, last = usage_window(tender.contract_start, years)
    rows = session.execute(
        select(
            Product.generic_name,
            Product.smallest_unit,
            func.sum(RECEIPT_LINES.c.accepted_quantity),
        )
        .select_from(RECEIPT_LINES)
        .join(ORDER_LINES, ORDER_LINES.c.id == RECEIPT_LINES.c.order_line_id)
        .join(Product, Product.id == ORDER_LINES.c.product_id)
        .where(
            RECEIPT_LINES.c.hospital_id == hospital_id,
            RECEIPT_LINES.c.accepted_at >= day_start(first),
            RECEIPT_LINES.c.accepted_at < day_start(last),
            Product.generic_name.in_({lot.generic_name for lot in lots}),
        )
        .group_by(Product.generic_name, Product.smallest_unit)
    )
    bought = {(name, unit): int(total or 0) for name, unit, total in rows}
    return {lot.id: bought.get((lot.generic_name, lot.smallest_unit), 0) for lot in lots}
