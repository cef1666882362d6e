"""A lot's allocations as columns (`Lines`): the compact plan a worker sent back, read as a
sequence of `Allocation` dataclasses that are built only when read. A lot of 200,000 buyers
(issue 19) then costs its arrays, not 200,000 objects in the parent, until someone reads them
(the award service does, row by row, as it stores them)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import overload

from procurement.award.allocation import Allocation, AllocationProblem, hospital_columns
from procurement.award.optimizer.check import CompactPlan, line_reason


class Lines(Sequence[Allocation]):
    """The `Allocation`s of a compact plan, in (hospital id, winner id) order; compares equal
    to any sequence of the same allocations (a tuple included)."""

    __slots__ = ("_ids", "_plan", "_regions")

    def __init__(self, problem: AllocationProblem, plan: CompactPlan) -> None:
        ids, regions, _ = hospital_columns(problem.hospitals)
        self._ids, self._regions, self._plan = ids, regions, plan

    def __len__(self) -> int:
        return int(self._plan.quantity.size)

    @overload
    def __getitem__(self, i: int) -> Allocation: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Allocation, ...]: ...

    def __getitem__(self, i: int | slice) -> Allocation | tuple[Allocation, ...]:
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(len(self))))
        plan = self._plan
        k = range(len(self))[i]  # negative indices, IndexError
        fixed = 0 if plan.fixed is None else int(plan.fixed[k])
        needed = -1 if plan.needed is None else int(plan.needed[k])
        return self._line(
            int(plan.hospital_pos[k]),
            int(plan.winner[k]),
            int(plan.quantity[k]),
            int(plan.fen[k]),
            int(plan.reason[k]),
            fixed,
            needed,
        )

    def _line(self, p: int, w: int, q: int, fen: int, r: int, fixed: int, n: int) -> Allocation:
        winner = self._plan.winners[w]
        amount = Decimal(fen).scaleb(-2)
        reason = line_reason(self._plan.reasons, r, n)
        return Allocation(
            self._ids[p], self._regions[p], winner.id, q, winner.price, amount, reason, fixed
        )

    def __iter__(self) -> Iterator[Allocation]:
        plan = self._plan
        fixed = plan.fixed.tolist() if plan.fixed is not None else [0] * len(self)
        needed = plan.needed.tolist() if plan.needed is not None else [-1] * len(self)
        columns = (plan.hospital_pos, plan.winner, plan.quantity, plan.fen, plan.reason)
        return map(self._line, *(c.tolist() for c in columns), fixed, needed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Lines({len(self)} allocations)"
