"""Allocation of one lot's agreed volumes to its winners (DESIGN.md section 5). Pure package.

`allocate(problem, options)` minimises the lot's cost subject to: every hospital fully served,
capacities, minimum and maximum shares, regional eligibility, and the granularity (single: one
supplier per hospital; region: one per region; split: integer quantities). Small models go
through the readable PuLP formulation (`pulp_backend`), large ones through highspy with sparse
arrays (`highs`), single sourcing at scale by LP rounding plus a small MIP.

Whatever the backend, the answer is rounded to ints, every constraint is re-checked in exact
arithmetic and the totals are recomputed in Decimal. Infeasibility is a result carrying a
diagnosis (`diagnosis`), never an exception; a time limit without an integer solution
is an `error` result, never a plan. `allocate_many` solves independent lots in a process pool.

Region sourcing (`region`) is proven against the strongest bound at hand: the LP relaxation,
the packing search's (`packing`: branch and bound over the subset sums of the winners whose
volume bound binds, priced by the LP's reduced costs) or HiGHS's branch and bound; the result's
`bound` says which.

Modules: `allocator` (allocate, allocate_many, backend choice), `model` (the array model of one
lot), `highs` and `pulp_backend` (the two solver backends), `region`, `packing` and `residual`
(region sourcing), `starts` (constructed MIP starts for `highs`), `quiet` (HiGHS without its
banner), `check` (exact re-check and the compact plan), `diagnosis` (why a lot is infeasible and
what would help).
"""

from procurement.award.allocation import (
    Allocation,
    AllocationProblem,
    AllocationResult,
    Diagnosis,
    Hospital,
    SolverOptions,
    Timings,
    Winner,
    WinnerTotal,
)
from procurement.award.optimizer.allocator import allocate, allocate_many

__all__ = [
    "Allocation",
    "AllocationProblem",
    "AllocationResult",
    "Diagnosis",
    "Hospital",
    "SolverOptions",
    "Timings",
    "Winner",
    "WinnerTotal",
    "allocate",
    "allocate_many",
]
