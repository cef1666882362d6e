"""Brand reports in a solved plan (RULES.md 10): the quantities fixed before optimizing join the
optimizer's lines (one line per hospital and winner, `Allocation.fixed` saying how much of it
was fixed), the winners' totals, the objective and the LP bound (a constant the solver never
saw), and the gap is recomputed on the whole plan."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from procurement.award.allocation import (
    Allocation,
    AllocationProblem,
    AllocationResult,
    WinnerTotal,
)
from procurement.core.messages import Message
from procurement.core.money import line_total, round_amount, round_places, round_ratio

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
    if not problem.fixed:
        return mip_gap
    winners = {w.id: w for w in problem.winners}
    fixed = sum(float(winners[f.winner_id].basis) * f.quantity for f in problem.fixed)
    dearest = max(float(w.basis) for w in problem.winners + problem.reserves)
    upper = dearest * sum(h.quantity for h in problem.hospitals)
    return mip_gap * (1 + fixed / upper) if upper > 0 else mip_gap


def with_fixed(problem: AllocationProblem, result: AllocationResult) -> AllocationResult:
    """The result with the problem's fixed supplies added (unchanged when there are none)."""
    if not problem.fixed or not result.ok:
        return result
    winners = {w.id: w for w in problem.winners + problem.reserves}
    lines = {(a.hospital_id, a.winner_id): a for a in result.allocations}
    for f in problem.fixed:
        w, old = winners[f.winner_id], lines.get((f.hospital_id, f.winner_id))
        quantity = f.quantity + (old.quantity if old else 0)
        reason = old.reason if old else Message("brand report: supplied directly to this hospital")
        lines[(f.hospital_id, f.winner_id)] = Allocation(
            f.hospital_id,
            f.region,
            w.id,
            quantity,
            w.price,
            line_total(quantity, w.price),
            reason,
            f.quantity + (old.fixed if old else 0),
        )
    allocations = tuple(lines[k] for k in sorted(lines))
    totals = _totals(problem, result, allocations)
    objective = sum((a.amount for a in allocations), Decimal("0.00"))
    fixed_cost = sum(Decimal(f.quantity) * winners[f.winner_id].basis for f in problem.fixed)
    bound = None if result.lp_bound is None else round_amount(result.lp_bound + fixed_cost)
    cost = sum(Decimal(a.quantity) * winners[a.winner_id].basis for a in allocations)
    return dataclasses.replace(
        result,
        allocations=allocations,
        winner_totals=totals,
        objective=objective,
        lp_bound=bound,
        gap=plan_gap(cost, bound),
    )


def _totals(
    problem: AllocationProblem, result: AllocationResult, allocations: tuple[Allocation, ...]
) -> tuple[WinnerTotal, ...]:
    problem_totals = [
        WinnerTotal(w.id, 0, Decimal(0), Decimal(0), w.capacity) for w in problem.winners
    ]
    quantity: dict[str, int] = {}
    amount: dict[str, Decimal] = {}
    for a in allocations:
        quantity[a.winner_id] = quantity.get(a.winner_id, 0) + a.quantity
        amount[a.winner_id] = amount.get(a.winner_id, Decimal("0.00")) + a.amount
    grand = Decimal(sum(quantity.values()) or 1)
    return tuple(
        WinnerTotal(
            t.winner_id,
            quantity.get(t.winner_id, 0),
            amount.get(t.winner_id, Decimal("0.00")),
            round_ratio(Decimal(quantity.get(t.winner_id, 0)) / grand),
            t.capacity,
            t.reserve,
        )
        for t in result.winner_totals or problem_totals
    )
