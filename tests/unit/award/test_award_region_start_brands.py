"""Region starts once brand reports fix part of the volume (issue 16): the lot's gap with the
fixed cost in it as the good-enough target, and the pairwise repacking of a start into the
winners' residual rooms, on hand-computed cases."""

from decimal import Decimal as D

import numpy as np

from procurement.award.allocation import FixedSupply
from procurement.award.optimizer import AllocationProblem, Hospital, Winner
from procurement.award.optimizer.fixed import good_enough, open_factor, open_gap
from procurement.award.optimizer.model import build_model
from procurement.award.optimizer.starts import _pair_refill


def test_good_enough_is_the_lots_gap_with_the_fixed_cost_in_it():
    # W1 supplies 10 units to H0 by brand report: F = 10 x 2.00 = 20; the open part is 30 units.
    problem = AllocationProblem(
        "L01",
        (Winner("W0", D("1.00"), 100), Winner("W1", D("2.00"), 100)),
        (Hospital("H0", "R1", 30),),
        "region",
        unit="tablets",
        fixed=(FixedSupply("H0", "R1", "W1", 10),),
    )
    model = build_model(problem)
    # U = 2.00 x 30 = 60: open_gap = 0.001 x (1 + 20 / 60).
    assert open_factor(problem) == 1 + 20 / 60
    gap = open_gap(problem, 0.001)
    assert abs(gap - 0.001 * 4 / 3) < 1e-15
    # L = 30 (all to W0): C <= 30 + 0.9 x 0.001 x (30 + 20) = 30.045.
    target = good_enough(model, 30.0, gap)
    assert abs(target - 30.045) < 1e-9
    assert (target - 30) / (target + 20) < 0.001  # the whole lot is within its gap
    assert target > 30 * (1 + 0.9 * gap)  # looser than the open part's own relative gap


def test_pair_refill_fills_the_cheaper_winners_room_exactly():
    # One hospital per region, 5 + 4 + 3 + 3 + 2 units; W0 (1.00) has room for 9, W1 (2.00) 20.
    problem = AllocationProblem(
        "L01",
        (Winner("W0", D("1.00"), 9), Winner("W1", D("2.00"), 20)),
        tuple(Hospital(f"H{i}", f"R{i}", q) for i, q in enumerate((5, 4, 3, 3, 2))),
        "region",
        unit="tablets",
    )
    model = build_model(problem)
    eligible = np.ones((2, 5), dtype=bool)
    owner = np.array([0, 1, 0, 1, 1])  # W0 holds 5 + 3 = 8: one unit of room left
    load = np.array([8, 9])
    _pair_refill(model, owner, load, eligible)
    assert load.tolist() == [9, 8]
    assert int(model.unit_qty[owner == 0].sum()) == 9
    assert int(model.unit_qty[owner == 1].sum()) == 8


def test_pair_refill_keeps_a_min_one_winner_its_region():
    # Every winner gets a region: W1 must keep one even though W0 could take 5 + 4 = 9 alone.
    problem = AllocationProblem(
        "L01",
        (Winner("W0", D("1.00"), 9), Winner("W1", D("2.00"), 20)),
        tuple(Hospital(f"H{i}", f"R{i}", q) for i, q in enumerate((5, 4))),
        "region",
        unit="tablets",
        every_winner_gets_a_region=True,
    )
    model = build_model(problem)
    assert model.min_one == [0, 1]
    owner = np.array([0, 1])
    load = np.array([5, 4])
    _pair_refill(model, owner, load, np.ones((2, 2), dtype=bool))
    assert owner.tolist() == [0, 1]
    assert load.tolist() == [5, 4]
