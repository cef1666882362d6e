"""Red flags specific to volume-based procurement, from the opened bids themselves. Pure.

- Identical unit prices to four places across lots (by the same or different bidders): a price
  repeated on several lots of one tender is a sign of prices agreed, or copied, rather than
  costed.
- The same bidders opting in to revival (复活) lot after lot: losers who count on being revived
  at the winners' price together, on every lot, are a sign of a shared plan.
- Bids within a related-bidder group (RULES.md 1 and 10): two or more manufacturers under common
  control bidding on one lot. The selection counts them as one bidder and lets one bid stand;
  the flag tells the regulator the group tried to bid more than once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from procurement.compliance.redflags.flags import Flag, FlagCode
from procurement.core.messages import N_, Message
from procurement.core.money import fixed, round_unit_price

__all__ = [
    "REVIVAL_REPEAT_MIN_LOTS",
    "SAME_PRICE_MIN_LOTS",
    "OpenedBid",
    "RelatedGroup",
    "vbp_flags",
]

SAME_PRICE_MIN_LOTS = 2  # a unit price on at least this many lots is flagged
REVIVAL_REPEAT_MIN_LOTS = 2  # two bidders opting in together on at least this many lots
UNIT_PRICE_PLACES = 4

SAME_PRICE = N_(
    "The same unit price {price} yuan (to four places) was quoted on lots {lots} by {bidders}."
)
REVIVAL = N_("{bidders} opted in to revival together on lots {lots}, lot after lot.")
RELATED = N_(
    "Lot {lot}: {bidders} of the related-bidder group {group} each bid on the lot; "
    "related bidders count as one bidder."
)


@dataclass(frozen=True)
class OpenedBid:
    """An opened, live bid: its lot, bidder, unit price (None if void) and revival opt-in."""

    lot: str
    bidder: int
    unit_price: Decimal | None
    revival_opt_in: bool


@dataclass(frozen=True)
class RelatedGroup:
    """A related-bidder group: its name and its members' manufacturer ids."""

    name: str
    members: frozenset[int]


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


def related_group_flags(
    bids: list[OpenedBid], groups: Iterable[RelatedGroup], names: Mapping[int, str]
) -> list[Flag]:
    """One flag per lot and group where two or more of the group's members bid (void bids
    included: a void bid was still submitted)."""
    bidders_on: dict[str, set[int]] = defaultdict(set)
    for bid in bids:
        bidders_on[bid.lot].add(bid.bidder)
    out = []
    for group in sorted(groups, key=lambda g: g.name):
        for lot in sorted(bidders_on):
            inside = sorted(bidders_on[lot] & group.members)
            if len(inside) >= 2:
                reason = Message(RELATED, lot=lot, bidders=_names(inside, names), group=group.name)
                out.append(Flag(FlagCode.RELATED_GROUP, (lot,), tuple(inside), len(inside), reason))
    return out


def vbp_flags(
    bids: list[OpenedBid], names: Mapping[int, str], groups: Iterable[RelatedGroup] = ()
) -> list[Flag]:
    return (
        same_price_flags(bids, names)
        + revival_flags(bids, names)
        + related_group_flags(bids, groups, names)
    )
