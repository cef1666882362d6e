"""Region sourcing with HiGHS: the constructed start (subset-sum fills + local search) is
feasible, the subset-sum fill is near the brute-force best, and the optimum is unchanged."""

import itertools
from decimal import Decimal as D

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.award.optimizer import (
    AllocationProblem,
    Hospital,
    SolverOptions,
    Winner,
    allocate,
)
from procurement.award.optimizer.check import column_quantities, violations
from procurement.award.optimizer.highs import solve_arrays
from procurement.award.optimizer.model import build_model
from procurement.award.optimizer.starts import region_start, subset_fill

REGIONS = ("R1", "R2", "R3", "R4", "R5")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 10_000), min_size=0, max_size=8), st.integers(0, 40_000))
def test_subset_fill_never_exceeds_the_target_and_is_exact_on_small_grains(qty, target):
    chosen = subset_fill(qty, target)
    total = sum(qty[i] for i in chosen)
    assert len(set(chosen)) == len(chosen)
    assert total <= target
    reachable = {
        sum(c)
        for k in range(len(qty) + 1)
        for c in itertools.combinations(qty, k)
        if sum(c) <= target
    }
    assert total == max(reachable)  # target < 2^20: grain 1, the DP is exact


def test_subset_fill_with_a_coarse_grain_loses_at_most_one_grain_per_item_twice():
    qty = [123_457, 98_765, 45_678, 300_001, 77_777]
    target, slack = 400_000, len(qty) * (400_000 >> 8)
    chosen = subset_fill(qty, target, bits=8)
    sums = [sum(c) for k in range(6) for c in itertools.combinations(qty, k)]
    total = sum(qty[i] for i in chosen)
    assert total <= target
    assert total >= max(s for s in sums if s <= target - slack) - slack


def region_problem(winners, quantities, every=True):
    ws = tuple(Winner(f"W{i}", D(p) / 100, c, r) for i, (p, c, r) in enumerate(winners))
    hs = tuple(Hospital(f"H{i}", REGIONS[i % 5], q) for i, q in enumerate(quantities))
    return AllocationProblem(
        "L01", ws, hs, "region", unit="tablets", every_winner_gets_a_region=every
    )


def brute_force(problem):
    model = build_model(problem)
    n_u, n_w = len(model.unit_ids), len(model.winners)
    ok = np.zeros((n_w, n_u), dtype=bool)
    ok[model.col_winner, model.col_unit] = True
    best = None
    for owner in itertools.product(range(n_w), repeat=n_u):
        if not all(ok[w, u] for u, w in enumerate(owner)):
            continue
        load = [0] * n_w
        for u, w in enumerate(owner):
            load[w] += int(model.unit_qty[u])
        if any(not model.lower[w] <= load[w] <= model.upper[w] for w in range(n_w)):
            continue
        if any(w not in owner for w in model.min_one):
            continue
        cost = sum(model.winners[w].price * load[w] for w in range(n_w))
        best = cost if best is None or cost < best else best
    return best


winners_st = st.lists(
    st.tuples(
        st.integers(50, 300),
        st.integers(0, 2_000),
        st.sampled_from([None, frozenset({"R1", "R2", "R3"}), frozenset({"R3", "R4", "R5"})]),
    ),
    min_size=1,
    max_size=4,
)
quantities_st = st.lists(st.integers(1, 600), min_size=5, max_size=9)


@settings(max_examples=40, deadline=None)
@given(winners_st, quantities_st)
def test_the_region_start_is_feasible_whenever_it_is_returned(winners, quantities):
    model = build_model(region_problem(winners, quantities))
    lp = solve_arrays(model, SolverOptions(solver="highs"), False, 10.0)
    start = region_start(model, lp.values)
    if start is None:
        return
    assert set(np.unique(start)) <= {0.0, 1.0}
    assert violations(model, column_quantities(model, start)) == []
    chosen = np.nonzero(start > 0.5)[0]
    assert sorted(model.col_unit[chosen].tolist()) == list(range(len(model.unit_ids)))
    assert set(model.min_one) <= set(model.col_winner[chosen].tolist())


@settings(max_examples=30, deadline=None)
@given(winners_st, quantities_st, st.booleans())
def test_region_sourcing_with_highs_equals_the_brute_force_optimum(winners, quantities, every):
    problem = region_problem(winners, quantities, every)
    result = allocate(problem, SolverOptions(solver="highs", mip_gap=0.0))
    best = brute_force(problem)
    if best is None:
        assert result.status == "infeasible"
    else:
        assert result.ok, result.message
        assert result.proven_optimal
        assert result.objective == best.quantize(D("0.01"))
