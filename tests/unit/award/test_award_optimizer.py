"""Allocation optimizer: brute-force optimum, constraints in every output, diagnoses, backends."""

import itertools
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.award.optimizer import (
    AllocationProblem,
    Hospital,
    SolverOptions,
    Winner,
    allocate,
    allocate_many,
)

REGIONS = ("R1", "R2")


def brute_force(problem):
    """Cheapest feasible single/region assignment by enumeration, or None."""
    units = {}
    for h in problem.hospitals:
        if h.quantity == 0:
            continue  # nothing to serve: the optimizer leaves it out
        key = h.region if problem.granularity == "region" else h.id
        units.setdefault(key, [h.region, 0])[1] += h.quantity
    total = problem.total_quantity
    best = None
    for choice in itertools.product(problem.winners, repeat=len(units)):
        loads = {w.id: 0 for w in problem.winners}
        cost = D(0)
        feasible = True
        for (region, qty), w in zip(units.values(), choice, strict=True):
            feasible &= w.serves(region)
            loads[w.id] += qty
            cost += w.price * qty
        for w in problem.winners:
            low, high = problem.min_share * total, problem.max_share * total
            feasible &= low <= loads[w.id] <= min(w.capacity, high)
        if feasible and (best is None or cost < best):
            best = cost
    return best


winners_st = st.lists(
    st.builds(
        Winner,
        id=st.just(""),
        price=st.integers(50, 300).map(lambda c: D(c) / 100),
        capacity=st.integers(0, 900),
        regions=st.sampled_from([None, frozenset({"R1"}), frozenset({"R2"})]),
    ),
    min_size=1,
    max_size=3,
)
hospitals_st = st.lists(
    st.tuples(st.sampled_from(REGIONS), st.integers(0, 300)), min_size=1, max_size=5
)


def make_problem(winners, hospitals, granularity, min_share=D(0), max_share=D(1)):
    ws = tuple(Winner(f"W{i}", w.price, w.capacity, w.regions) for i, w in enumerate(winners))
    hs = tuple(Hospital(f"H{i}", r, q) for i, (r, q) in enumerate(hospitals))
    return AllocationProblem("L01", ws, hs, granularity, min_share, max_share, "tablets")


def assert_constraints_hold(problem, result):
    served = {h.id: 0 for h in problem.hospitals}
    loads = {w.id: 0 for w in problem.winners}
    by_id = {w.id: w for w in problem.winners}
    for a in result.allocations:
        served[a.hospital_id] += a.quantity
        loads[a.winner_id] += a.quantity
        assert by_id[a.winner_id].serves(a.region)
        assert a.amount == (a.unit_price * a.quantity).quantize(D("0.01"))
    assert served == {h.id: h.quantity for h in problem.hospitals}
    total = problem.total_quantity
    for w in problem.winners:
        assert loads[w.id] <= w.capacity
        assert problem.min_share * total <= loads[w.id] <= problem.max_share * total
    if problem.granularity == "single":
        assert len({a.hospital_id for a in result.allocations}) == len(result.allocations)
    assert result.objective == sum((a.amount for a in result.allocations), D("0.00"))


@settings(max_examples=30, deadline=None)
@given(winners_st, hospitals_st, st.sampled_from(["single", "region"]))
def test_objective_equals_the_brute_force_optimum(winners, hospitals, granularity):
    problem = make_problem(winners, hospitals, granularity)
    result = allocate(problem)
    best = brute_force(problem)
    if best is None:
        assert result.status == "infeasible"
        assert result.diagnosis
    else:
        assert result.ok, result.message
        assert result.objective == best
        assert_constraints_hold(problem, result)


@settings(max_examples=50, deadline=None)
@given(
    winners_st,
    hospitals_st,
    st.sampled_from(["single", "region", "split"]),
    st.sampled_from([D(0), D("0.1"), D("0.2")]),
    st.sampled_from([D("0.6"), D(1)]),
)
def test_capacity_share_and_eligibility_always_hold(winners, hospitals, gran, low, high):
    problem = make_problem(winners, hospitals, gran, low, high)
    result = allocate(problem, SolverOptions(backend="highspy"))
    assert result.status in ("optimal", "feasible", "infeasible")
    if result.ok:
        assert_constraints_hold(problem, result)


def lot_l07(**changes):
    winners = (
        Winner("W1", D("0.50"), 2_000_000),
        Winner("W2", D("0.60"), 1_800_000, frozenset({"GD", "GX"})),
    )
    hospitals = (
        Hospital("H1", "GD", 3_000_000),
        Hospital("H2", "GX", 1_500_000),
        Hospital("H3", "BJ", 500_000),
    )
    values = {
        "lot_id": "L07",
        "winners": winners,
        "hospitals": hospitals,
        "granularity": "split",
        "unit": "tablets",
    } | changes
    return AllocationProblem(**values)


def test_capacity_shortage_names_the_lot_the_constraint_and_the_amount():
    result = allocate(lot_l07())
    assert result.status == "infeasible"
    first = result.diagnosis[0]
    assert first.constraint == "capacity"
    assert first.shortfall == 1_200_000
    assert first.message == (
        "capacity short by 1,200,000 tablets in lot L07: agreed 5,000,000, total capacity 3,800,000"
    )
    assert any(s.startswith("reserves") for s in result.suggestions)


def test_a_region_without_eligible_winner_is_named():
    hospitals = (Hospital("H1", "GD", 100), Hospital("H2", "XZ", 40))
    winners = (Winner("W1", D("1.00"), 1000, frozenset({"GD"})),)
    result = allocate(AllocationProblem("L02", winners, hospitals, unit="vials"))
    assert result.diagnosis[0].message == (
        "region XZ has no eligible winner in lot L02: 40 vials for 1 hospital(s) cannot be served"
    )


def test_minimum_shares_over_100_percent_are_diagnosed():
    winners = tuple(Winner(f"W{i}", D("1.00"), 1000) for i in range(3))
    problem = AllocationProblem(
        "L03", winners, (Hospital("H1", "GD", 100),), "split", min_share=D("0.4")
    )
    result = allocate(problem)
    assert "minimum shares sum to 120% (over 100%) in lot L03: 3 winners x 40%" in result.message


def test_a_max_share_too_small_to_cover_the_lot_is_diagnosed():
    winners = tuple(Winner(f"W{i}", D("1.00"), 1000) for i in range(3))
    problem = AllocationProblem(
        "L04", winners, (Hospital("H1", "GD", 100),), "split", max_share=D("0.3")
    )
    result = allocate(problem)
    assert result.diagnosis[0].constraint == "max_share"
    assert result.diagnosis[0].shortfall == 10


def test_the_reserves_fallback_allocates_the_remainder_to_the_next_ranked_bidder():
    reserve = Winner("R1", D("0.90"), 2_000_000, rank=1)
    result = allocate(lot_l07(reserves=(reserve,)), SolverOptions(fallback="reserves"))
    assert result.ok
    assert result.fallback_used == "reserves: R1"
    reserve_total = next(t for t in result.winner_totals if t.winner_id == "R1")
    assert reserve_total.quantity == 1_200_000
    assert reserve_total.reserve
    assert result.diagnosis[0].constraint == "capacity"


def test_the_relax_min_share_fallback_drops_minimum_shares():
    winners = tuple(Winner(f"W{i}", D("1.00") + i, 1000) for i in range(3))
    problem = AllocationProblem(
        "L05", winners, (Hospital("H1", "GD", 100),), "split", min_share=D("0.4")
    )
    result = allocate(problem, SolverOptions(fallback="relax_min_share"))
    assert result.ok
    assert result.fallback_used == "relax_min_share"
    assert [(a.winner_id, a.quantity) for a in result.allocations] == [("W0", 100)]


def test_allocations_say_why_a_hospital_got_its_supplier():
    winners = (Winner("A", D("1.00"), 300), Winner("B", D("1.20"), 1000))
    hospitals = (Hospital("H1", "GD", 200), Hospital("H2", "GD", 250))
    result = allocate(AllocationProblem("L06", winners, hospitals, unit="tablets"))
    reasons = {a.hospital_id: a.reason for a in result.allocations}
    assert reasons["H2"] == "cheapest eligible supplier at 1.00 per unit"
    assert reasons["H1"].startswith("moved by capacity: cheaper A at 1.00 has 50 tablets left")


def test_the_only_eligible_supplier_is_named_as_such():
    winners = (Winner("A", D("1.00"), 300, frozenset({"BJ"})), Winner("B", D("1.20"), 1000))
    result = allocate(AllocationProblem("L08", winners, (Hospital("H1", "GD", 200),)))
    assert result.allocations[0].reason == "only eligible supplier in region GD"


def scale_problem(granularity, n=12):
    winners = tuple(
        Winner(
            f"W{i}",
            D(100 + 7 * i) / 100,
            n * 115 * (5 + i) // 20,
            None if i % 2 else frozenset({"R0", "R1", "R2"}),
        )
        for i in range(6)
    )
    hospitals = tuple(Hospital(f"H{i:03d}", f"R{i % 4}", 20 + (i * 37) % 190) for i in range(n))
    min_share = D(0) if granularity == "region" else D("0.05")  # 4 regions, 6 winners
    return AllocationProblem("L09", winners, hospitals, granularity, min_share=min_share)


@pytest.mark.parametrize("granularity", ["single", "region", "split"])
def test_pulp_cbc_pulp_highs_and_direct_highspy_agree_on_the_objective(granularity):
    problem = scale_problem(granularity)
    runs = [
        allocate(problem, SolverOptions(solver="cbc", backend="pulp", mip_gap=0)),
        allocate(problem, SolverOptions(solver="highs", backend="pulp", mip_gap=0)),
        allocate(problem, SolverOptions(backend="highspy", lp_rounding=False, mip_gap=0)),
    ]
    assert all(r.ok for r in runs)
    assert len({r.objective for r in runs}) == 1


def test_lp_rounding_stays_within_the_gap_of_the_exact_model():
    problem = scale_problem("single", n=400)
    exact = allocate(problem, SolverOptions(backend="highspy", lp_rounding=False))
    rounded = allocate(problem, SolverOptions(backend="highspy", lp_rounding=True))
    assert_constraints_hold(problem, rounded)
    assert rounded.gap <= D("0.001")
    assert rounded.objective <= exact.objective * D("1.001")


def test_the_same_input_gives_the_same_allocation():
    problem = scale_problem("single", n=200)
    options = SolverOptions(backend="highspy")
    assert allocate(problem, options).allocations == allocate(problem, options).allocations


def test_allocate_many_solves_lots_in_a_pool_in_input_order():
    problems = [scale_problem("region"), scale_problem("split")]
    pooled = allocate_many(problems, workers=2)
    serial = [allocate(p) for p in problems]
    assert [r.allocations for r in pooled] == [r.allocations for r in serial]


@pytest.mark.parametrize("n", [12, 60, 400])
def test_the_region_aggregated_lp_has_the_hospital_lp_optimum(n):
    from procurement.award.optimizer.highs import _aggregate_lp, solve_arrays
    from procurement.award.optimizer.model import build_model

    model = build_model(scale_problem("single", n=n))
    options = SolverOptions()
    aggregated, whole = _aggregate_lp(model, options)
    full = solve_arrays(model, options, False, 60.0)
    assert aggregated.lp_bound == pytest.approx(full.lp_bound, rel=1e-9)
    # Every hospital is assigned whole at most once, and only to an eligible winner column.
    assert whole is not None
    assert len(set(model.col_unit[whole].tolist())) == int(whole.sum())
