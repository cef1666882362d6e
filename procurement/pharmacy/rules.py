"""The pharmacy rules (RULES.md 12), pure: how many generic names a store or a chain signs up
for, the markup it may add to the winning price, a product's VBP price per package and the
stock status the public finder shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from procurement.core.money import round_amount

LOW_STOCK_PACKS = 5  # the finder shows "low" at this many packages on hand or fewer


@dataclass(frozen=True)
class PharmacyRules:
    """``min_generic_names_store`` / ``min_generic_names_chain``: the fewest generic names of
    the list a single store / a chain signs up for (Hunan: 50 / 60). ``pharmacy_markup``: the
    most a pharmacy may add to the winning price, as a ratio (platform default 0: it sells at
    the winning price). A tender's frozen rules may override them under ``"pharmacy"``."""

    min_generic_names_store: int = 50
    min_generic_names_chain: int = 60
    pharmacy_markup: Decimal = Decimal("0")

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any] | None) -> PharmacyRules:
        raw = (snapshot or {}).get("pharmacy") or {}
        base = cls()
        return cls(
            min_generic_names_store=int(
                raw.get("min_generic_names_store", base.min_generic_names_store)
            ),
            min_generic_names_chain=int(
                raw.get("min_generic_names_chain", base.min_generic_names_chain)
            ),
            pharmacy_markup=Decimal(str(raw.get("pharmacy_markup", base.pharmacy_markup))),
        )

    def minimum(self, chain: bool) -> int:
        return self.min_generic_names_chain if chain else self.min_generic_names_store

    def price_cap(self, vbp_pack_price: Decimal) -> Decimal:
        """The most a pharmacy may charge a package: winning price x (1 + markup), to the fen."""
        return round_amount(vbp_pack_price * (1 + self.pharmacy_markup))


def vbp_pack_price(unit_price: Decimal, pack_size: int) -> Decimal:
    """The VBP price of one package: the winning price per smallest unit x units, to the fen."""
    return round_amount(unit_price * pack_size)


class PlaceKind(StrEnum):
    """What a place in the finder is: a pharmacy store (its own price, at most the cap) or a
    primary care clinic (a community health centre, township hospital or village clinic: it
    sells at the winning price, zero markup)."""

    PHARMACY = "pharmacy"
    CLINIC = "clinic"


class StockStatus(StrEnum):
    IN_STOCK = "in_stock"
    LOW = "low"
    OUT = "out"


def stock_status(on_hand: int, low: int = LOW_STOCK_PACKS) -> StockStatus:
    if on_hand <= 0:
        return StockStatus.OUT
    return StockStatus.LOW if on_hand <= low else StockStatus.IN_STOCK
