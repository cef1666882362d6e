"""Region sourcing with highspy: the LP relaxation and its duals, a constructed start, the
packing search, and the MIP only when those have not settled the lot.

1. The LP gives the Lagrangian bound D (`packing.lagrangian`) and guides the start
   (`starts.region_start`). A start within the lot's gap of D settles the lot.
2. The packing search (`packing.search`) looks for a plan within the gap (penalty <= G). When it
   searched everything and found none, every plan costs more than D + G: that is the new bound,
   the gap target moves up with it and the search runs again with 4 times the cap (up to the best
   plan's own penalty). When a search is exhaustive and finds a plan, that plan is optimal.
3. Otherwise HiGHS solves the MIP from the best plan, stopping once it is within the gap of the
   best bound; its own dual bound counts when it is stronger.

The plan's proven bound is the best of these (`RawSolution.lp_bound`), and `bound_kind` says
which: "lp" (the LP relaxation), "search" (the packing search proved it) or "mip" (HiGHS's
branch and bound proved it).
"""

from __future__ import annotations

import time

import numpy as np

from procurement.award.allocation import SolverOptions
from procurement.award.optimizer.fixed import good_enough
from procurement.award.optimizer.highs import RawSolution, solve_arrays
from procurement.award.optimizer.model import Model
from procurement.award.optimizer.packing import Duals, lagrangian, penalty, search
from procurement.award.optimizer.starts import region_start

SEARCH_NODES = 40_000  # nodes of the packing search per lot, over all its rounds
SEARCH_ROUNDS = 8  # rounds of the search, its cap 4 times the last


class _Best:
    """The best plan so far, the proven bound (D + proven penalty) and the gap target."""

    def __init__(self, model: Model, duals: Duals, gap: float) -> None:
        self.model, self.duals, self.gap = model, duals, gap
        self.values: np.ndarray | None = None
        self.cost = np.inf
        self.proven = 0.0  # every plan's penalty is proven above this
        self.exact = False

    @property
    def bound(self) -> float:
        """D + the proven penalty, less the float noise of the identity (1e-9 relative): never
        above a plan's exact cost (the allocator then rounds it to the cent, as the LP's)."""
        bound = self.duals.bound + self.proven
        return bound - 1e-9 * (1 + abs(bound))

    @property
    def target(self) -> float:
        """The cost at or under which the whole lot is within its gap of the bound."""
        return good_enough(self.model, self.bound, self.gap)

    @property
    def settled(self) -> bool:
        return self.exact or self.cost <= self.target

    def offer(self, values: np.ndarray | None) -> None:
        if values is not None:
            cost = float(self.model.cost @ values)
            if cost < self.cost - 1e-9:
                self.values, self.cost = values, cost


def solve_region(model: Model, options: SolverOptions) -> RawSolution:
    """The lot by region (see the module); `options.mip_gap` is the open part's gap."""
    deadline = time.perf_counter() + options.time_limit_s
    lp = solve_arrays(model, options, integer=False, time_limit=options.time_limit_s)
    if lp.status == "infeasible" or lp.row_dual is None or lp.values is None:
        return lp if lp.status == "infeasible" else _mip(model, options, None, deadline, lp)
    t0 = time.perf_counter()
    best = _Best(model, lagrangian(model, lp.row_dual), float(options.mip_gap))
    best.offer(region_start(model, lp.values, best.target, tries=0, repack=False))
    t1 = time.perf_counter()
    nodes = 0 if best.settled else _search_rounds(best)
    t2 = time.perf_counter()
    if not best.settled:  # every construction, for the MIP's start
        best.offer(region_start(model, lp.values, best.target))
    lp.build_s += t1 - t0 + time.perf_counter() - t2
    lp.solve_s += t2 - t1
    if best.settled and best.values is not None:
        how = "exact by the packing search" if best.exact else "within the gap"
        raw = RawSolution("optimal" if best.exact else "feasible", best.values, best.bound)
        raw.bound_kind = "search" if best.proven > 0 else "lp"
        raw.message = f"{how} ({nodes} search nodes)"
        raw.build_s, raw.solve_s = lp.build_s, lp.solve_s
        return raw
    return _mip(model, options, best, deadline, lp)


def _search_rounds(best: _Best) -> int:
    """Search rounds with a doubling cap (see the module); returns the nodes visited."""
    duals, nodes = best.duals, 0
    cap = best.target - duals.bound
    for _ in range(SEARCH_ROUNDS):
        if best.values is not None:
            cap = min(cap, penalty(best.model, duals, best.values))
        stop = best.target - duals.bound
        found = search(best.model, duals, stop, cap, SEARCH_NODES - nodes)
        nodes += found.nodes
        best.offer(found.values)
        if best.settled or not found.exhaustive:
            return nodes
        if found.values is not None:  # the least penalty of all plans: optimal
            best.exact = True
            best.proven = max(best.proven, found.penalty)
            return nodes
        best.proven = max(best.proven, cap)
        cap = max(4 * cap, best.target - duals.bound)
    return nodes


def _mip(
    model: Model, options: SolverOptions, best: _Best | None, deadline: float, lp: RawSolution
) -> RawSolution:
    """HiGHS on the MIP from the best plan; the bound is the best of the known ones."""
    start = None if best is None else best.values
    target = None if best is None else best.target
    remaining = deadline - time.perf_counter()
    mip = solve_arrays(model, options, True, remaining, start=start, target=target)
    mip.build_s += lp.build_s
    mip.solve_s += lp.solve_s
    known = lp.lp_bound if best is None else best.bound
    if mip.dual_bound is not None and mip.values is not None:  # never above the plan found
        mip.dual_bound = min(mip.dual_bound, float(model.cost @ mip.values))
    if known is not None and (mip.dual_bound is None or mip.dual_bound <= known):
        mip.lp_bound = known
        mip.bound_kind = "search" if best is not None and best.proven > 0 else "lp"
    else:
        mip.lp_bound, mip.bound_kind = mip.dual_bound, "mip"
    return mip
