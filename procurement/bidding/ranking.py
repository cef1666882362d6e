"""Normalization (RULES.md 1) and per-lot ranking of opened bids. Pure: no Flask, no SQLAlchemy.

``unit_price = price_per_pack / pack_size`` (4 places half up: prices are quoted per smallest
unit); ``comparable = unit_price / factor ** log2(strength / reference_strength)`` (4 places,
award.rules.comparable_unit_price). Ranking: valid bids by comparable price ascending; ties go to
the larger capacity, then the earlier submission, then the lower bid id (deterministic).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from procurement.catalog.rules import comparable_unit_price
from procurement.core.money import round_unit_price


@dataclass(frozen=True)
class Prices:
    unit_price: Decimal
    comparable_price: Decimal


def normalize(
    price_per_pack: Decimal,
    pack_size: int,
    strength: Decimal,
    reference_strength: Decimal,
    factor: Decimal,
) -> Prices:
    """The unit price of a pack and its comparable unit price at the reference strength."""
    if pack_size < 1:
        raise ValueError("pack_size must be at least 1")
    unit = round_unit_price(price_per_pack / Decimal(pack_size))
    return Prices(unit, comparable_unit_price(unit, strength, reference_strength, factor))


@dataclass(frozen=True)
class Rankable:
    bid_id: int
    comparable_price: Decimal
    capacity: int
    submitted_at: datetime


def rank(bids: Iterable[Rankable]) -> dict[int, int]:
    """Rank (1 = best) of each valid bid of one lot, by bid id."""
    ordered = sorted(
        bids, key=lambda b: (b.comparable_price, -b.capacity, b.submitted_at, b.bid_id)
    )
    return {b.bid_id: position for position, b in enumerate(ordered, start=1)}
