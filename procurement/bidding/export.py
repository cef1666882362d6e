"""CSV and XLSX tables of opened bids (the regulator's export)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from procurement.core.money import plain
from procurement.web.tabular_export import csv_bytes, xlsx_bytes

COLUMNS = (
    "lot_code",
    "generic_name",
    "bid_id",
    "manufacturer_code",
    "manufacturer_name",
    "approval_number",
    "strength",
    "pack_size",
    "price_per_pack",
    "unit_price",
    "comparable_price",
    "ceiling_unit_price",
    "capacity",
    "regions",
    "validity",
    "invalid_reason",
    "rank",
    "revival_opt_in",
    "submitted_at",
    "digest",
)


def bid_rows(bids: Iterable[Any]) -> list[list[Any]]:
    """One row per opened bid, in COLUMNS order (plain values: str, int, Decimal)."""
    return [
        [
            bid.lot.code,
            bid.lot.generic_name,
            bid.id,
            bid.manufacturer.code,
            bid.manufacturer.name,
            bid.product.approval_number,
            f"{plain(bid.product.strength)} {bid.product.strength_unit}",
            bid.product.pack_size,
            bid.price_per_pack,
            bid.unit_price,
            bid.comparable_price,
            bid.lot.ceiling_unit_price,
            bid.capacity,
            " ".join(bid.regions or []),
            bid.validity.value if bid.validity else "",
            bid.invalid_reason or "",
            bid.rank if bid.rank is not None else "",
            "yes" if bid.revival_opt_in else "no",
            bid.submitted_at.isoformat(),
            bid.digest,
        ]
        for bid in bids
    ]


def to_csv(rows: list[list[Any]], header: Sequence[str] = COLUMNS) -> bytes:
    """Prices as their exact text; user text (names, approval numbers) never a formula."""
    return csv_bytes([header, *rows])


def to_xlsx(rows: list[list[Any]], header: Sequence[str] = COLUMNS) -> bytes:
    """One "bids" sheet; prices as exact text cells, counts as numbers."""
    return xlsx_bytes([("bids", [header, *rows])])
