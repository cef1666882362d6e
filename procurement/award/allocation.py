"""Inputs and outputs of the allocation optimizer: frozen dataclasses of ids, ints and Decimals.

`procurement.award.optimizer.allocate` takes an `AllocationProblem` (one lot) and returns an
`AllocationResult`; these types are re-exported there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from procurement.award.columns import Columns, columns_of

GRANULARITIES = ("single", "region", "split")
BACKENDS = ("auto", "pulp", "highspy")
FALLBACKS = ("none", "relax_min_share", "reserves", "both")


@dataclass(frozen=True)
class Winner:
    """A winning (or reserve) bidder: unit price, annual capacity in smallest units, regions.

    `regions=None` means it serves every region. `rank` orders reserves (1 = next in line).
    `cost` is what the optimizer minimizes per smallest unit (`allocation.cost_basis`
    "comparable": the price that ranked it); None = `price`. Spend is always at `price`."""

    id: str
    price: Decimal
    capacity: int
    regions: frozenset[str] | None = None
    rank: int = 0
    cost: Decimal | None = None

    def serves(self, region: str) -> bool:
        return self.regions is None or region in self.regions

    @property
    def basis(self) -> Decimal:
        """The optimizer's cost per smallest unit: `cost`, or the own price."""
        return self.price if self.cost is None else self.cost


@dataclass(frozen=True)
class Hospital:
    """A hospital's agreed volume for the lot, in smallest units, and its region."""

    id: str
    region: str
    quantity: int


class Buyers(Columns[Hospital]):
    """Many buyers (hospitals or any buyer organization) as columns: ids, regions, quantities
    (`hospital_columns` reads them without objects)."""

    kind = Hospital
    names = ("id", "region", "quantity")


def hospital_columns(
    hospitals: Sequence[Hospital],
) -> tuple[Sequence[str], Sequence[str], Sequence[int]]:
    """(ids, regions, quantities) of the buyers."""
    ids, regions, quantities = columns_of(hospitals, Buyers)
    return ids, regions, quantities


@dataclass(frozen=True)
class FixedSupply:
    """Volume fixed before optimizing (brand reports, RULES.md 10): `winner_id` supplies
    `quantity` to `hospital_id` directly. The hospital's `Hospital.quantity` is what is left."""

    hospital_id: str
    region: str
    winner_id: str
    quantity: int


class Supplies(Columns[FixedSupply]):
    """Many fixed supplies as columns (`supply_columns` reads them without objects)."""

    kind = FixedSupply
    names = ("hospital_id", "region", "winner_id", "quantity")


def supply_columns(
    fixed: Sequence[FixedSupply],
) -> tuple[Sequence[str], Sequence[str], Sequence[str], Sequence[int]]:
    """(hospital ids, regions, winner ids, quantities) of the fixed supplies."""
    hospital_ids, regions, winner_ids, quantities = columns_of(fixed, Supplies)
    return hospital_ids, regions, winner_ids, quantities


@dataclass(frozen=True)
class AllocationProblem:
    """One lot. Shares are fractions of the lot's total agreed volume (0.1 = 10%).

    `reserves` are next-ranked valid bidders, used only by the `reserves` fallback.
    `every_winner_gets_a_region` (region sourcing, RULES.md 3): when there are at least as many
    regions as winners, each winner gets at least one region.
    `fixed` are quantities supplied directly (brand reports) to listed hospitals, whose
    quantities are the rest (0 when all of it is fixed); shares, capacities and
    `total_quantity` count both."""

    lot_id: str
    winners: tuple[Winner, ...]
    hospitals: Sequence[Hospital]  # a tuple, or `Buyers` (columns) for very many buyers
    granularity: str = "single"
    min_share: Decimal = Decimal(0)
    max_share: Decimal = Decimal(1)
    unit: str = "units"
    reserves: tuple[Winner, ...] = ()
    every_winner_gets_a_region: bool = False
    fixed: Sequence[FixedSupply] = ()  # a tuple, or `Supplies` (columns)

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {GRANULARITIES}")
        winner_ids = [w.id for w in self.winners + self.reserves]
        if len(set(winner_ids)) != len(winner_ids):
            raise ValueError("winner and reserve ids must be unique")
        ids, _, quantities = hospital_columns(self.hospitals)
        if len(set(ids)) != len(ids):
            raise ValueError("hospital ids must be unique")
        if (quantities and min(quantities) < 0) or any(
            w.capacity < 0 for w in self.winners + self.reserves
        ):
            raise ValueError("quantities and capacities must be non-negative ints")
        known = {w.id for w in self.winners}
        f_hospitals, _, f_winners, f_quantities = supply_columns(self.fixed)
        if self.fixed and (
            min(f_quantities) <= 0
            or not known.issuperset(f_winners)
            or not set(ids).issuperset(f_hospitals)
        ):
            raise ValueError("fixed quantities: positive, by a winner, to a listed hospital")

    @property
    def total_quantity(self) -> int:
        """The lot's whole agreed volume: hospitals' open quantities and the fixed ones."""
        return sum(hospital_columns(self.hospitals)[2]) + sum(supply_columns(self.fixed)[3])

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (to a worker process) with the buyers and fixed supplies as columns: a lot
        of 200,000 buyers may fix 10^5 supplies, slow to pickle and unpickle as objects."""
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state["hospitals"] = Buyers(*hospital_columns(self.hospitals))
        state["fixed"] = Supplies(*supply_columns(self.fixed)) if self.fixed else ()
        return (_unpickle_problem, (state,))

    def fixed_of(self, winner_id: str) -> int:
        _, _, winners, quantities = supply_columns(self.fixed)
        return sum(q for w, q in zip(winners, quantities, strict=True) if w == winner_id)


def _unpickle_problem(state: dict[str, Any]) -> AllocationProblem:
    return AllocationProblem(**state)


@dataclass(frozen=True)
class SolverOptions:
    """How to solve. `backend="auto"` uses highspy directly (HiGHS) above `direct_threshold`
    variables and PuLP below it; `fallback` says what to do when the lot is infeasible."""

    solver: str = "highs"
    backend: str = "auto"
    time_limit_s: float = 60.0
    mip_gap: float = 1e-4
    direct_threshold: int = 5_000
    fallback: str = "none"
    lp_rounding: bool = True

    def __post_init__(self) -> None:
        if self.solver not in ("highs", "cbc"):
            raise ValueError("solver must be 'highs' or 'cbc'")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}")
        if self.fallback not in FALLBACKS:
            raise ValueError(f"fallback must be one of {FALLBACKS}")


@dataclass(frozen=True)
class Allocation:
    """Quantity of the lot one winner supplies to one hospital, at its unit price; `fixed` of
    it by the hospital's brand reports."""

    hospital_id: str
    region: str
    winner_id: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    reason: str
    fixed: int = 0


@dataclass(frozen=True)
class WinnerTotal:
    winner_id: str
    quantity: int
    amount: Decimal
    share: Decimal
    capacity: int
    reserve: bool = False


@dataclass(frozen=True)
class Diagnosis:
    """Why a lot has no allocation: the constraint, the amount short, and a sentence."""

    lot_id: str
    constraint: str
    message: str
    shortfall: int | None = None


@dataclass(frozen=True)
class Timings:
    """Wall seconds of model building, solving, the exact check and result building, and the
    whole lot; `cpu_s` is the process CPU time of the whole lot (the machine may be shared)."""

    build_s: float = 0.0
    solve_s: float = 0.0
    total_s: float = 0.0
    check_s: float = 0.0
    cpu_s: float = 0.0


@dataclass(frozen=True)
class AllocationResult:
    """`status`: optimal | feasible | infeasible | error. Only optimal/feasible carry a plan.

    `objective` is recomputed in Decimal from the integer allocations (sum of line totals);
    `lp_bound` is the proven lower bound on the cost and `gap` = (cost - lp_bound) / cost, where
    cost is the plan at each winner's `basis` (= objective when no winner has a `cost`).
    `bound` says what proved `lp_bound`: "lp" (the LP relaxation), "search" (region sourcing's
    packing search, optimizer/packing.py) or "mip" (HiGHS's branch and bound)."""

    lot_id: str
    status: str
    proven_optimal: bool = False
    allocations: Sequence[Allocation] = ()  # a tuple, or the optimizer's `Lines` (columns)
    winner_totals: tuple[WinnerTotal, ...] = ()
    objective: Decimal | None = None
    lp_bound: Decimal | None = None
    gap: Decimal | None = None
    bound: str = ""
    solver: str = ""
    backend: str = ""
    timings: Timings = field(default_factory=Timings)
    diagnosis: tuple[Diagnosis, ...] = ()
    suggestions: tuple[str, ...] = ()
    fallback_used: str | None = None
    backups: tuple[tuple[str, str], ...] = ()
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")
