"""Brand reports in a solved plan (RULES.md 10): the quantities fixed before optimizing join the
optimizer's lines in the worker, as arrays (one line per hospital and winner, `fixed` saying
how much of it was fixed), hence the winners' totals and the objective; the LP bound gains their
cost (a constant the solver never saw) and the gap is computed on the whole plan."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from procurement.award.allocation import AllocationProblem, hospital_columns, supply_columns
from procurement.award.optimizer.check import CompactPlan, line_fen
from procurement.award.optimizer.model import Model
from procurement.core.messages import Message
from procurement.core.money import round_places

GAP_DECIMALS = 6


def plan_gap(cost: Decimal, lp: Decimal | None) -> Decimal | None:
    """(cost - bound) / cost, both at the optimizer's cost basis; 0 for a free plan."""
    if lp is None:
        return None
    if cost <= 0:
        return Decimal(0)
    return round_places(max(Decimal(0), (cost - lp) / cost), GAP_DECIMALS)


def open_gap(problem: AllocationProblem, mip_gap: float) -> float:
    """The gap target of the open part (what the solver sees) that keeps the whole lot within
    `mip_gap`: the fixed cost F is a constant, so a gap g' on the open cost C gives the lot
    g' x C / (C + F); with U >= C (open volume at the dearest cost), g' = g x (1 + F / U) is
    safe. Without fixed supplies, `mip_gap` itself."""
    return mip_gap * open_factor(problem)


def open_factor(problem: AllocationProblem) -> float:
    """1 + F / U of `open_gap` (1 without fixed supplies): the lot's gap is the open gap over it."""
    if not problem.fixed:
        return 1.0
    winners = {w.id: w for w in problem.winners}
    _, _, f_winners, f_quantities = supply_columns(problem.fixed)
    basis = {w_id: float(w.basis) for w_id, w in winners.items()}
    fixed = sum(basis[w] * q for w, q in zip(f_winners, f_quantities, strict=True))
    return _factor(problem, fixed, sum(hospital_columns(problem.hospitals)[2]))


def _factor(problem: AllocationProblem, fixed: float, open_volume: int) -> float:
    dearest = max(float(w.basis) for w in problem.winners + problem.reserves)
    upper = dearest * open_volume
    return 1 + fixed / upper if fixed > 0 and upper > 0 else 1.0


def good_enough(model: Model, bound: float, open_gap_: float, margin: float = 0.9) -> float:
    """An open cost C at or under which the whole lot is within its gap g against the LP bound:
    the lot's gap is (C - L) / (C + F) with L the open part's LP bound and F the fixed cost, and
    C <= L + g (L + F) implies it is <= g (C >= L). Much looser than the open part's own
    relative gap when brand reports fix a large share. `margin` keeps clear of rounding."""
    fixed = float(np.dot(model.prices, np.array(model.fixed, np.float64)))
    gap = open_gap_ / _factor(model.problem, fixed, int(model.unit_qty.sum()))
    return bound + margin * gap * (bound + fixed)


def add_fixed(model: Model, plan: CompactPlan) -> CompactPlan:
    """The plan with the problem's fixed supplies merged in: one line per hospital and winner
    (a fixed supply joins the optimizer's line of the same pair), `fixed` per line, amounts
    recomputed for every line (`line_fen`), still in (hospital id, winner id) order."""
    problem = model.problem
    if not problem.fixed:
        return plan
    assert model.hospital_rank is not None
    position = {h: i for i, h in enumerate(hospital_columns(problem.hospitals)[0])}
    slot = {w.id: i for i, w in enumerate(model.winners)}
    f_hospitals, _, f_winners, f_quantities = supply_columns(problem.fixed)
    f_pos = np.array([position[h] for h in f_hospitals], np.int64)
    f_win = np.array([slot[w] for w in f_winners], np.int64)
    f_qty = np.array(f_quantities, np.int64)
    id_rank = np.argsort(np.argsort([w.id for w in model.winners], kind="stable"), kind="stable")
    n_w = len(model.winners)
    pos = np.concatenate([plan.hospital_pos, f_pos])
    win = np.concatenate([plan.winner, f_win])
    keys, line = np.unique(model.hospital_rank[pos] * n_w + id_rank[win], return_inverse=True)
    quantity = np.zeros(keys.size, np.int64)
    np.add.at(quantity, line, np.concatenate([plan.quantity, f_qty]))
    fixed = np.zeros(keys.size, np.int64)
    np.add.at(fixed, line[plan.quantity.size :], f_qty)
    reasons = [*plan.reasons, Message("brand report: supplied directly to this hospital")]
    reason = np.full(keys.size, len(reasons) - 1, np.int64)
    reason[line[: plan.quantity.size]] = plan.reason
    needed = np.full(keys.size, -1, np.int64)
    if plan.needed is not None:
        needed[line[: plan.quantity.size]] = plan.needed
    hospital_pos, winner = np.empty(keys.size, np.int64), np.empty(keys.size, np.int64)
    hospital_pos[line], winner[line] = pos, win
    return CompactPlan(
        winners=plan.winners,
        hospital_pos=hospital_pos,
        winner=winner,
        quantity=quantity,
        fen=line_fen(quantity, winner, plan.winners),
        reason=reason,
        reasons=reasons,
        fixed=fixed,
        needed=needed,
    )


def fixed_cost(problem: AllocationProblem) -> Decimal:
    """The fixed supplies at the optimizer's cost (a constant the solver never sees)."""
    basis = {w.id: w.basis for w in problem.winners}
    per_winner: dict[str, int] = {}
    _, _, f_winners, f_quantities = supply_columns(problem.fixed)
    for w, q in zip(f_winners, f_quantities, strict=True):
        per_winner[w] = per_winner.get(w, 0) + q
    return sum((Decimal(q) * basis[w] for w, q in sorted(per_winner.items())), Decimal(0))
