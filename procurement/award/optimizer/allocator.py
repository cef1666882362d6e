"""`allocate` and `allocate_many`: one lot, or many lots in a process pool (see the package)."""

from __future__ import annotations

import atexit
import dataclasses
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from typing import TypedDict

import numpy as np

from procurement.award.allocation import (
    AllocationProblem,
    AllocationResult,
    Diagnosis,
    SolverOptions,
    Timings,
)
from procurement.award.optimizer.check import (
    CompactPlan,
    column_quantities,
    compact_plan,
    plan_objective,
    region_backups,
    violations,
    winner_summary,
    winner_totals,
)
from procurement.award.optimizer.diagnosis import after_solver, precheck, suggestions
from procurement.award.optimizer.fixed import add_fixed, fixed_cost, open_gap, plan_gap
from procurement.award.optimizer.highs import (
    RawSolution,
    solve_arrays,
    solve_direct,
    solve_single_by_rounding,
)
from procurement.award.optimizer.lines import Lines
from procurement.award.optimizer.model import Model, build_model
from procurement.award.optimizer.pulp_backend import solve_pulp
from procurement.award.optimizer.region import solve_region
from procurement.core.money import round_amount


class _Identity(TypedDict):
    """The fields every result of one attempt carries, whatever its status."""

    lot_id: str
    solver: str
    backend: str


def allocate(problem: AllocationProblem, options: SolverOptions | None = None) -> AllocationResult:
    """Solve one lot; when infeasible, apply `options.fallback` (if any) and say what was done."""
    result, plan = _allocate_compact(problem, options)
    return _expand(problem, result, plan)


def _allocate_compact(
    problem: AllocationProblem, options: SolverOptions | None = None
) -> tuple[AllocationResult, CompactPlan | None]:
    """`allocate` without the Allocation dataclasses: the plan stays arrays (what a worker
    process sends back; the parent expands it)."""
    options = options or SolverOptions()
    t0, c0 = time.perf_counter(), time.process_time()
    result, plan = _attempt(problem, options, 0)
    if result.status == "infeasible" and options.fallback != "none":
        result, plan = _fallback(problem, options, result)
    timings = dataclasses.replace(
        result.timings, total_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0
    )
    return dataclasses.replace(result, timings=timings), plan


def _expand(
    problem: AllocationProblem, result: AllocationResult, plan: CompactPlan | None
) -> AllocationResult:
    if plan is None:
        return result
    return dataclasses.replace(result, allocations=Lines(problem, plan))


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """One process pool per worker count, reused across calls (spawning costs ~1 s)."""
    pool = _POOLS.get(workers)
    if pool is None:
        context = multiprocessing.get_context("spawn")
        pool = _POOLS[workers] = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    return pool


@atexit.register
def _close_pools() -> None:
    for pool in _POOLS.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _POOLS.clear()


def allocate_many(
    problems: Sequence[AllocationProblem], options: SolverOptions | None = None, workers: int = 2
) -> list[AllocationResult]:
    """Solve independent lots in a process pool (results in input order). Workers send back
    compact arrays; the Allocation dataclasses are built here."""
    if workers <= 1 or len(problems) <= 1:
        return [allocate(p, options) for p in problems]
    pool = _pool(workers)
    try:
        compact = list(
            pool.map(_allocate_compact, problems, [options] * len(problems), chunksize=1)
        )
    except Exception:
        _POOLS.pop(workers, None)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return [_expand(p, r, plan) for p, (r, plan) in zip(problems, compact, strict=True)]


def choose_backend(model: Model, options: SolverOptions) -> str:
    """`pulp` for small models or CBC, `highspy` above the size threshold, for region sourcing
    with HiGHS, or when asked."""
    if options.backend != "auto":
        return options.backend
    if options.solver == "highs" and model.n_cols > options.direct_threshold:
        return "highspy"
    if options.solver == "highs" and model.problem.granularity == "region":
        return "highspy"  # the MIP gets a constructed start (`region_start`)
    return "pulp"


def _attempt(
    problem: AllocationProblem, options: SolverOptions, reserves: int
) -> tuple[AllocationResult, CompactPlan | None]:
    model = build_model(problem, reserves)
    backend = choose_backend(model, options)
    base = _Identity(lot_id=problem.lot_id, solver=options.solver, backend=backend)
    if not model.unit_ids and not problem.fixed:
        done = AllocationResult(
            status="optimal",
            proven_optimal=True,
            objective=Decimal("0.00"),
            message="no agreed volume to allocate",
            **base,
        )
        return done, None
    found = precheck(model)
    if found:
        return _infeasible(model, found, base), None
    lot_gap = options.mip_gap  # the lot's gap; the solver works to the open part's (wider) one
    options = dataclasses.replace(options, mip_gap=open_gap(problem, options.mip_gap))
    if not model.unit_ids:  # brand reports fixed the whole lot
        empty = RawSolution("optimal", np.zeros(0), 0.0)
        return _plan(model, empty, options, base, Timings(), lot_gap)
    raw = _solve(model, options, backend)
    timings = Timings(raw.build_s, raw.solve_s)
    if raw.status == "infeasible":
        found = [_diagnose(model, options)]
        return dataclasses.replace(_infeasible(model, found, base), timings=timings), None
    if raw.values is None:
        message = f"no integer solution within {options.time_limit_s:g} s ({raw.message})"
        return AllocationResult(status="error", timings=timings, message=message, **base), None
    return _plan(model, raw, options, base, timings, lot_gap)


def _solve(model: Model, options: SolverOptions, backend: str) -> RawSolution:
    if backend == "pulp":
        raw = solve_pulp(model, options)
        if raw.values is not None:
            raw.lp_bound = solve_arrays(model, options, False, options.time_limit_s).lp_bound
        return raw
    if model.problem.granularity == "single" and options.lp_rounding:
        return solve_single_by_rounding(model, options)
    if model.problem.granularity == "region":
        return solve_region(model, options)
    return solve_direct(model, options)


def _infeasible(model: Model, found: list[Diagnosis], base: _Identity) -> AllocationResult:
    message = "; ".join(d.message for d in found)
    return AllocationResult(
        status="infeasible",
        diagnosis=tuple(found),
        suggestions=tuple(suggestions(model)),
        message=message,
        **base,
    )


def _diagnose(model: Model, options: SolverOptions) -> Diagnosis:
    """Re-solve without minimum shares (integer) and without integrality (LP) to blame a family."""
    quick = dataclasses.replace(options, time_limit_s=min(options.time_limit_s, 10.0))
    relaxed = dataclasses.replace(model, lower=[0] * len(model.lower), min_one=[])
    relaxed_ok = (model.problem.min_share > 0 or bool(model.min_one)) and solve_arrays(
        relaxed, quick, True, quick.time_limit_s
    ).values is not None
    split_ok = solve_arrays(model, quick, False, quick.time_limit_s).values is not None
    return after_solver(model, relaxed_ok, split_ok and model.binary)


def _plan(
    model: Model,
    raw: RawSolution,
    options: SolverOptions,
    base: _Identity,
    timings: Timings,
    lot_gap: float,
) -> tuple[AllocationResult, CompactPlan | None]:
    """The solver's answer checked exactly; proven when optimal or, at the optimizer's cost,
    within ``lot_gap`` of the LP bound over the whole lot (fixed brand supplies included)."""
    assert raw.values is not None
    t0 = time.perf_counter()
    qty = column_quantities(model, raw.values)
    broken = violations(model, qty)
    if broken:
        message = "solver answer failed the exact check: " + "; ".join(broken[:5])
        return AllocationResult(status="error", timings=timings, message=message, **base), None
    plan = add_fixed(model, compact_plan(model, qty, winner_totals(model, qty)))
    totals = [t + f for t, f in zip(winner_totals(model, qty), model.fixed, strict=True)]
    objective = plan_objective(plan)
    lp_bound = (
        None
        if raw.lp_bound is None
        else round_amount(Decimal(f"{raw.lp_bound:.2f}") + fixed_cost(model.problem))
    )
    gap = plan_gap(_basis_cost(model, totals, objective), lp_bound)
    within_gap = gap is not None and gap <= Decimal(str(lot_gap))
    proven = raw.status == "optimal" or within_gap
    timings = dataclasses.replace(timings, check_s=time.perf_counter() - t0)
    result = AllocationResult(
        status="optimal" if proven else "feasible",
        proven_optimal=proven,
        winner_totals=tuple(winner_summary(model, totals, plan)),
        objective=objective,
        lp_bound=lp_bound,
        gap=gap,
        timings=timings,
        backups=tuple(region_backups(model, totals, qty)),
        bound="" if lp_bound is None else raw.bound_kind,
        message=f"{plan.quantity.size} allocation(s), {raw.message}{_bound_note(raw, lp_bound)}",
        **base,
    )
    return result, plan


_BOUND_NAMES = {"lp": "LP relaxation", "search": "packing search", "mip": "HiGHS branch and bound"}


def _bound_note(raw: RawSolution, lp_bound: Decimal | None) -> str:
    return "" if lp_bound is None else f"; bound: {_BOUND_NAMES[raw.bound_kind]}"


def _basis_cost(model: Model, totals: list[int], objective: Decimal) -> Decimal:
    """The plan at the optimizer's cost (what the LP bound bounds): the objective when every
    winner's cost is its own price, else the exact sum of volume x cost per winner."""
    if all(w.cost is None for w in model.winners):
        return objective
    return sum(
        (Decimal(t) * w.basis for t, w in zip(totals, model.winners, strict=True)), Decimal(0)
    )


def _fallback(
    problem: AllocationProblem, options: SolverOptions, first: AllocationResult
) -> tuple[AllocationResult, CompactPlan | None]:
    """Documented fallbacks, in order: relax minimum shares, then add reserves one by one."""
    candidates: list[tuple[str, AllocationProblem, int]] = []
    relaxed = dataclasses.replace(problem, min_share=Decimal(0), every_winner_gets_a_region=False)
    if options.fallback in ("relax_min_share", "both") and relaxed != problem:
        candidates.append(("relax_min_share", relaxed, 0))
    if options.fallback in ("reserves", "both"):
        base = relaxed if options.fallback == "both" else problem
        ordered = sorted(problem.reserves, key=lambda w: (w.rank, w.basis, w.id))
        for k in range(1, len(problem.reserves) + 1):
            used = ", ".join(w.id for w in ordered[:k])
            prefix = "relax_min_share+" if base is relaxed else ""
            candidates.append((f"{prefix}reserves: {used}", base, k))
    for label, candidate, k in candidates:
        result, plan = _attempt(candidate, options, k)
        if result.ok:
            note = f"fallback {label} after: {first.message}"
            return dataclasses.replace(
                result, fallback_used=label, diagnosis=first.diagnosis, message=note
            ), plan
    return first, None
