"""The leaf of the packing search (`packing`): the regions the bins left, to the free winners
(those whose volume bound does not bind in the LP) at the least reduced cost, exactly."""

from __future__ import annotations

import dataclasses

import numpy as np

from procurement.award.allocation import SolverOptions
from procurement.award.optimizer.highs import solve_arrays
from procurement.award.optimizer.model import Model

_TOL = 1e-9

_EXACT = SolverOptions(mip_gap=0.0, time_limit_s=5.0)
MAX_MATCHED = 10  # free winners owed a region matched by the DP (2^10 states)


def residual(
    model: Model, reduced: np.ndarray, nu: np.ndarray, left: np.ndarray, is_free: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """The regions `left` to the free winners at least cost: (their columns, values, proven
    optimal), or None when they cannot take them. Cheapest region by region plus one matched
    region per winner owed one (`_owed_regions`), exact while the volume bounds hold; else a
    small exact MIP."""
    cols = np.nonzero(left[model.col_unit] & is_free[model.col_winner])[0]
    if not cols.size:
        owed = [w for w in model.min_one if is_free[w]]
        lows = any(lo > 0 for lo, free in zip(model.lower, is_free, strict=True) if free)
        return None if left.any() or owed or lows else (cols, np.zeros(0), True)
    values = _owed_regions(model, reduced, nu, cols, is_free)
    if values is not None:
        chosen = cols[values > 0.5]
        volume = np.bincount(model.col_winner[chosen], model.col_qty[chosen], len(model.winners))
        ok = all(
            model.lower[w] <= volume[w] <= model.upper[w]
            for w in range(len(model.winners))
            if is_free[w]
        )
        if ok and np.bincount(model.col_unit[chosen], minlength=left.size)[left].min() == 1:
            return cols, values, True
    return _residual_mip(model, left, is_free, cols)


def _owed_regions(
    model: Model, reduced: np.ndarray, nu: np.ndarray, cols: np.ndarray, is_free: np.ndarray
) -> np.ndarray | None:
    """Each region to its cheapest free winner (reduced cost + nu), except one distinct region
    for each winner owed one, matched at the least extra cost (DP over the owed winners): the
    exact optimum when no volume bound binds. None when the owed cannot all be served."""
    owed = [w for w in model.min_one if is_free[w]]
    if len(owed) > MAX_MATCHED:
        return None
    units, winners = model.col_unit[cols], model.col_winner[cols]
    price = reduced[cols] + nu[winners]
    best = np.full(len(model.unit_ids), np.inf)
    np.minimum.at(best, units, price)
    pick = np.zeros(cols.size, dtype=bool)
    first = np.lexsort((np.arange(cols.size), price - best[units] > _TOL, units))
    seen = np.zeros(len(model.unit_ids), dtype=bool)
    for j in first.tolist():
        if not seen[units[j]]:
            seen[units[j]], pick[j] = True, True
    extra = price - best[units]
    size = 1 << len(owed)
    cost = np.full(size, np.inf)
    cost[0] = 0.0
    how: list[dict[int, int]] = [{} for _ in range(size)]
    for u in np.unique(units).tolist():
        new, new_how = cost.copy(), [dict(h) for h in how]
        for k, w in enumerate(owed):
            js = np.nonzero((units == u) & (winners == w))[0]
            if not js.size:
                continue
            bit = 1 << k
            for mask in np.nonzero(np.isfinite(cost))[0].tolist():
                if not mask & bit and cost[mask] + extra[js[0]] < new[mask | bit]:
                    new[mask | bit] = cost[mask] + extra[js[0]]
                    new_how[mask | bit] = {**how[mask], u: int(js[0])}
        cost, how = new, new_how
    if not np.isfinite(cost[-1]):
        return None
    for u, j in how[-1].items():
        pick[units == u] = False
        pick[j] = True
    return pick.astype(np.float64)


def _residual_mip(
    model: Model, left: np.ndarray, is_free: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """`residual` as a small exact MIP (the free winners' volume bounds bind)."""
    units = np.nonzero(left)[0]
    index = np.cumsum(left) - 1
    sub = dataclasses.replace(
        model,
        unit_ids=[model.unit_ids[u] for u in units],
        unit_region=[model.unit_region[u] for u in units],
        unit_qty=model.unit_qty[units],
        col_unit=index[model.col_unit[cols]],
        col_winner=model.col_winner[cols],
        lower=[lo if free else 0 for lo, free in zip(model.lower, is_free, strict=True)],
        upper=[up if free else 0 for up, free in zip(model.upper, is_free, strict=True)],
        min_one=[w for w in model.min_one if is_free[w]],
        member_start=None,
        member_pos=None,
    )
    raw = solve_arrays(sub, _EXACT, True, _EXACT.time_limit_s)
    if raw.values is None:
        return None
    return cols, np.round(raw.values), raw.status == "optimal"
