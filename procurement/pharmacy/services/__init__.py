"""The pharmacy area's use cases (one module per concern)."""

from procurement.pharmacy.services import freshness  # noqa: F401  (the finder follows stock)
from procurement.pharmacy.services.clinics import refresh_all, refresh_clinics
from procurement.pharmacy.services.enrolling import Offer, WinningProduct, offer, sign_up
from procurement.pharmacy.services.finder import Found, districts, refresh_entries, search
from procurement.pharmacy.services.selling import (
    MAX_NAME_FILTER,
    SaleResult,
    StockRow,
    sell_by_codes,
    sell_by_quantity,
    set_price,
    stock,
)
from procurement.pharmacy.services.watch import Finding, StoreView, findings, overview

__all__ = [
    "MAX_NAME_FILTER",
    "Finding",
    "Found",
    "Offer",
    "SaleResult",
    "StockRow",
    "StoreView",
    "WinningProduct",
    "districts",
    "findings",
    "offer",
    "overview",
    "refresh_all",
    "refresh_clinics",
    "refresh_entries",
    "search",
    "sell_by_codes",
    "sell_by_quantity",
    "set_price",
    "sign_up",
    "stock",
]
