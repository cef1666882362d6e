"""highspy backend: the model's sparse arrays passed to HiGHS with `Highs.passModel`.

Single sourcing at scale (DESIGN.md 5): solve the LP relaxation, keep every hospital the LP
assigns whole, and re-solve the split hospitals plus the cheapest-to-move ones (smallest volume
per winner) as a small MIP against the residual capacities; widen that set when it is
infeasible. The LP optimum is the proven bound reported as the gap.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import highspy
import numpy as np

from procurement.award.allocation import SolverOptions
from procurement.award.optimizer_model import Model, csc_arrays

_FIXED_TOL = 1e-6


@dataclass
class RawSolution:
    """What a backend found. `status`: optimal | feasible | infeasible | no_solution | error."""

    status: str
    values: np.ndarray | None = None
    lp_bound: float | None = None
    build_s: float = 0.0
    solve_s: float = 0.0
    message: str = ""


def new_highs(options: SolverOptions, time_limit: float) -> highspy.Highs:
    """A silent, single-threaded, seeded HiGHS instance (determinism)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    return h


def _highs_lp(model: Model) -> highspy.HighsLp:
    start, index, value, row_lower, row_upper = csc_arrays(model)
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = row_lower.size
    lp.col_cost_ = model.cost
    lp.col_lower_ = np.zeros(model.n_cols)
    lp.col_upper_ = model.col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    return lp


def solve_arrays(
    model: Model,
    options: SolverOptions,
    integer: bool,
    time_limit: float,
    abs_gap: float | None = None,
) -> RawSolution:
    """Build and solve the model with highspy; `integer=False` solves the LP relaxation."""
    t0 = time.perf_counter()
    lp = _highs_lp(model)
    h = new_highs(options, time_limit)
    if abs_gap is not None:
        h.setOptionValue("mip_abs_gap", abs_gap)
    h.passModel(lp)
    if integer and model.n_cols:
        h.changeColsIntegrality(
            model.n_cols,
            np.arange(model.n_cols, dtype=np.int32),
            np.full(model.n_cols, highspy.HighsVarType.kInteger.value, dtype=np.uint8),
        )
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    raw = _read(h, integer)
    raw.build_s, raw.solve_s = t1 - t0, t2 - t1
    return raw


def _read(h: highspy.Highs, integer: bool) -> RawSolution:
    status = h.getModelStatus()
    info = h.getInfo()
    ms = highspy.HighsModelStatus
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return RawSolution("infeasible", message=h.modelStatusToString(status))
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if not has_solution:
        return RawSolution("no_solution", message=h.modelStatusToString(status))
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    optimal = status == ms.kOptimal
    bound = None
    if integer and optimal:
        bound = float(info.mip_dual_bound)
    elif not integer and optimal:
        bound = float(info.objective_function_value)
    return RawSolution("optimal" if optimal else "feasible", values, bound, message=str(status))


def solve_direct(model: Model, options: SolverOptions) -> RawSolution:
    """Region/split (or small single) models: the exact MIP, plus the LP bound."""
    deadline = time.perf_counter() + options.time_limit_s
    lp = solve_arrays(model, options, integer=False, time_limit=options.time_limit_s)
    if lp.status == "infeasible":
        return lp
    remaining = deadline - time.perf_counter()
    mip = solve_arrays(model, options, integer=True, time_limit=remaining)
    mip.lp_bound = lp.lp_bound
    mip.build_s += lp.build_s
    mip.solve_s += lp.solve_s
    return mip


def solve_single_by_rounding(model: Model, options: SolverOptions) -> RawSolution:
    """LP, keep whole assignments, re-solve split and cheapest-to-move units as a small MIP."""
    deadline = time.perf_counter() + options.time_limit_s
    lp = solve_arrays(model, options, integer=False, time_limit=options.time_limit_s)
    if lp.status != "optimal" or lp.values is None:
        return lp
    whole = lp.values >= 1.0 - _FIXED_TOL
    fixed_unit = np.zeros(len(model.unit_ids), dtype=bool)
    fixed_unit[model.col_unit[whole]] = True
    bound = float(lp.lp_bound or 0.0)
    # The small MIP's tolerance is the whole lot's: its own relative gap would be far stricter.
    abs_gap = float(options.mip_gap) * bound / 2
    best = RawSolution("no_solution", None, lp.lp_bound, lp.build_s, lp.solve_s)
    per_winner = 24
    while True:
        free = _free_units(model, whole, fixed_unit, per_winner)
        sub, sub_cols = _submodel(model, free, whole)
        raw = solve_arrays(sub, options, True, deadline - time.perf_counter(), abs_gap)
        best.build_s, best.solve_s = best.build_s + raw.build_s, best.solve_s + raw.solve_s
        if raw.values is not None:
            values = np.where(whole & ~free[model.col_unit], 1.0, 0.0)
            values[sub_cols] = np.round(raw.values)
            objective = float(model.cost @ values)
            if best.values is None or objective < float(model.cost @ best.values):
                # Only a full-model MIP proves optimality itself; otherwise the LP bound decides.
                best.values, best.message = values, raw.message
                best.status = raw.status if free.all() else "feasible"
            if objective - bound <= float(options.mip_gap) * objective:
                break
        best.message = best.message or raw.message
        if free.all() or time.perf_counter() >= deadline or per_winner > 1_000:
            break
        per_winner *= 4
    if best.values is None:
        best.status = raw.status
    return best


def _free_units(model: Model, whole: np.ndarray, fixed_unit: np.ndarray, k: int) -> np.ndarray:
    """Units the small MIP may reassign: split ones plus the k smallest per winner."""
    free = ~fixed_unit
    cols = np.nonzero(whole)[0]
    units, winners = model.col_unit[cols], model.col_winner[cols]
    order = np.lexsort((units, model.unit_qty[units], winners))
    units, winners = units[order], winners[order]
    for w in range(len(model.winners)):
        free[units[winners == w][:k]] = True
    return free


def _submodel(model: Model, free: np.ndarray, whole: np.ndarray) -> tuple[Model, np.ndarray]:
    """The model restricted to free units, with winner bounds net of the kept assignments."""
    kept = whole & ~free[model.col_unit]
    kept_qty = np.zeros(len(model.winners), dtype=np.int64)
    np.add.at(kept_qty, model.col_winner[kept], model.unit_qty[model.col_unit[kept]])
    sub_cols = np.nonzero(free[model.col_unit])[0]
    new_index = np.cumsum(free) - 1
    units = np.nonzero(free)[0]
    sub = dataclasses.replace(
        model,
        unit_ids=[model.unit_ids[u] for u in units],
        unit_region=[model.unit_region[u] for u in units],
        unit_members=[model.unit_members[u] for u in units],
        unit_qty=model.unit_qty[units],
        col_unit=new_index[model.col_unit[sub_cols]],
        col_winner=model.col_winner[sub_cols],
        lower=[max(0, lo - int(k)) for lo, k in zip(model.lower, kept_qty, strict=True)],
        upper=[up - int(k) for up, k in zip(model.upper, kept_qty, strict=True)],
        min_one=[],
    )
    return sub, sub_cols
