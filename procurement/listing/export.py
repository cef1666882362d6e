"""The active listings as CSV and XLSX (what a regulator hands on): one row per listing, prices
per smallest unit exactly as stored (4 places) and per pack."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from procurement.listing.models import Listing
from procurement.listing.presenting import region_text
from procurement.web.tabular_export import XLSX_MIMETYPE, csv_bytes, xlsx_bytes

__all__ = ["HEADER", "XLSX_MIMETYPE", "listings_csv", "listings_xlsx"]

HEADER = (
    "listing_id",
    "generic_name",
    "trade_name",
    "manufacturer",
    "approval_number",
    "dosage_form",
    "strength",
    "pack_size",
    "smallest_unit",
    "region_code",
    "region",
    "unit_price",
    "pack_price",
    "currency",
    "listed_at",
)


def _row(x: Listing, unit_label: Callable[[Any], str]) -> list[Any]:
    p = x.product
    return [
        x.id,
        p.generic_name,
        p.trade_name,
        x.manufacturer.name,
        p.approval_number,
        p.dosage_form,
        f"{p.strength.normalize():f} {p.strength_unit}",
        p.pack_size,
        unit_label(p.smallest_unit),
        x.region_code or "",
        region_text(x.region_code),
        x.unit_price,
        x.unit_price * p.pack_size,
        x.currency,
        x.listed_at.isoformat(),
    ]


def listings_csv(listings: Iterable[Listing], unit_label: Callable[[Any], str] = str) -> bytes:
    return csv_bytes([HEADER, *(_row(x, unit_label) for x in listings)])


def listings_xlsx(listings: Iterable[Listing], unit_label: Callable[[Any], str] = str) -> bytes:
    return xlsx_bytes([("listings", [HEADER, *(_row(x, unit_label) for x in listings)])])
