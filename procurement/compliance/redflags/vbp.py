"""Red flags specific to volume-based procurement, from the opened bids themselves. Pure.

- Identical unit prices to four places across lots (by the same or different bidders): a price
  repeated on several lots of one tender is a sign of prices agreed, or copied, rather than
  costed.
- The same bidders opting in to revival (复活) lot after lot: losers who count on being revived
  at the winners' price together, on every lot, are a sign of a shared plan.

Bids within a related-bidder group are a third VBP flag, left for the groups model."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from procurement.compliance.redflags.flags import Flag, FlagCode
from procurement.core.messages import N_, Message
from procurement.core.money import fixed, round_unit_price

__all__ = ["REVIVAL_REPEAT_MIN_LOTS", "SAME_PRICE_MIN_LOTS", "OpenedBid", "vbp_flags"]

SAME_PRICE_MIN_LOTS = 2  # a unit price on at least this many lots is flagged
REVIVAL_REPEAT_MIN_LOTS = 2  # two bidders opting in together on at least this many lots
UNIT_PRICE_PLACES = 4

SAME_PRICE = N_(
    "The same unit price {price} yuan (to four places) was quoted on lots {lots} by {bidders}."
)
REVIVAL = N_("{bidders} opted in to revival together on lots {lots}, lot after lot.")


@dataclass(frozen=True)
class OpenedBid:
    """An opened, live bid: its lot, bidder, unit price (None if void) and revival opt-in."""

    lot: str
    bidder: int
    unit_price: Decimal | None
    revival_opt_in: bool


def _names(bidders: Iterable[int], names: Mapping[int, str]) -> str:
    return ", ".join(names[b] for b in sorted(bidders))


def same_price_flags(bids: list[OpenedBid], names: Mapping[int, str]) -> list[Flag]:
    by_price: dict[Decimal, list[OpenedBid]] = defaultdict(list)
    for bid in bids:
        if bid.unit_price is not None:
            by_price[round_unit_price(bid.unit_price)].append(bid)
    out = []
    for price, group in sorted(by_price.items()):
        lots = sorted({b.lot for b in group})
        if len(lots) < SAME_PRICE_MIN_LOTS:
            continue
        bidders = sorted({b.bidder for b in group})
        reason = Message(
            SAME_PRICE,
            price=fixed(price, UNIT_PRICE_PLACES),
            lots=", ".join(lots),
            bidders=_names(bidders, names),
        )
        out.append(Flag(FlagCode.SAME_PRICE, tuple(lots), tuple(bidders), price, reason))
    return out


def revival_flags(bids: list[OpenedBid], names: Mapping[int, str]) -> list[Flag]:
    lots_of: dict[int, set[str]] = defaultdict(set)
    for bid in bids:
        if bid.revival_opt_in:
            lots_of[bid.bidder].add(bid.lot)
    out = []
    for a, b in combinations(sorted(lots_of), 2):
        shared = sorted(lots_of[a] & lots_of[b])
        if len(shared) >= REVIVAL_REPEAT_MIN_LOTS:
            reason = Message(REVIVAL, bidders=_names((a, b), names), lots=", ".join(shared))
            out.append(Flag(FlagCode.REVIVAL, tuple(shared), (a, b), len(shared), reason))
    return out


def vbp_flags(bids: list[OpenedBid], names: Mapping[int, str]) -> list[Flag]:
    return same_price_flags(bids, names) + revival_flags(bids, names)
