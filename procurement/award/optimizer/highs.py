"""highspy backend: the model's sparse arrays passed to HiGHS with `Highs.passModel`.

Single sourcing at scale (DESIGN.md 5): solve the LP relaxation, keep every hospital the LP
assigns whole, and re-solve the split hospitals plus the cheapest-to-move ones (smallest volume
per winner) as a small MIP against the residual capacities; widen that set when it is
infeasible. The LP optimum is the proven bound reported as the gap.

The LP relaxation is solved on the region-level aggregate: eligibility depends only on the
region and a hospital's cost and volume both scale with its quantity, so every hospital-level
LP solution maps to region flows y[r, w] = sum_h q_h x[h, w] of the same cost and winner
volumes, and every region flow maps back (x[h, w] = y[r, w] / Q_r). The two LPs have the same
optimum; the aggregate has at most regions x winners columns instead of hospitals x winners.
A vertex of the aggregate is spread back over the hospitals region by region in id order
("north-west corner"), which leaves at most (winners with flow in the region - 1) hospitals
split per region; those go to the small MIP.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import highspy
import numpy as np

from procurement.award.allocation import SolverOptions
from procurement.award.optimizer.model import Model, csc_arrays
from procurement.award.optimizer.quiet import QuietHighs
from procurement.award.optimizer.starts import greedy_start, improve_by_swaps

_FIXED_TOL = 1e-6
_ROUND_S = 5.0  # time limit of every widening round but the last
_WIDENING = (0, 8, 24, 64, 256, 1_024)


@dataclass
class RawSolution:
    """What a backend found. `status`: optimal | feasible | infeasible | no_solution | error."""

    status: str
    values: np.ndarray | None = None
    lp_bound: float | None = None
    build_s: float = 0.0
    solve_s: float = 0.0
    message: str = ""
    row_dual: np.ndarray | None = None  # the LP's row duals (an optimal LP only)
    dual_bound: float | None = None  # the MIP's proven lower bound, whatever its status
    bound_kind: str = "lp"  # what `lp_bound` is: "lp", "search" or "mip" (region.py)


def new_highs(options: SolverOptions, time_limit: float) -> highspy.Highs:
    """A silent, single-threaded, seeded HiGHS instance (determinism)."""
    h = QuietHighs()
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)  # lots run in a process pool: one thread per process
    h.setOptionValue("parallel", "off")
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
    start: np.ndarray | None = None,
    target: float | None = None,
) -> RawSolution:
    """Build and solve the model with highspy; `integer=False` solves the LP relaxation.
    `start` is a candidate integer solution (warm start) HiGHS checks and keeps if feasible."""
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
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = np.asarray(start, dtype=np.float64)
            solution.value_valid = True
            h.setSolution(solution)
        if target is not None:
            # Stop as soon as the incumbent is good enough for the whole lot's gap.
            def _stop(event: object) -> None:
                if event.data_out.objective_function_value <= target:  # type: ignore[attr-defined]
                    event.interrupt()  # type: ignore[attr-defined]

            h.cbMipInterrupt.subscribe(_stop)
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
    if status == ms.kInterrupt and info.primal_solution_status == 2:
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        raw = RawSolution("feasible", values, message="good enough for the lot's gap")
        raw.dual_bound = float(info.mip_dual_bound)
        return raw
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return RawSolution("infeasible", message=h.modelStatusToString(status))
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if not has_solution:
        return RawSolution("no_solution", message=h.modelStatusToString(status))
    solution = h.getSolution()
    values = np.asarray(solution.col_value, dtype=np.float64)
    optimal = status == ms.kOptimal
    bound = None
    if integer and optimal:
        bound = float(info.mip_dual_bound)
    elif not integer and optimal:
        bound = float(info.objective_function_value)
    raw = RawSolution("optimal" if optimal else "feasible", values, bound, message=str(status))
    if integer:
        raw.dual_bound = float(info.mip_dual_bound)
    elif optimal and solution.dual_valid:
        raw.row_dual = np.asarray(solution.row_dual, dtype=np.float64)
    return raw


def solve_direct(model: Model, options: SolverOptions) -> RawSolution:
    """Split (or small single) models: the exact MIP, plus the LP bound. Region sourcing has its
    own path (`region.solve_region`)."""
    deadline = time.perf_counter() + options.time_limit_s
    lp = solve_arrays(model, options, integer=False, time_limit=options.time_limit_s)
    if lp.status == "infeasible":
        return lp
    remaining = deadline - time.perf_counter()
    mip = solve_arrays(model, options, True, remaining)
    mip.lp_bound = lp.lp_bound
    mip.build_s += lp.build_s
    mip.solve_s += lp.solve_s
    return mip


def solve_single_by_rounding(model: Model, options: SolverOptions) -> RawSolution:
    """LP, keep whole assignments, re-solve the split units as a tiny MIP; widen it with the
    cheapest-to-move units (the k smallest per winner, k = 0, 4, 16, ...) only while the
    lot's gap target (`options.mip_gap` against the LP bound) is not met."""
    deadline = time.perf_counter() + options.time_limit_s
    lp, whole = _aggregate_lp(model, options)
    if lp.status != "optimal" or whole is None:
        return lp
    fixed_unit = np.zeros(len(model.unit_ids), dtype=bool)
    fixed_unit[model.col_unit[whole]] = True
    bound = float(lp.lp_bound or 0.0)
    gap = float(options.mip_gap)
    # Good enough for the whole lot: objective <= bound * (1 + 0.9 gap) implies gap <= target.
    good_enough = bound * (1 + 0.9 * gap)
    best = RawSolution("no_solution", None, lp.lp_bound, lp.build_s, lp.solve_s)
    best_objective = np.inf
    cost = model.cost
    raw = best
    for per_winner in _WIDENING:
        free = _free_units(model, whole, fixed_unit, per_winner)
        sub, sub_cols = _submodel(model, free, whole)
        kept = whole & ~free[model.col_unit]
        kept_cost = float(cost[kept].sum())
        target = good_enough - kept_cost
        # The sub-MIP's own tolerance is the lot's: an absolute slack against the LP bound.
        abs_gap = max(good_enough - bound, 0.0)
        start = greedy_start(sub) if best.values is None else _previous_start(sub, best, sub_cols)
        last = free.all() or per_winner == _WIDENING[-1]
        limit = deadline - time.perf_counter()
        if not last:
            limit = min(limit, _ROUND_S)
        raw = solve_arrays(sub, options, True, limit, abs_gap, start, target)
        best.build_s, best.solve_s = best.build_s + raw.build_s, best.solve_s + raw.solve_s
        if raw.values is not None:
            values = np.where(kept, 1.0, 0.0)
            values[sub_cols] = np.round(raw.values)
            objective = float(cost @ values)
            if objective < best_objective:
                # Only a full-model MIP proves optimality itself; otherwise the LP bound decides.
                best.values, best.message, best_objective = values, raw.message, objective
                best.status = raw.status if free.all() else "feasible"
                best.message = f"LP rounding, {int(free.sum())} unit(s) re-solved"
            if objective <= good_enough or (free.all() and raw.status == "optimal"):
                break
        if last or time.perf_counter() >= deadline:
            break
    if best.values is None:
        best.status = raw.status
        best.message = raw.message
    return best


def _aggregate_lp(model: Model, options: SolverOptions) -> tuple[RawSolution, np.ndarray | None]:
    """The LP relaxation on region flows, and the hospital columns its vertex assigns whole."""
    t0 = time.perf_counter()
    _, unit_r = model.unit_region_index
    n_w = len(model.winners)
    key = unit_r[model.col_unit] * n_w + model.col_winner
    agg_keys = np.unique(key)
    n_r = int(unit_r.max()) + 1 if unit_r.size else 0
    region_qty = np.zeros(n_r, dtype=np.int64)
    np.add.at(region_qty, unit_r, model.unit_qty)
    agg = dataclasses.replace(
        model,
        unit_ids=[str(r) for r in range(n_r)],
        unit_region=[str(r) for r in range(n_r)],
        unit_qty=region_qty,
        col_unit=agg_keys // n_w,
        col_winner=agg_keys % n_w,
        binary=False,
        min_one=[],
        member_start=None,
        member_pos=None,
    )
    build_s = time.perf_counter() - t0
    lp = solve_arrays(agg, options, integer=False, time_limit=options.time_limit_s)
    lp.build_s += build_s
    if lp.status != "optimal" or lp.values is None:
        return lp, None
    t1 = time.perf_counter()
    whole = _north_west_corner(model, unit_r, agg, lp.values)
    lp.build_s += time.perf_counter() - t1
    return lp, whole


def _north_west_corner(
    model: Model, unit_r: np.ndarray, agg: Model, flows: np.ndarray
) -> np.ndarray:
    """Hospital columns wholly inside one winner's share of their region's flow.

    Regions are laid end to end on one line (hospitals in id order within a region, flows in
    winner order within a region); a hospital whose segment lies inside one flow's segment
    goes whole to that flow's winner. Integer positions keep it exact."""
    flow = np.rint(flows).astype(np.int64)
    flow = np.maximum(flow, 0)
    # Make each region's flows add up exactly to its volume (rounding noise only).
    per_region = np.zeros(agg.unit_qty.size, dtype=np.int64)
    np.add.at(per_region, agg.col_unit, flow)
    for r in np.nonzero(per_region != agg.unit_qty)[0]:
        cols = np.nonzero(agg.col_unit == r)[0]
        biggest = cols[np.argmax(flow[cols])]
        flow[biggest] += int(agg.unit_qty[r] - per_region[r])
    flow_end = np.cumsum(flow)  # agg columns are sorted by (region, winner)
    order = np.lexsort((np.arange(unit_r.size), unit_r))
    unit_end = np.empty(unit_r.size, dtype=np.int64)
    unit_end[order] = np.cumsum(model.unit_qty[order])
    unit_start = unit_end - model.unit_qty
    first = np.searchsorted(flow_end, unit_start, side="right")
    last = np.searchsorted(flow_end, unit_end, side="left")
    inside = (first == last) & (first < flow_end.size)
    units = np.nonzero(inside)[0]
    winners = agg.col_winner[first[units]]
    n_w = len(model.winners)
    col_key = model.col_unit * n_w + model.col_winner  # sorted: columns are by unit, winner
    cols = np.searchsorted(col_key, units * n_w + winners)
    whole = np.zeros(model.n_cols, dtype=bool)
    whole[cols] = True
    return whole


def _previous_start(sub: Model, best: RawSolution, sub_cols: np.ndarray) -> np.ndarray:
    """The previous round's plan restricted to the widened sub-model (feasible there: the newly
    freed units keep their winners), improved by swaps."""
    assert best.values is not None
    values: np.ndarray = best.values[sub_cols].copy()
    load = np.zeros(len(sub.winners), dtype=np.int64)
    chosen = np.nonzero(values > 0.5)[0]
    np.add.at(load, sub.col_winner[chosen], sub.unit_qty[sub.col_unit[chosen]])
    improve_by_swaps(sub, values, load)
    return values


def _free_units(model: Model, whole: np.ndarray, fixed_unit: np.ndarray, k: int) -> np.ndarray:
    """Units the small MIP may reassign: the split ones plus, per winner, k of its whole units
    spread evenly over its volume range (smallest to largest, by quantile), so that subsets of
    them can fill any residual room a cheaper winner has left."""
    free = ~fixed_unit
    if k <= 0:
        return free
    cols = np.nonzero(whole)[0]
    units, winners = model.col_unit[cols], model.col_winner[cols]
    order = np.lexsort((units, model.unit_qty[units], winners))
    units, winners = units[order], winners[order]
    for w in range(len(model.winners)):
        mine = units[winners == w]
        if mine.size <= k:
            free[mine] = True
            continue
        # Quantile positions, denser among the small units (geometric spacing).
        pos = np.unique(np.rint(np.geomspace(1, mine.size, k)).astype(np.int64) - 1)
        free[mine[pos]] = True
        free[mine[: k // 2]] = True
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
        unit_qty=model.unit_qty[units],
        col_unit=new_index[model.col_unit[sub_cols]],
        col_winner=model.col_winner[sub_cols],
        lower=[max(0, lo - int(k)) for lo, k in zip(model.lower, kept_qty, strict=True)],
        upper=[up - int(k) for up, k in zip(model.upper, kept_qty, strict=True)],
        min_one=[],
        member_start=None,
        member_pos=None,
    )
    return sub, sub_cols
