"""PuLP backend: the readable reference formulation (DESIGN.md 5), solved by CBC or HiGHS.

minimise    sum_j cost_j x_j
subject to  sum_{j in unit u} x_j = 1 (binary) or q_u (split)           every unit fully served
            lower_w <= sum_{j of winner w} coef_j x_j <= upper_w         capacity and shares
            sum_{j of winner w} x_j >= 1                                  every winner a region
Both `status` and `sol_status` are checked: a time limit can report "Optimal" with only a
feasible (or, through PuLP's HiGHS API, no) integer solution.
"""

from __future__ import annotations

import time

import numpy as np
import pulp

from procurement.award.allocation import SolverOptions
from procurement.award.optimizer.highs import RawSolution
from procurement.award.optimizer.model import Model
from procurement.award.optimizer.quiet import QuietPulpHiGHS


def _solver(options: SolverOptions, time_limit: float) -> pulp.LpSolver:
    limit = max(float(time_limit), 0.01)
    if options.solver == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, gapRel=options.mip_gap, threads=1)
    return QuietPulpHiGHS(timeLimit=limit, gapRel=options.mip_gap, threads=1, random_seed=0)


def build_pulp(model: Model, relax: bool = False) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The PuLP problem; variable names come from column indices (stable, always valid)."""
    prob = pulp.LpProblem(f"lot_{_safe(model.problem.lot_id)}", pulp.LpMinimize)
    cat = pulp.LpContinuous if relax else pulp.LpInteger
    uppers, costs, coefs = model.col_upper, model.cost, model.coef
    # PuLP >= 3.3 deprecates constructing LpVariable directly in favour of add_variable.
    new_var = getattr(prob, "add_variable", None) or pulp.LpVariable
    x = [
        new_var(f"x_{j:07d}", lowBound=0, upBound=float(uppers[j]), cat=cat)
        for j in range(model.n_cols)
    ]
    prob += pulp.lpSum(float(costs[j]) * x[j] for j in range(model.n_cols))
    by_unit: list[list[int]] = [[] for _ in model.unit_ids]
    by_winner: list[list[int]] = [[] for _ in model.winners]
    for j in range(model.n_cols):
        by_unit[int(model.col_unit[j])].append(j)
        by_winner[int(model.col_winner[j])].append(j)
    rhs = model.serve_rhs
    for u, cols in enumerate(by_unit):
        prob += pulp.lpSum(x[j] for j in cols) == float(rhs[u]), f"serve_{u:07d}"
    for w, cols in enumerate(by_winner):
        volume = pulp.lpSum(float(coefs[j]) * x[j] for j in cols)
        prob += volume <= model.upper[w], f"upper_{w:03d}"
        if model.lower[w] > 0:
            prob += volume >= model.lower[w], f"lower_{w:03d}"
        if w in model.min_one:
            prob += pulp.lpSum(x[j] for j in cols) >= 1, f"one_region_{w:03d}"
    return prob, x


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


def solve_pulp(model: Model, options: SolverOptions, relax: bool = False) -> RawSolution:
    """Solve with PuLP; map (status, sol_status) to a RawSolution without trusting either alone."""
    t0 = time.perf_counter()
    prob, x = build_pulp(model, relax)
    t1 = time.perf_counter()
    prob.solve(_solver(options, options.time_limit_s))
    t2 = time.perf_counter()
    raw = _read(prob, x, options)
    raw.build_s, raw.solve_s = t1 - t0, t2 - t1
    return raw


def _read(prob: pulp.LpProblem, x: list[pulp.LpVariable], options: SolverOptions) -> RawSolution:
    status, sol = prob.status, prob.sol_status
    if status == pulp.LpStatusInfeasible or sol == pulp.LpSolutionInfeasible:
        return RawSolution("infeasible", message=pulp.LpStatus[status])
    if options.solver == "highs" and prob.solverModel.getInfo().primal_solution_status != 2:
        return RawSolution("no_solution", message="HiGHS found no feasible solution")
    if sol == pulp.LpSolutionOptimal and status == pulp.LpStatusOptimal:
        state = "optimal"
    elif sol == pulp.LpSolutionIntegerFeasible:
        state = "feasible"
    else:
        return RawSolution("no_solution", message=f"{pulp.LpStatus[status]} / sol_status {sol}")
    values = np.array([v.varValue if v.varValue is not None else np.nan for v in x], dtype=float)
    if np.isnan(values).any():
        return RawSolution("no_solution", message="solver left variables without values")
    return RawSolution(state, values, message=pulp.LpStatus[status])
