"""The allocation model shared by the PuLP and highspy backends, as sparse numpy arrays.

Units are what gets assigned: hospitals (single, split) or regions (region). Column j pairs unit
`col_unit[j]` with winner `col_winner[j]` when the winner serves the unit's region. Binary
granularities use x in {0, 1} (fraction of the unit), split uses integer quantities 0..q_u.
Rows: one "served" row per unit, one volume row per winner bounded by
[ceil(min_share x Q), min(capacity, floor(max_share x Q))], optionally one ">= 1 region" row per
winner. Bounds are computed exactly from Decimals; floats appear only in the arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from procurement.award.allocation import (
    AllocationProblem,
    Hospital,
    Winner,
    hospital_columns,
    supply_columns,
)


@dataclass
class Model:
    problem: AllocationProblem
    winners: tuple[Winner, ...]
    reserve_ids: frozenset[str]
    unit_ids: list[str]
    unit_region: list[str]
    unit_qty: np.ndarray
    col_unit: np.ndarray
    col_winner: np.ndarray
    lower: list[int]
    upper: list[int]
    binary: bool
    min_one: list[int]
    fixed: list[int]  # per winner, volume fixed by brand reports (outside the columns)
    # Positions in `problem.hospitals` of each unit's members (CSR: unit u owns
    # member_pos[member_start[u]:member_start[u + 1]]), and each hospital's rank by id.
    member_start: np.ndarray | None = None
    member_pos: np.ndarray | None = None
    hospital_rank: np.ndarray | None = None

    @property
    def unit_members(self) -> list[list[Hospital]]:
        """The hospitals of each unit (built on demand: tests and diagnostics only)."""
        if self.member_start is None or self.member_pos is None:
            return []
        hospitals, start, pos = self.problem.hospitals, self.member_start, self.member_pos
        return [
            [hospitals[int(i)] for i in pos[start[u] : start[u + 1]]]
            for u in range(len(self.unit_ids))
        ]

    @property
    def unit_region_index(self) -> tuple[list[str], np.ndarray]:
        """(sorted region codes, region index of each unit)."""
        codes = sorted(set(self.unit_region))
        lookup = {r: i for i, r in enumerate(codes)}
        return codes, np.array([lookup[r] for r in self.unit_region], dtype=np.int64)

    @property
    def prices(self) -> np.ndarray:
        return np.array([float(w.basis) for w in self.winners])

    @property
    def n_cols(self) -> int:
        return int(self.col_unit.size)

    @property
    def col_qty(self) -> np.ndarray:
        """The quantity of each column's unit, as floats."""
        qty: np.ndarray = self.unit_qty[self.col_unit]
        return qty.astype(np.float64)

    @property
    def coef(self) -> np.ndarray:
        """Units of the lot per unit of column value."""
        if self.binary:
            return self.col_qty
        return np.ones(self.n_cols)

    @property
    def cost(self) -> np.ndarray:
        prices = np.array([float(w.basis) for w in self.winners])
        cost: np.ndarray = prices[self.col_winner] * self.coef
        return cost

    @property
    def col_upper(self) -> np.ndarray:
        if self.binary:
            return np.ones(self.n_cols)
        return self.col_qty

    @property
    def serve_rhs(self) -> np.ndarray:
        if self.binary:
            return np.ones(len(self.unit_ids))
        return self.unit_qty.astype(np.float64)


def share_bounds(
    problem: AllocationProblem,
    winner: Winner,
    reserve: bool,
    total_quantity: int | None = None,
    fixed: int | None = None,
) -> tuple[int, int]:
    """Exact integer [lower, upper] of the volume the optimizer may give a winner: its share
    bounds and capacity less what brand reports fixed for it (`fixed`, when known)."""
    total = Decimal(problem.total_quantity if total_quantity is None else total_quantity)
    if fixed is None:
        fixed = problem.fixed_of(winner.id) if problem.fixed else 0
    lower = 0 if reserve else max(0, math.ceil(problem.min_share * total) - fixed)
    upper = min(winner.capacity, math.floor(problem.max_share * total)) - fixed
    return lower, max(upper, 0)


def _units(
    problem: AllocationProblem,
) -> tuple[list[str], list[str], list[np.ndarray], np.ndarray, np.ndarray]:
    """(unit ids, unit regions, members' positions per unit, unit quantities, every hospital's
    rank by id), from the buyers' columns (no object per buyer)."""
    ids, regions, quantities = hospital_columns(problem.hospitals)
    by_id = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[by_id] = np.arange(len(ids), dtype=np.int64)
    qty = np.fromiter(quantities, dtype=np.int64, count=len(quantities))
    order = by_id[qty[by_id] > 0]
    if problem.granularity != "region":
        at = order.tolist()
        return [ids[i] for i in at], [regions[i] for i in at], [order], qty[order], rank
    groups: dict[str, list[int]] = {}
    for i in order.tolist():
        groups.setdefault(regions[i], []).append(i)
    codes = sorted(groups)
    positions = [np.array(groups[r], dtype=np.int64) for r in codes]
    region_qty = np.array([int(qty[g].sum()) for g in positions], dtype=np.int64)
    return codes, codes, positions, region_qty, rank


def build_model(problem: AllocationProblem, use_reserves: int = 0) -> Model:
    """Arrays for the problem; the first `use_reserves` reserves (by rank) join the winners."""
    reserves = sorted(problem.reserves, key=lambda w: (w.rank, w.basis, w.id))[:use_reserves]
    winners = tuple(sorted(problem.winners, key=lambda w: (w.basis, w.id))) + tuple(reserves)
    reserve_ids = frozenset(w.id for w in reserves)
    unit_ids, unit_region, positions, qty, rank = _units(problem)
    if problem.granularity != "region":  # one member per unit
        member_pos = positions[0]
        member_start = np.arange(member_pos.size + 1, dtype=np.int64)
    else:
        member_start = np.zeros(len(positions) + 1, dtype=np.int64)
        np.cumsum([g.size for g in positions], out=member_start[1:])
        member_pos = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    region_codes = sorted(set(unit_region))
    region_index = {r: i for i, r in enumerate(region_codes)}
    ok = np.array([[w.serves(r) for r in region_codes] for w in winners], dtype=bool)
    ok = ok.reshape(len(winners), len(region_codes))
    unit_r = np.array([region_index[r] for r in unit_region], dtype=np.int64)
    col_unit, col_winner = np.nonzero(ok[:, unit_r].T) if len(winners) else (unit_r[:0], unit_r[:0])
    total = problem.total_quantity
    fixed_by: dict[str, int] = {}
    _, _, f_winners, f_quantities = supply_columns(problem.fixed)
    for w_id, q in zip(f_winners, f_quantities, strict=True):
        fixed_by[w_id] = fixed_by.get(w_id, 0) + q
    fixed = [fixed_by.get(w.id, 0) for w in winners]
    bounds = [
        share_bounds(problem, w, w.id in reserve_ids, total, f)
        for w, f in zip(winners, fixed, strict=True)
    ]
    model = Model(
        problem=problem,
        winners=winners,
        reserve_ids=reserve_ids,
        unit_ids=unit_ids,
        unit_region=unit_region,
        unit_qty=qty,
        col_unit=col_unit.astype(np.int64),
        col_winner=col_winner.astype(np.int64),
        lower=[b[0] for b in bounds],
        upper=[b[1] for b in bounds],
        binary=problem.granularity != "split",
        min_one=[],
        fixed=fixed,
        member_start=member_start,
        member_pos=member_pos,
        hospital_rank=rank,
    )
    model.min_one = _min_one_winners(model)
    return model


def _min_one_winners(model: Model) -> list[int]:
    """Winners that must get at least one region (RULES.md 3), when the rule applies."""
    problem = model.problem
    if problem.granularity != "region" or not problem.every_winner_gets_a_region:
        return []
    main = [i for i, w in enumerate(model.winners) if w.id not in model.reserve_ids]
    if len(model.unit_ids) < len(main):
        return []
    out = []
    for w in main:
        cols = model.col_unit[model.col_winner == w]
        if cols.size and int(model.unit_qty[cols].min()) <= model.upper[w]:
            out.append(w)
    return out


def csc_arrays(model: Model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(start, index, value, row_lower, row_upper) of the constraint matrix, column-wise."""
    n_units, n_w, n = len(model.unit_ids), len(model.winners), model.n_cols
    min_one_row = {w: n_units + n_w + k for k, w in enumerate(model.min_one)}
    has_min_one = np.array([w in min_one_row for w in range(n_w)], dtype=bool)
    extra_rows = np.array([min_one_row.get(w, -1) for w in range(n_w)], dtype=np.int64)
    per_col = 2 + has_min_one[model.col_winner].astype(np.int64) if n else np.zeros(0, np.int64)
    start = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(per_col, out=start[1:])
    index = np.empty(int(start[-1]), dtype=np.int32)
    value = np.empty(int(start[-1]), dtype=np.float64)
    index[start[:-1]] = model.col_unit
    value[start[:-1]] = 1.0
    index[start[:-1] + 1] = n_units + model.col_winner
    value[start[:-1] + 1] = model.coef
    third = np.nonzero(has_min_one[model.col_winner])[0] if n else np.zeros(0, np.int64)
    index[start[third] + 2] = extra_rows[model.col_winner[third]]
    value[start[third] + 2] = 1.0
    rhs = model.serve_rhs
    row_lower = np.concatenate([rhs, np.array(model.lower, float), np.ones(len(model.min_one))])
    row_upper = np.concatenate(
        [rhs, np.array(model.upper, float), np.full(len(model.min_one), np.inf)]
    )
    return start, index, value, row_lower, row_upper
