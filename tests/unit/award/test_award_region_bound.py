"""Region sourcing proven (issue 20 item 4): the LP duals' Lagrangian identity and the packing
search's bounds and optimum on a hand-computed lot; on small random lots (minimum shares,
brand-report fixed volume, a region for every winner) against brute force and the PuLP
reference: every reported bound is valid (never above the optimum), a proven plan is within
its gap, the search's proofs hold, and infeasible lots keep their diagnosis."""

import itertools
import random
from decimal import Decimal as D

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.award.allocation import FixedSupply
from procurement.award.optimizer import (
    AllocationProblem,
    Hospital,
    SolverOptions,
    Winner,
    allocate,
)
from procurement.award.optimizer.fixed import fixed_cost
from procurement.award.optimizer.highs import solve_arrays
from procurement.award.optimizer.model import build_model
from procurement.award.optimizer.packing import lagrangian, penalty, search

REGIONS = ("R1", "R2", "R3", "R4", "R5")


def three_regions():
    # Three regions of 5; W0 at 1.00 may take 7, W1 at 2.00 takes the rest.
    # LP: W0 7, W1 8 = 7 + 16 = 23. Integer: W0 one region (5), W1 10 = 5 + 20 = 25.
    return AllocationProblem(
        "L01",
        (Winner("W0", D("1.00"), 7), Winner("W1", D("2.00"), 100)),
        tuple(Hospital(f"H{i}", f"R{i}", 5) for i in range(3)),
        "region",
        unit="tablets",
    )


def test_the_lp_duals_price_every_plan_exactly():
    model = build_model(three_regions())
    lp = solve_arrays(model, SolverOptions(), False, 10.0)
    assert lp.lp_bound == 23.0
    duals = lagrangian(model, lp.row_dual)
    assert abs(duals.bound - 23.0) < 1e-9
    assert duals.y.tolist() == [-1.0, 0.0]  # one unit more room for W0 saves 2.00 - 1.00
    for owner in itertools.product(range(2), repeat=3):  # every plan, feasible or not
        values = np.zeros(model.n_cols)
        for u, w in enumerate(owner):
            values[(model.col_unit == u) & (model.col_winner == w)] = 1.0
        assert abs(float(model.cost @ values) - duals.bound - penalty(model, duals, values)) < 1e-9
    # W0 with one region: 2 units of room unused at 1.00 each: 25 = 23 + 2.
    one = np.array([1.0 if (w == 0) == (u == 0) else 0.0 for u, w in zip(
        model.col_unit, model.col_winner, strict=True)])  # fmt: skip # one plan by hand
    assert penalty(model, duals, one) == 2.0


def test_the_packing_search_proves_the_bound_then_the_optimum():
    model = build_model(three_regions())
    duals = lagrangian(model, solve_arrays(model, SolverOptions(), False, 10.0).row_dual)
    # W0 within 1 unit of its 7: no subset of 5, 5, 5 sums to 6 or 7. Every plan costs > 24.
    none = search(model, duals, stop=1.0, cap=1.0)
    assert none.values is None
    assert none.exhaustive
    # Within 4: W0 takes one region (penalty 2), and nothing cheaper exists: optimal, 25.
    found = search(model, duals, stop=0.0, cap=4.0)
    assert found.exhaustive
    assert found.penalty == 2.0
    assert float(model.cost @ found.values) == 25.0


def test_allocate_reports_the_searchs_bound_and_proves_the_optimum():
    result = allocate(three_regions(), SolverOptions(mip_gap=1e-4))
    assert result.objective == D("25.00")
    assert result.lp_bound == D("25.00")  # not the LP's 23.00: the gap is 0, not 8%
    assert result.gap == 0
    assert result.bound == "search"
    assert result.proven_optimal
    assert "bound: packing search" in result.message


def brute_force(problem):
    """The least open cost at each winner's basis over every region plan (None: infeasible)."""
    model = build_model(problem)
    n_u, n_w = len(model.unit_ids), len(model.winners)
    ok = np.zeros((n_w, n_u), dtype=bool)
    ok[model.col_winner, model.col_unit] = True
    best = None
    for owner in itertools.product(range(n_w), repeat=n_u):
        load = np.bincount(owner, weights=model.unit_qty, minlength=n_w)
        if not all(ok[w, u] for u, w in enumerate(owner)):
            continue
        if any(not model.lower[w] <= load[w] <= model.upper[w] for w in range(n_w)):
            continue
        if any(w not in owner for w in model.min_one):
            continue
        cost = sum(model.winners[w].basis * int(load[w]) for w in range(n_w))
        best = cost if best is None or cost < best else best
    return best


@st.composite
def region_lots(draw):
    """2-4 winners with capacities of 30-120% of the lot, W0 serving every region, the others
    every region or 3 of the 5."""
    quantities = draw(st.lists(st.integers(1, 600), min_size=5, max_size=7))
    total = sum(quantities)
    n_w = draw(st.integers(2, 4))
    served = st.sampled_from([None, frozenset(REGIONS[:3]), frozenset(REGIONS[2:])])
    winners = tuple(
        Winner(f"W{i}", D(draw(st.integers(50, 300))) / 100,
               total * draw(st.integers(30, 120)) // 100, draw(served) if i else None)
        for i in range(n_w)
    )  # fmt: skip # one winner per draw
    hospitals = tuple(Hospital(f"H{i}", REGIONS[i % 5], q) for i, q in enumerate(quantities))
    fixed = []
    if draw(st.booleans()):  # brand reports: part of some hospitals' volume fixed to a winner
        for i, h in enumerate(hospitals[: draw(st.integers(1, 3))]):
            take = draw(st.integers(1, h.quantity))
            fixed.append(FixedSupply(h.id, h.region, winners[i % n_w].id, take))
            hospitals = tuple(
                Hospital(x.id, x.region, x.quantity - take) if x.id == h.id else x
                for x in hospitals
            )
    return AllocationProblem(
        "L01",
        winners,
        hospitals,
        "region",
        min_share=D(draw(st.sampled_from(["0", "0.1", "0.2"]))),
        max_share=D(draw(st.sampled_from(["1", "0.7"]))),
        unit="tablets",
        every_winner_gets_a_region=draw(st.booleans()),
        fixed=tuple(fixed),
    )


@settings(max_examples=120, deadline=None)
@given(region_lots())
def test_every_bound_is_valid_and_every_proof_holds(problem):
    result = allocate(problem, SolverOptions(mip_gap=1e-4))
    reference = allocate(problem, SolverOptions(backend="pulp", mip_gap=0.0))
    open_best = brute_force(problem)
    if open_best is None:
        assert result.status == reference.status == "infeasible"
        assert result.diagnosis == reference.diagnosis
        return
    best = open_best + fixed_cost(problem)
    assert result.ok, result.message
    assert reference.ok, reference.message
    assert reference.objective == best.quantize(D("0.01"))
    assert result.lp_bound <= best + D("0.01"), result.message  # never cuts off the optimum
    assert result.objective >= best.quantize(D("0.01"))
    assert result.bound in ("lp", "search", "mip")
    if result.proven_optimal:
        assert result.objective - best <= D("1e-4") * result.objective + D("0.01")


@settings(max_examples=80, deadline=None)
@given(region_lots(), st.floats(0.0, 400.0))
def test_the_searchs_proofs_hold(problem, cap):
    model = build_model(problem)
    lp = solve_arrays(model, SolverOptions(), False, 10.0)
    open_best = brute_force(problem)
    if lp.row_dual is None or open_best is None or not model.unit_ids:
        return
    duals = lagrangian(model, lp.row_dual)
    found = search(model, duals, stop=-1.0, cap=cap)
    tol = 1e-6 * (1 + float(open_best))
    if found.values is not None:  # a real plan, within the cap, its penalty the identity's
        assert float(model.cost @ found.values) >= float(open_best) - tol
        assert found.penalty <= cap
        assert abs(float(model.cost @ found.values) - duals.bound - found.penalty) <= tol
    if found.exhaustive and found.values is None:
        assert float(open_best) > duals.bound + cap - tol  # every plan is past the cap
    if found.exhaustive and found.values is not None:
        assert abs(float(model.cost @ found.values) - float(open_best)) <= tol  # optimal


def national_lot(seed):
    """31 provinces of uneven volume, 8 winners with capacities of 1.5x the lot between them,
    half serving every province (a national round's shape, as in benchmarks/award_optimizer.py)."""
    rng = random.Random(seed)
    regions = [f"P{r:02d}" for r in range(31)]
    hospitals = tuple(
        Hospital(f"H{i:03d}", regions[i % 31], int(rng.lognormvariate(11.0, 1.0)) + 1)
        for i in range(124)
    )
    total = sum(h.quantity for h in hospitals)
    winners = tuple(
        Winner(f"W{w}", D(rng.randint(2_000, 3_600)) / 10_000, int(total * 1.5 / 8),
               None if w % 2 else frozenset(rng.sample(regions, 26)))
        for w in range(8)
    )  # fmt: skip # one winner per line
    return AllocationProblem(
        "L01", winners, hospitals, "region", unit="tablets", every_winner_gets_a_region=True
    )


def test_a_national_lot_is_proven_to_the_services_gap_the_same_way_twice():
    options = SolverOptions(mip_gap=1e-4, time_limit_s=60)
    for seed in (1, 2, 3):
        first, second = allocate(national_lot(seed), options), allocate(national_lot(seed), options)
        assert first.proven_optimal, first.message
        assert first.gap <= D("0.0001")
        assert first.allocations == second.allocations  # deterministic
        assert first.lp_bound == second.lp_bound
        assert first.bound == second.bound
