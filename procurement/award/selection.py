"""Winner selection for one lot (RULES.md section 2). Pure: ids, ints and Decimals in and out.

Steps: N = every declared bidder whose product is eligible, a related-bidder group once; one
valid bid per group (its best-ranked, or the member it named); valid bids sorted by comparable
price (ties: larger capacity, then earlier submission); shortlist of `max_winners[N]`; anchor; a
shortlisted bid wins under `win_multiple x anchor`, under the dosage form's absolute floor, or
(cut rule) with a large enough price cut; opted-in valid losers are revived at the revival
price; no winner = failed lot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from procurement.catalog.rules import (
    RulesSet,
    SelectionRules,
    comparable_unit_price,
    price_cut,
    price_from_comparable,
)
from procurement.core.messages import N_, Message
from procurement.core.money import round_places, round_unit_price


class Outcome(StrEnum):
    WON = "won"
    REVIVED = "revived"
    LOST = "lost"
    INVALID = "invalid"


@dataclass(frozen=True)
class BidInput:
    """One declared bid. `unit_price=None` means void or missing (it still counts in N).

    `submitted_seq` orders submissions (smaller = earlier); `invalid_reason` marks a bid
    declared invalid for a reason other than its price (e.g. disqualified at opening);
    `counts_in_n` is False when its product was found ineligible at opening (RULES.md 2.2);
    `group_id` names the bidder's related-bidder group, if any (RULES.md 10)."""

    bid_id: str
    bidder_id: str
    unit_price: Decimal | None
    strength: Decimal
    capacity: int
    submitted_seq: int
    revival_opt_in: bool = False
    invalid_reason: str | None = None
    counts_in_n: bool = True
    group_id: str | None = None


@dataclass(frozen=True)
class GroupInput:
    """A related-bidder group with bids on the lot: its name, its members' names (for the
    reasons) and the member it named to bid on this lot, if any."""

    group_id: str
    name: str
    members: tuple[tuple[str, str], ...]  # (bidder_id, name)
    named_bidder_id: str | None = None

    def member_name(self, bidder_id: str) -> str:
        return dict(self.members).get(bidder_id, bidder_id)


@dataclass(frozen=True)
class LotBids:
    lot_id: str
    ceiling: Decimal
    reference_strength: Decimal
    dosage_form: str
    bids: tuple[BidInput, ...]
    groups: tuple[GroupInput, ...] = ()


@dataclass(frozen=True)
class BidOutcome:
    """What became of one bid. `award_price` is the unit price the winner will be paid (its own
    quote, or the revival price converted to its strength); `award_comparable_price` the same at
    the reference strength. `rank` is the position among valid bids (1 = cheapest)."""

    bid_id: str
    bidder_id: str
    outcome: Outcome
    reason: str
    comparable_price: Decimal | None = None
    price_cut: Decimal | None = None
    rank: int | None = None
    shortlisted: bool = False
    award_price: Decimal | None = None
    award_comparable_price: Decimal | None = None


@dataclass(frozen=True)
class SelectionResult:
    lot_id: str
    declared_count: int
    valid_count: int
    max_winners: int
    anchor: Decimal | None
    revival_price: Decimal | None
    failed: bool
    reason: str
    outcomes: tuple[BidOutcome, ...]

    @property
    def winners(self) -> tuple[BidOutcome, ...]:
        """Won and revived bids, cheapest comparable price first (revived after won)."""
        return tuple(o for o in self.outcomes if o.outcome in (Outcome.WON, Outcome.REVIVED))

    @property
    def winner_count(self) -> int:
        """Winners including revived ones (they count for the volume ratio)."""
        return len(self.winners)


@dataclass(frozen=True)
class _Ranked:
    bid: BidInput
    comparable: Decimal
    cut: Decimal
    rank: int


def _fmt(value: Decimal) -> str:
    return f"{value:.4f}"


def _invalid_reason(bid: BidInput, lot: LotBids, comparable: Decimal | None) -> str | None:
    if bid.invalid_reason:
        return bid.invalid_reason
    if bid.unit_price is None or comparable is None:
        return N_("no valid quote (void or missing); counted among declared bidders")
    if bid.unit_price <= 0:
        return N_("quote is not a positive price")
    if comparable > lot.ceiling:
        return Message(
            "comparable price {price} above the ceiling {ceiling}; counted among declared bidders",
            price=_fmt(comparable),
            ceiling=_fmt(lot.ceiling),
        )
    return None


def _rank_valid(lot: LotBids, rules: SelectionRules) -> tuple[list[_Ranked], dict[str, str]]:
    valid: list[tuple[BidInput, Decimal]] = []
    invalid: dict[str, str] = {}
    for bid in lot.bids:
        comparable = None
        if bid.unit_price is not None and bid.unit_price > 0:
            comparable = comparable_unit_price(
                bid.unit_price, bid.strength, lot.reference_strength, rules.price_ratio_factor
            )
        reason = _invalid_reason(bid, lot, comparable)
        if reason is None and comparable is not None:
            valid.append((bid, comparable))
        else:
            invalid[bid.bid_id] = reason or N_("invalid")
    valid.sort(key=lambda bc: (bc[1], -bc[0].capacity, bc[0].submitted_seq, bc[0].bid_id))
    ranked = [
        _Ranked(bid, comp, price_cut(comp, lot.ceiling), rank)
        for rank, (bid, comp) in enumerate(valid, start=1)
    ]
    return ranked, invalid


def _one_per_group(lot: LotBids, ranked: list[_Ranked], invalid: dict[str, str]) -> list[_Ranked]:
    """Void every valid bid of a group but the one that stands (RULES.md 10); re-rank the rest."""
    groups = {g.group_id: g for g in lot.groups}
    by_group: dict[str, list[_Ranked]] = defaultdict(list)
    for r in ranked:
        if r.bid.group_id in groups:
            by_group[r.bid.group_id].append(r)
    for group_id, bids in by_group.items():
        group = groups[group_id]
        reason = _group_void_reason(group, bids)
        standing = _standing(group, bids)
        for r in bids:
            if r is not standing:
                invalid[r.bid.bid_id] = reason
    kept = [r for r in ranked if r.bid.bid_id not in invalid]
    return [replace(r, rank=rank) for rank, r in enumerate(kept, start=1)]


def _standing(group: GroupInput, bids: list[_Ranked]) -> _Ranked | None:
    if group.named_bidder_id is None:
        return bids[0]
    return next((r for r in bids if r.bid.bidder_id == group.named_bidder_id), None)


def _group_void_reason(group: GroupInput, bids: list[_Ranked]) -> str:
    if group.named_bidder_id is not None:
        return Message(
            "void: the related bidders of {group} count as one bidder, and the group named "
            "{member} to bid on this lot; only that member's bid stands",
            group=group.name,
            member=group.member_name(group.named_bidder_id),
        )
    best = bids[0]
    return Message(
        "void: the related bidders of {group} count as one bidder; only the group's "
        "best-ranked valid bid stands ({member}, comparable price {price})",
        group=group.name,
        member=group.member_name(best.bid.bidder_id),
        price=_fmt(best.comparable),
    )


def declared_count(lot: LotBids, related_bidders: bool) -> int:
    """N: bidders whose product is eligible, whatever became of their quote; a related-bidder
    group once (RULES.md 2.2 and 10)."""
    groups = {g.group_id for g in lot.groups} if related_bidders else set()
    return len(
        {
            ("group", b.group_id) if b.group_id in groups else ("bidder", b.bidder_id)
            for b in lot.bids
            if b.counts_in_n
        }
    )


def _anchor(shortlist: list[_Ranked], rules: SelectionRules) -> Decimal:
    lowest = shortlist[0].comparable
    if rules.anchor_mode == "half_mean_or_lowest":
        mean = sum((r.comparable for r in shortlist), Decimal(0)) / len(shortlist)
        return max(round_unit_price(mean / 2), lowest)
    return lowest


def _win_reason(r: _Ranked, anchor: Decimal, lot: LotBids, rules: SelectionRules) -> str | None:
    """Why a shortlisted bid wins, or None when it does not."""
    multiple = r.comparable / anchor
    limit = rules.win_multiple * anchor
    if r.comparable <= limit:
        return Message(
            "price {multiple}x the anchor {anchor}, within the {limit}x limit",
            multiple=round_places(multiple, 2),
            anchor=_fmt(anchor),
            limit=rules.win_multiple,
        )
    floor = rules.floor_for(lot.dosage_form)
    if floor is not None and r.comparable <= floor:
        return Message(
            "price {price} at or under the {dosage_form} floor {floor}",
            price=_fmt(r.comparable),
            dosage_form=lot.dosage_form,
            floor=_fmt(floor),
        )
    if rules.cut_rule and r.cut >= rules.cut_threshold:
        return Message(
            "price cut {cut} reaches the {threshold} cut rule",
            cut=f"{r.cut:.2%}",
            threshold=f"{rules.cut_threshold:.0%}",
        )
    return None


def _loss_reason(
    r: _Ranked, anchor: Decimal, shortlisted: bool, cap: int, rules: SelectionRules
) -> str:
    if not shortlisted:
        return Message(
            "ranked {rank} of the valid bids, outside the shortlist of {cap}", rank=r.rank, cap=cap
        )
    multiple = round_places(r.comparable / anchor, 2)
    if rules.anchor_mode == "lowest":
        template = N_("price {multiple}x the lowest {anchor}, above the {limit}x limit")
    else:
        template = N_("price {multiple}x the anchor {anchor}, above the {limit}x limit")
    return Message(template, multiple=multiple, anchor=_fmt(anchor), limit=rules.win_multiple)


def _revival_price(winners: list[_Ranked], rules: SelectionRules) -> Decimal:
    if len(winners) == 1:
        return round_unit_price(winners[0].comparable * rules.win_multiple)
    return max(w.comparable for w in winners)


def select_winners(lot: LotBids, rules: RulesSet | SelectionRules) -> SelectionResult:
    """Apply the selection rules to one lot; every bid gets an outcome and a reason."""
    sel = rules.selection if isinstance(rules, RulesSet) else rules
    ranked, invalid = _rank_valid(lot, sel)
    if sel.related_bidders:
        ranked = _one_per_group(lot, ranked, invalid)
    declared = declared_count(lot, sel.related_bidders)
    cap = sel.max_winners(declared)
    shortlist = ranked[:cap]
    if not shortlist:
        outcomes = tuple(
            BidOutcome(b.bid_id, b.bidder_id, Outcome.INVALID, invalid[b.bid_id]) for b in lot.bids
        )
        reason = N_("no valid bid: the lot fails (流标) and returns to ordinary listing")
        return SelectionResult(lot.lot_id, declared, 0, cap, None, None, True, reason, outcomes)
    anchor = _anchor(shortlist, sel)
    won: dict[str, str] = {}
    for r in shortlist:
        why = _win_reason(r, anchor, lot, sel)
        if why is not None:
            won[r.bid.bid_id] = why
    winners = [r for r in shortlist if r.bid.bid_id in won]
    revival = _revival_price(winners, sel) if sel.revival else None
    by_id = {r.bid.bid_id: r for r in ranked}
    outcomes = tuple(
        _outcome(b, by_id.get(b.bid_id), invalid, won, anchor, cap, revival, lot, sel)
        for b in lot.bids
    )
    n_won = sum(o.outcome in (Outcome.WON, Outcome.REVIVED) for o in outcomes)
    reason = Message(
        "{won} winner(s) of {declared} declared bidder(s), shortlist of {cap}",
        won=n_won,
        declared=declared,
        cap=cap,
    )
    return SelectionResult(
        lot.lot_id, declared, len(ranked), cap, anchor, revival, False, reason, outcomes
    )


def _outcome(
    bid: BidInput,
    r: _Ranked | None,
    invalid: dict[str, str],
    won: dict[str, str],
    anchor: Decimal,
    cap: int,
    revival: Decimal | None,
    lot: LotBids,
    sel: SelectionRules,
) -> BidOutcome:
    if r is None:
        return BidOutcome(bid.bid_id, bid.bidder_id, Outcome.INVALID, invalid[bid.bid_id])
    common = {"comparable_price": r.comparable, "price_cut": r.cut, "rank": r.rank}
    shortlisted = r.rank <= cap
    if bid.bid_id in won:
        return BidOutcome(
            bid.bid_id,
            bid.bidder_id,
            Outcome.WON,
            won[bid.bid_id],
            **common,
            shortlisted=True,
            award_price=bid.unit_price,
            award_comparable_price=r.comparable,
        )
    lost = _loss_reason(r, anchor, shortlisted, cap, sel)
    if revival is not None and bid.revival_opt_in:
        assert bid.unit_price is not None
        price = price_from_comparable(
            revival, bid.strength, lot.reference_strength, sel.price_ratio_factor
        )
        price = min(price, bid.unit_price)
        why = Message(
            "{lost}; revived at the revival price {price} (opted in)",
            lost=lost,
            price=_fmt(revival),
        )
        return BidOutcome(
            bid.bid_id,
            bid.bidder_id,
            Outcome.REVIVED,
            why,
            **common,
            shortlisted=shortlisted,
            award_price=price,
            award_comparable_price=min(revival, r.comparable),
        )
    if revival is not None:
        lost = Message("{lost}; did not opt in to revival", lost=lost)
    return BidOutcome(
        bid.bid_id, bid.bidder_id, Outcome.LOST, lost, **common, shortlisted=shortlisted
    )
