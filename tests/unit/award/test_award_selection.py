"""Winner selection on hand-built lots (RULES.md 2); expected outcomes written out by hand."""

from decimal import Decimal as D

from procurement.award.selection import BidInput, LotBids, Outcome, select_winners
from procurement.catalog.rules import PRESETS, preset

DEFAULT = preset()


def bid(name, price, *, capacity=1000, seq=0, strength="10", opt_in=False):
    return BidInput(
        bid_id=f"b-{name}",
        bidder_id=name,
        unit_price=None if price is None else D(price),
        strength=D(strength),
        capacity=capacity,
        submitted_seq=seq,
        revival_opt_in=opt_in,
    )


def lot(*bids, ceiling="5.00", form="oral_solid"):
    return LotBids("L01", D(ceiling), D("10"), form, tuple(bids))


def outcomes(result):
    return {o.bidder_id: o.outcome for o in result.outcomes}


def test_a_single_valid_bidder_wins():
    result = select_winners(lot(bid("A", "1.00")), DEFAULT)
    assert outcomes(result) == {"A": Outcome.WON}
    assert result.winner_count == 1


def test_with_two_bidders_a_price_above_1_8x_the_lowest_loses_with_a_readable_reason():
    result = select_winners(lot(bid("A", "1.00"), bid("B", "1.92")), DEFAULT)
    assert outcomes(result) == {"A": Outcome.WON, "B": Outcome.LOST}
    reason = result.outcomes[1].reason
    assert "price 1.92x the lowest 1.0000, above the 1.8x limit" in reason


def test_with_three_bidders_only_two_are_shortlisted():
    result = select_winners(lot(bid("A", "1.00"), bid("B", "1.50"), bid("C", "1.70")), DEFAULT)
    assert outcomes(result) == {"A": Outcome.WON, "B": Outcome.WON, "C": Outcome.LOST}
    assert "ranked 3 of the valid bids, outside the shortlist of 2" in result.outcomes[2].reason


def test_with_many_bidders_the_table_caps_the_winners():
    prices = ["1.00", "1.10", "1.20", "1.30", "1.40", "1.50", "1.60"]  # N=7 -> 4 winners
    result = select_winners(lot(*(bid(f"B{i}", p) for i, p in enumerate(prices))), DEFAULT)
    assert [o.outcome for o in result.outcomes] == [Outcome.WON] * 4 + [Outcome.LOST] * 3
    assert result.max_winners == 4


def test_ties_rank_larger_capacity_first_then_earlier_submission():
    bids = (
        bid("A", "1.00", capacity=500, seq=1),
        bid("B", "1.00", capacity=900, seq=2),
        bid("C", "1.00", capacity=900, seq=0),
    )
    result = select_winners(lot(*bids), DEFAULT)
    ranks = {o.bidder_id: o.rank for o in result.outcomes}
    assert ranks == {"C": 1, "B": 2, "A": 3}
    assert outcomes(result) == {"A": Outcome.LOST, "B": Outcome.WON, "C": Outcome.WON}


def test_all_bids_above_the_ceiling_fail_the_lot():
    result = select_winners(lot(bid("A", "1.10"), bid("B", "1.20"), ceiling="1.00"), DEFAULT)
    assert result.failed
    assert outcomes(result) == {"A": Outcome.INVALID, "B": Outcome.INVALID}
    assert "above the ceiling 1.0000" in result.outcomes[0].reason
    assert "流标" in result.reason


def test_declared_count_includes_invalid_and_void_bids():
    bids = (
        bid("A", "1.00"),
        bid("B", "1.10"),
        bid("C", "1.20"),
        bid("D", "9.00"),  # above the 5.00 ceiling
        bid("E", None),  # void quote
    )
    result = select_winners(lot(*bids), DEFAULT)
    assert result.declared_count == 5  # N=5 -> 3 winners; counting only valid bids would give 2
    assert outcomes(result) == {
        "A": Outcome.WON,
        "B": Outcome.WON,
        "C": Outcome.WON,
        "D": Outcome.INVALID,
        "E": Outcome.INVALID,
    }


def test_a_sole_winner_sets_the_revival_price_at_1_8_times_its_price():
    result = select_winners(lot(bid("A", "1.00"), bid("B", "2.00", opt_in=True)), DEFAULT)
    revived = result.outcomes[1]
    assert revived.outcome is Outcome.REVIVED
    assert result.revival_price == D("1.8000")
    assert revived.award_price == D("1.8000")
    assert result.winner_count == 2


def test_revival_price_is_the_highest_winning_price_with_several_winners():
    bids = (bid("A", "1.00"), bid("B", "1.50"), bid("C", "2.00", opt_in=True), bid("D", None))
    result = select_winners(lot(*bids), DEFAULT)  # N=4 -> shortlist 3; C is 2.00x the lowest
    assert outcomes(result)["C"] is Outcome.REVIVED
    assert result.outcomes[2].award_price == D("1.5000")


def test_a_loser_that_did_not_opt_in_is_not_revived():
    result = select_winners(lot(bid("A", "1.00"), bid("B", "2.00")), DEFAULT)
    assert outcomes(result)["B"] is Outcome.LOST
    assert "did not opt in to revival" in result.outcomes[1].reason


def test_national_2021_has_no_revival():
    rules = preset("national-2021", cut_rule=False)
    result = select_winners(lot(bid("A", "1.00"), bid("B", "2.00", opt_in=True)), rules)
    assert outcomes(result)["B"] is Outcome.LOST


def test_the_cut_rule_lets_a_50_percent_cut_win_above_1_8x():
    bids = (bid("A", "1.00"), bid("B", "2.00"))  # B: 2.00x, but cut 1 - 2/5 = 60%
    assert outcomes(select_winners(lot(*bids), PRESETS["national-2021"]))["B"] is Outcome.WON
    assert outcomes(select_winners(lot(*bids), DEFAULT))["B"] is Outcome.LOST


def test_oral_solids_under_the_absolute_floor_win_whatever_the_multiple():
    bids = (bid("A", "0.03"), bid("B", "0.08"))  # 2.67x the lowest, but <= 0.10
    assert outcomes(select_winners(lot(*bids), DEFAULT))["B"] is Outcome.WON
    injection = lot(*bids, form="injection")
    assert outcomes(select_winners(injection, DEFAULT))["B"] is Outcome.LOST


def test_half_mean_anchor_raises_the_limit_when_the_lowest_is_an_outlier():
    bids = (bid("A", "1.00"), bid("B", "2.20"), bid("C", "6.00"), bid("D", None))
    # N=4 -> shortlist 3; mean 3.0667, half 1.5333 > 1.00: limit 1.8 x 1.5333 = 2.76
    result = select_winners(lot(*bids, ceiling="10.00"), PRESETS["national-2025"])
    assert result.anchor == D("1.5333")
    assert outcomes(result) == {
        "A": Outcome.WON,
        "B": Outcome.WON,
        "C": Outcome.LOST,
        "D": Outcome.INVALID,
    }
    lowest = select_winners(lot(*bids, ceiling="10.00"), DEFAULT)
    assert outcomes(lowest)["B"] is Outcome.LOST


def test_bids_on_another_strength_compete_on_comparable_price():
    bids = (bid("A", "1.70", strength="20"), bid("B", "1.05"))  # A is 1.0000 comparable
    result = select_winners(lot(*bids), DEFAULT)
    assert result.outcomes[0].comparable_price == D("1.0000")
    assert result.outcomes[0].rank == 1
    assert result.anchor == D("1.0000")
