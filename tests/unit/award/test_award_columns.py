"""Buyers, fixed supplies and allocations as columns (issue 19's 200,000-buyer lots): they read
as the tuples of dataclasses they stand for, pickle as columns, and the optimizer gives the
same plan whichever form the lot comes in."""

import dataclasses
import pickle
from decimal import Decimal as D

import pytest

from procurement.award.allocation import (
    Buyers,
    FixedSupply,
    Supplies,
    hospital_columns,
    supply_columns,
)
from procurement.award.optimizer import (
    AllocationProblem,
    Hospital,
    SolverOptions,
    Winner,
    allocate,
    allocate_many,
)
from procurement.award.optimizer.check import compact_plan, expand_allocations, winner_totals
from procurement.award.optimizer.lines import Lines
from procurement.award.optimizer.model import build_model

HOSPITALS = (Hospital("H2", "GD", 60), Hospital("H1", "GD", 80), Hospital("H3", "BJ", 0))


def test_buyers_read_as_the_tuple_of_hospitals():
    buyers = Buyers(*hospital_columns(HOSPITALS))
    assert buyers == HOSPITALS
    assert tuple(buyers) == HOSPITALS
    assert len(buyers) == 3
    assert buyers[1] == Hospital("H1", "GD", 80)
    assert buyers[-1] == Hospital("H3", "BJ", 0)
    assert buyers[:2] == HOSPITALS[:2]
    assert list(buyers) == list(HOSPITALS)
    assert buyers.columns == (("H2", "H1", "H3"), ("GD", "GD", "BJ"), (60, 80, 0))
    assert hash(buyers) == hash(HOSPITALS)
    assert buyers != HOSPITALS[:2]
    with pytest.raises(IndexError):
        buyers[3]


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="columns"):
        Buyers(("H1", "H2"), ("GD",), (1, 2))


def test_a_problem_checks_columns_as_it_checks_tuples():
    winners = (Winner("A", D("1.00"), 300),)
    with pytest.raises(ValueError, match="unique"):
        AllocationProblem("L1", winners, Buyers(("H1", "H1"), ("GD", "GD"), (1, 2)))
    with pytest.raises(ValueError, match="non-negative"):
        AllocationProblem("L1", winners, Buyers(("H1",), ("GD",), (-1,)))
    with pytest.raises(ValueError, match="fixed quantities"):
        AllocationProblem("L1", winners, HOSPITALS, fixed=Supplies(("H9",), ("GD",), ("A",), (5,)))


def brand_problem(columns: bool) -> AllocationProblem:
    """Two winners in one region and brand reports fixing part of H1 and H2 (hand-made)."""
    winners = (Winner("A", D("1.00"), 300), Winner("B", D("1.20"), 1000))
    hospitals = (Hospital("H1", "GD", 150), Hospital("H2", "GD", 250), Hospital("H3", "GD", 40))
    fixed = (FixedSupply("H1", "GD", "A", 50), FixedSupply("H2", "GD", "B", 10))
    if columns:
        return AllocationProblem(
            "L07",
            winners,
            Buyers(*hospital_columns(hospitals)),
            unit="tablets",
            fixed=Supplies(*supply_columns(fixed)),
        )
    return AllocationProblem("L07", winners, hospitals, unit="tablets", fixed=fixed)


def test_the_plan_is_the_same_for_columns_and_tuples():
    plain, columns = allocate(brand_problem(False)), allocate(brand_problem(True))
    assert plain.ok
    assert columns.ok
    assert columns.allocations == plain.allocations
    assert tuple(columns.allocations) == tuple(plain.allocations)
    assert (columns.objective, columns.winner_totals) == (plain.objective, plain.winner_totals)
    # Quantities are the open rest. A's room is 300 - 50 fixed = 250: H2's 250 fills it
    # (cost 300 + 1.20 x 200 = 540) rather than H1 and H3 (150 + 40: 240 + 1.20 x 260 = 552).
    by_line = {(a.hospital_id, a.winner_id): (a.quantity, a.fixed) for a in plain.allocations}
    assert by_line == {
        ("H1", "A"): (50, 50),
        ("H1", "B"): (150, 0),
        ("H2", "A"): (250, 0),
        ("H2", "B"): (10, 10),
        ("H3", "B"): (40, 0),
    }
    assert plain.objective == D("540.00")


def test_a_problem_pickles_its_buyers_and_supplies_as_columns():
    problem = brand_problem(False)
    again = pickle.loads(pickle.dumps(problem))
    assert again == problem
    assert isinstance(again.hospitals, Buyers)
    assert isinstance(again.fixed, Supplies)
    assert again.total_quantity == problem.total_quantity == 150 + 250 + 40 + 60
    assert again.fixed_of("A") == 50
    assert again.fixed_of("B") == 10


def test_allocate_many_gives_the_plan_of_allocate_for_columns():
    problems = [brand_problem(True), dataclasses.replace(brand_problem(False), lot_id="L08")]
    pooled = allocate_many(problems, SolverOptions(), workers=2)
    serial = [allocate(p) for p in problems]
    assert [r.allocations for r in pooled] == [r.allocations for r in serial]


def test_lines_read_as_the_expanded_allocations_with_the_quoted_need_filled_in():
    winners = (Winner("A", D("1.00"), 100), Winner("B", D("2.00"), 1000))
    problem = AllocationProblem("L09", winners, HOSPITALS, unit="tablets")
    model = build_model(problem)
    result = allocate(problem)
    assert isinstance(result.allocations, Lines)
    assert result.allocations == expand_allocations(
        problem, compact_plan(model, _quantities(model, result), winner_totals_of(model, result))
    )
    h1, h2 = result.allocations[0], result.allocations[-1]
    assert (h1.hospital_id, h1.winner_id, h1.reason) == (
        "H1",
        "A",
        "cheapest eligible supplier at 1.00 per unit",
    )
    # A (capacity 100) supplies H1's 80: 20 left, H2 needs 60 (hand-computed).
    assert (h2.hospital_id, h2.winner_id, h2.amount) == ("H2", "B", D("120.00"))
    assert h2.reason == (
        "moved by capacity: cheaper A at 1.00 has 20 tablets left under its capacity, this needs 60"
    )
    assert h2.reason.params["needed"] == "60"  # translated from the template when shown
    assert len(result.allocations) == 2
    assert result.allocations[1] == h2


def _quantities(model, result):
    import numpy as np

    qty = np.zeros(model.n_cols, dtype=np.int64)
    winner_index = {w.id: i for i, w in enumerate(model.winners)}
    unit_index = {u: i for i, u in enumerate(model.unit_ids)}
    for a in result.allocations:
        u, w = unit_index[a.hospital_id], winner_index[a.winner_id]
        j = int(np.nonzero((model.col_unit == u) & (model.col_winner == w))[0][0])
        qty[j] = a.quantity
    return qty


def winner_totals_of(model, result):
    return winner_totals(model, _quantities(model, result))
