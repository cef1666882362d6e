"""Who counts in N (RULES.md 2.2) and related bidders (RULES.md 10), on hand-built lots.

Batch-10 table (national-2024): N=3 -> shortlist 2, N=4 -> shortlist 3. Ceiling 5.00 per
tablet at the reference strength 10, so every price below is its own comparable price.
"""

from dataclasses import replace
from decimal import Decimal as D

from procurement.award.selection import GroupInput, LotBids, Outcome, select_winners
from procurement.catalog.rules import preset
from tests.unit.award.test_award_selection import bid

RULES = preset("national-2024")
GROUP = GroupInput("7", "华东医药集团", (("A", "甲制药"), ("B", "乙制药")))


def grouped(b, group_id="7"):
    return replace(b, group_id=group_id)


def ineligible(b):
    reason = "the product is not eligible"
    return replace(b, counts_in_n=False, invalid_reason=reason)


def lot(*bids, groups=()):
    return LotBids("L01", D("5.00"), D("10"), "oral_solid", tuple(bids), groups)


def outcomes(result):
    return {o.bidder_id: o.outcome for o in result.outcomes}


def group_lot(group=GROUP):
    bids = (
        grouped(bid("A", "1.00", seq=0)),
        grouped(bid("B", "1.10", seq=1)),
        bid("C", "1.50", seq=2),
        bid("D", "1.60", seq=3),
    )
    return lot(*bids, groups=(group,))


def test_two_related_bidders_count_once_and_only_the_best_ranked_bid_stands():
    result = select_winners(group_lot(), RULES)
    # N = {group A+B, C, D} = 3 -> shortlist 2; B is void; ranks A 1, C 2, D 3.
    assert result.declared_count == 3
    assert result.max_winners == 2
    assert result.valid_count == 3
    assert outcomes(result) == {
        "A": Outcome.WON,
        "B": Outcome.INVALID,
        "C": Outcome.WON,
        "D": Outcome.LOST,
    }
    by_bidder = {o.bidder_id: o for o in result.outcomes}
    assert by_bidder["B"].reason == (
        "void: the related bidders of 华东医药集团 count as one bidder; only the group's "
        "best-ranked valid bid stands (甲制药, comparable price 1.0000)"
    )
    assert by_bidder["B"].rank is None
    assert [by_bidder[x].rank for x in "ACD"] == [1, 2, 3]
    assert "ranked 3 of the valid bids, outside the shortlist of 2" in by_bidder["D"].reason
    assert result.anchor == D("1.00")


def test_a_group_that_names_its_bidding_member_keeps_only_that_members_bid():
    named = GroupInput("7", "华东医药集团", GROUP.members, named_bidder_id="B")
    result = select_winners(group_lot(named), RULES)
    # A (the cheaper) is void; ranks B 1 (1.10), C 2 (1.50), D 3; shortlist 2; anchor 1.10,
    # C is 1.50 / 1.10 = 1.36x <= 1.8x.
    assert outcomes(result) == {
        "A": Outcome.INVALID,
        "B": Outcome.WON,
        "C": Outcome.WON,
        "D": Outcome.LOST,
    }
    assert result.anchor == D("1.10")
    reason = next(o.reason for o in result.outcomes if o.bidder_id == "A")
    assert reason == (
        "void: the related bidders of 华东医药集团 count as one bidder, and the group named "
        "乙制药 to bid on this lot; only that member's bid stands"
    )


def test_with_related_bidders_switched_off_every_member_counts_and_may_win():
    result = select_winners(group_lot(), preset("national-2024", related_bidders=False))
    # N = 4 -> shortlist 3: A 1.00, B 1.10, C 1.50 win; D ranks 4th.
    assert result.declared_count == 4
    assert outcomes(result) == {
        "A": Outcome.WON,
        "B": Outcome.WON,
        "C": Outcome.WON,
        "D": Outcome.LOST,
    }


def test_a_group_member_invalid_on_its_own_keeps_its_reason_and_the_group_counts_once():
    bids = (
        grouped(bid("A", "9.00", seq=0)),  # above the ceiling: invalid, counted in N
        grouped(bid("B", "1.10", seq=1)),
        bid("C", "1.50", seq=2),
        bid("D", "1.60", seq=3),
    )
    result = select_winners(lot(*bids, groups=(GROUP,)), RULES)
    assert result.declared_count == 3
    assert outcomes(result) == {
        "A": Outcome.INVALID,
        "B": Outcome.WON,
        "C": Outcome.WON,
        "D": Outcome.LOST,
    }
    assert "above the ceiling" in result.outcomes[0].reason


def three_valid(*extra):
    return lot(bid("A", "1.00", seq=0), bid("B", "1.10", seq=1), bid("E", "1.20", seq=2), *extra)


def test_an_ineligible_product_does_not_count_in_n():
    result = select_winners(three_valid(ineligible(bid("C", "1.05", seq=3))), RULES)
    # N = 3 (A, B, E), not 4 -> shortlist 2: E ranks 3rd and loses.
    assert result.declared_count == 3
    assert result.max_winners == 2
    assert outcomes(result) == {
        "A": Outcome.WON,
        "B": Outcome.WON,
        "E": Outcome.LOST,
        "C": Outcome.INVALID,
    }
    assert result.outcomes[3].reason == "the product is not eligible"


def test_an_eligible_products_quote_above_the_ceiling_counts_in_n():
    result = select_winners(three_valid(bid("D", "5.01", seq=3)), RULES)
    # N = 4 -> shortlist 3: E 1.20 (1.2x the lowest) wins too.
    assert result.declared_count == 4
    assert outcomes(result)["E"] is Outcome.WON
    assert outcomes(result)["D"] is Outcome.INVALID


def test_an_eligible_products_void_or_missing_quote_counts_in_n():
    result = select_winners(three_valid(bid("D", None, seq=3)), RULES)
    assert result.declared_count == 4
    assert outcomes(result)["E"] is Outcome.WON
    reason = result.outcomes[3].reason
    assert reason == "no valid quote (void or missing); counted among declared bidders"
