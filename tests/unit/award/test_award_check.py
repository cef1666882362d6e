"""The vectorised check, amounts and reasons equal the scalar implementation (the oracle)."""

import random
from decimal import Decimal as D

import numpy as np
import pytest

from procurement.award.optimizer import AllocationProblem, Hospital, Winner
from procurement.award.optimizer.check import (
    compact_plan,
    expand_allocations,
    region_backups,
    violations,
    winner_summary,
    winner_totals,
)
from procurement.award.optimizer.model import build_model
from tests.unit.award import legacy_check as legacy


def random_problem(rng, granularity):
    regions = [f"R{r}" for r in range(rng.randint(1, 6))]

    def some(n):
        return rng.randint(1, n)

    winners = tuple(
        Winner(
            f"W{rng.randint(0, 99):02d}-{i}",
            D(rng.randint(1, 99_999)) / 10_000,
            rng.randint(0, 4_000),
            None if rng.random() < 0.5 else frozenset(rng.sample(regions, some(len(regions)))),
        )
        for i in range(rng.randint(1, 6))
    )
    hospitals = tuple(
        Hospital(f"H{rng.randint(0, 10**6):07d}-{i}", rng.choice(regions), rng.randint(0, 900))
        for i in range(rng.randint(1, 40))
    )
    return AllocationProblem(
        "L01",
        winners,
        hospitals,
        granularity,
        D(rng.choice([0, 5, 10])) / 100,
        D(rng.choice([40, 60, 100])) / 100,
        "tablets",
        (),
        granularity == "region" and rng.random() < 0.5,
    )


def random_quantities(rng, model):
    """A random plan, valid or not: each unit to one (sometimes two) of its columns."""
    qty = np.zeros(model.n_cols, dtype=np.int64)
    for u in range(len(model.unit_ids)):
        cols = np.nonzero(model.col_unit == u)[0]
        if not cols.size or rng.random() < 0.05:
            continue
        q = int(model.unit_qty[u])
        if not model.binary and cols.size > 1 and rng.random() < 0.5:
            a, b = rng.sample(list(cols), 2)
            part = rng.randint(0, q)
            qty[a], qty[b] = part, q - part
        else:
            qty[rng.choice(list(cols))] = q
    return qty


@pytest.mark.parametrize("seed", range(60))
def test_vectorised_check_and_reasons_equal_the_scalar_oracle(seed):
    rng = random.Random(seed)
    problem = random_problem(rng, ["single", "region", "split"][seed % 3])
    model = build_model(problem)
    qty = random_quantities(rng, model)
    assert sorted(violations(model, qty)) == sorted(legacy.violations(model, qty))
    totals = winner_totals(model, qty)
    assert totals == legacy.winner_totals(model, qty)
    expected = legacy.build_allocations(model, qty, totals)
    plan = compact_plan(model, qty, totals)
    got = expand_allocations(problem, plan)
    assert list(got) == expected
    assert [str(a.amount) for a in got] == [str(a.amount) for a in expected]
    assert winner_summary(model, totals, plan) == legacy.winner_summary(model, totals, expected)
    assert region_backups(model, totals, qty) == legacy.region_backups(model, totals, qty)
