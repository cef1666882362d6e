"""Brand parts into the allocation (award/brand_reports.py): the pure rules, by hand."""

from __future__ import annotations

from decimal import Decimal

from procurement.award.allocation import FixedSupply, Winner
from procurement.award.brand_reports import Part, plan_brands, scaled

A = Winner("A", Decimal("1.00"), 100)
NORTH = Winner("N", Decimal("1.00"), 100, frozenset({"110000"}))


def test_a_part_is_scaled_to_the_agreed_volume_rounding_half_up():
    assert scaled(Part("h", "p", 1, 2), 1) == 1  # 0.5 -> 1
    assert scaled(Part("h", "p", 1, 2), 3) == 2  # 1.5 -> 2
    assert scaled(Part("h", "p", 1, 4), 5) == 1  # 1.25 -> 1
    assert scaled(Part("h", "p", 3, 4), 5) == 4  # 3.75 -> 4


def test_parts_never_fix_more_than_the_agreed_volume():
    # two parts of 3 in a report of 6, agreed 5: 2.5 -> 3 each, but only 5 in all (3 + 2)
    parts = [Part("h1", "pa", 3, 6), Part("h1", "pb", 3, 6)]
    b = Winner("B", Decimal("1.10"), 100)
    plan = plan_brands(parts, {"h1": 5}, {"h1": "310000"}, {"pa": A, "pb": b}, Decimal(1))
    assert plan.fixed == (FixedSupply("h1", "310000", "A", 3), FixedSupply("h1", "310000", "B", 2))
    assert plan.open_quantity == {"h1": 0}
    assert (plan.met_full, plan.met_part, plan.not_met, plan.met_volume) == (2, 0, 0, 5)


def test_a_lost_brand_and_a_winner_outside_its_regions_stay_open():
    parts = [Part("h1", "lost", 4, 10), Part("h2", "pn", 5, 10)]
    agreed = {"h1": 7, "h2": 7}
    plan = plan_brands(parts, agreed, {"h1": "310000", "h2": "310000"}, {"pn": NORTH}, Decimal(1))
    assert plan.fixed == ()
    assert plan.open_quantity == agreed
    # 4 x 7 / 10 = 2.8 -> 3 and 5 x 7 / 10 = 3.5 -> 4 were asked, none met
    assert (plan.requests, plan.not_met, plan.requested_volume, plan.met_volume) == (2, 2, 7, 0)


def test_a_short_room_cuts_pro_rata_ties_by_hospital_id():
    # A's room min(capacity 3, 100% of 13) = 3; asked 2 by h9 and 2 by h10 (4 > 3): 1.5 each
    # -> 1 r 2 each, the spare unit goes to the tie's lower hospital id, 9 (not "10" < "9")
    small = Winner("A", Decimal("1.00"), 3)
    parts = [Part("10", "pa", 2, 2), Part("9", "pa", 2, 2)]
    plan = plan_brands(
        parts,
        {"9": 2, "10": 2, "11": 9},
        {"9": "r", "10": "r", "11": "r"},
        {"pa": small},
        Decimal(1),
    )
    assert {(f.hospital_id, f.quantity) for f in plan.fixed} == {("9", 2), ("10", 1)}
    assert [(c.hospital_id, c.requested, c.fixed) for c in plan.cuts] == [("10", 2, 1)]
    assert plan.cut_by_winner == {"A": 1}
    assert plan.open_quantity == {"9": 0, "10": 1, "11": 9}


def test_the_maximum_share_is_a_room_too():
    # 30% of 10 = 3 units at most for A, whose capacity is 100: 5 asked, 3 fixed
    parts = [Part("h1", "pa", 5, 10)]
    plan = plan_brands(parts, {"h1": 10}, {"h1": "r"}, {"pa": A}, Decimal("0.3"))
    assert plan.fixed == (FixedSupply("h1", "r", "A", 3),)
    assert plan.record()["cuts"] == [{"hospital": "h1", "winner": "A", "requested": 5, "fixed": 3}]
