"""Constructed starts for the MIPs of the highspy backend, so that HiGHS begins from a good
feasible plan: first-fit decreasing for the small MIP of single sourcing (`greedy_start`), the
region constructions for region sourcing (`region_start`, with exact subset sums), and the
local searches that improve both (swaps and moves that strictly lower the cost)."""

from __future__ import annotations

import numpy as np

from procurement.award.optimizer.model import Model


def greedy_start(sub: Model) -> np.ndarray | None:
    """A feasible start for the small MIP by first-fit decreasing: each free unit, largest
    first, goes to the cheapest eligible winner with room left under its (residual) upper
    bound. None when a unit fits nowhere or a lower bound is missed (HiGHS then searches)."""
    values = np.zeros(sub.n_cols, dtype=np.float64)
    load = np.zeros(len(sub.winners), dtype=np.int64)
    upper, lower = np.array(sub.upper, dtype=np.int64), np.array(sub.lower, dtype=np.int64)
    rank = np.argsort(np.argsort(sub.prices, kind="stable"), kind="stable")
    order = np.lexsort((rank[sub.col_winner], -sub.unit_qty[sub.col_unit]))
    done = np.zeros(len(sub.unit_ids), dtype=bool)
    qty = sub.unit_qty
    for j in order.tolist():
        u = sub.col_unit[j]
        if done[u]:
            continue
        w = sub.col_winner[j]
        if load[w] + qty[u] <= upper[w]:
            values[j] = 1.0
            load[w] += qty[u]
            done[u] = True
    if not done.all() or (load < lower).any():
        return None
    improve_by_swaps(sub, values, load)
    return values


def improve_by_swaps(sub: Model, values: np.ndarray, load: np.ndarray, rounds: int = 200) -> None:
    """Local search on a feasible start: swap a unit of a cheaper winner with a larger one of a
    dearer winner when the cheaper one has room for the difference (cost strictly falls)."""
    prices, upper, lower = sub.prices, np.array(sub.upper), np.array(sub.lower)
    n_w = len(sub.winners)
    pairs = zip(sub.col_unit.tolist(), sub.col_winner.tolist(), strict=True)
    col_of = {(u, w): j for j, (u, w) in enumerate(pairs)}
    eligible = np.zeros((n_w, len(sub.unit_ids)), dtype=bool)
    eligible[sub.col_winner, sub.col_unit] = True
    for _ in range(rounds):
        chosen = np.nonzero(values > 0.5)[0]
        owner = np.full(len(sub.unit_ids), -1, dtype=np.int64)
        owner[sub.col_unit[chosen]] = sub.col_winner[chosen]
        best: tuple[float, tuple[int, int, int, int] | None] = (0.0, None)
        for c in range(n_w):
            room = upper[c] - load[c]
            units_c = np.nonzero(owner == c)[0]
            for e in range(n_w):
                if prices[e] <= prices[c]:
                    continue
                units_e = np.nonzero(owner == e)[0]
                if not units_c.size or not units_e.size:
                    continue
                delta = sub.unit_qty[units_e][None, :] - sub.unit_qty[units_c][:, None]
                ok = (delta > 0) & (delta <= room) & (load[e] - delta >= lower[e])
                ok &= load[c] + delta >= lower[c]
                ok &= eligible[e][units_c][:, None] & eligible[c][units_e][None, :]
                gain = np.where(ok, delta * (prices[e] - prices[c]), 0.0)
                a, b = np.unravel_index(int(np.argmax(gain)), gain.shape)
                if gain[a, b] > best[0]:
                    best = (float(gain[a, b]), (int(units_c[a]), int(units_e[b]), c, e))
        if best[1] is None:
            return
        ua, ub, c, e = best[1]
        values[[col_of[(ua, c)], col_of[(ub, e)]]] = 0.0
        values[[col_of[(ua, e)], col_of[(ub, c)]]] = 1.0
        d = int(sub.unit_qty[ub] - sub.unit_qty[ua])
        load[c] += d
        load[e] -= d


def subset_fill(qty: list[int], target: int, bits: int = 20) -> list[int]:
    """Indices of a subset of `qty` whose sum is <= target and as large as the subset-sum DP
    finds it: a bitset held in a Python int (bit s set = sum s reachable with the items seen so
    far), on quantities rounded up to a grain g = target / 2^bits: the sum never exceeds the
    target, and falls short of any subset summing to <= target - n g by at most n g (n items).
    A heuristic's precision, not an exact optimum (the MIP decides optimality)."""
    if target <= 0 or not qty:
        return []
    grain = max(1, target >> bits)
    items = [-(-q // grain) for q in qty]
    cap = target // grain
    mask = (1 << (cap + 1)) - 1
    layers = [1]
    for q in items:
        layers.append((layers[-1] | (layers[-1] << q)) & mask)
    s = layers[-1].bit_length() - 1
    chosen = []
    for k in range(len(items), 0, -1):
        if not (layers[k - 1] >> s) & 1:
            chosen.append(k - 1)
            s -= items[k - 1]
    return chosen


def region_start(
    model: Model,
    lp_values: np.ndarray | None,
    good_enough: float = -np.inf,
    tries: int = 12,
    repack: bool = True,
) -> np.ndarray | None:
    """The cheapest of the constructions (the LP's rounding `_region_start_lp`, then
    `_region_start_k`, k = 0, 1, ... largest regions placed first; they differ a lot from one k
    to the next), stopping at the first whose cost is <= `good_enough`, else the cheapest
    repacked pairwise (`_pair_refill`); None when none is feasible. Passed to HiGHS with
    `setSolution`: when it is within the gap of the LP bound the MIP stops at the root.
    `tries=0, repack=False` is the LP's rounding alone (what `region.solve_region` tries first)."""
    if lp_values is None or not model.binary:
        return None
    best, best_cost = None, np.inf
    cost = model.cost
    ks = range(min(tries, len(model.unit_ids) + 1))
    for k in (None, *ks):  # None: the LP's rounding first
        values = _region_start_lp(model, lp_values) if k is None else _region_start_k(model, k)
        if values is not None and float(cost @ values) < best_cost - 1e-9:
            best, best_cost = values, float(cost @ values)
            if best_cost <= good_enough:
                return best
    if best is not None and repack:  # not good enough yet: repack the best one pairwise
        values = _repacked(model, best)
        if values is not None and float(cost @ values) < best_cost - 1e-9:
            best = values
    return best


def _repacked(model: Model, values: np.ndarray) -> np.ndarray | None:
    """The start after `_pair_refill` and another local search."""
    n_u, n_w = len(model.unit_ids), len(model.winners)
    eligible = np.zeros((n_w, n_u), dtype=bool)
    eligible[model.col_winner, model.col_unit] = True
    chosen = np.nonzero(values > 0.5)[0]
    owner = np.full(n_u, -1, dtype=np.int64)
    owner[model.col_unit[chosen]] = model.col_winner[chosen]
    load = np.bincount(owner, weights=model.unit_qty, minlength=n_w).astype(np.int64)
    _pair_refill(model, owner, load, eligible)
    upper, lower = np.array(model.upper, np.int64), np.array(model.lower, np.int64)
    _local_search(model, owner, load, eligible, upper, lower)
    return _columns(model, owner, load)


def _region_start_k(model: Model, k: int) -> np.ndarray | None:
    """A feasible start for the region MIP: each `min_one` winner first gets its smallest free
    eligible region, the k largest regions go to the cheapest eligible winner with room, then
    winners, cheapest first, take the subset of the free eligible regions that fills their
    remaining room best (exact subset sums); regions left over go to the cheapest eligible
    winner with room; then local search (moves and swaps that lower the cost). None when the
    repair fails (HiGHS then searches alone)."""
    n_u, n_w = len(model.unit_ids), len(model.winners)
    qty = model.unit_qty.astype(np.int64)
    eligible = np.zeros((n_w, n_u), dtype=bool)
    eligible[model.col_winner, model.col_unit] = True
    upper = np.array(model.upper, np.int64)
    owner = np.full(n_u, -1, dtype=np.int64)
    load = np.zeros(n_w, dtype=np.int64)
    for w in model.min_one[::-1]:
        free = np.nonzero(eligible[w] & (owner < 0) & (qty <= upper[w]))[0]
        if free.size:
            u = free[np.argmin(qty[free])]
            owner[u], load[w] = w, qty[u]
    for u in np.argsort(-qty, kind="stable")[:k]:  # the k largest: cheapest winner with room
        room = np.nonzero(eligible[:, u] & (load + qty[u] <= upper))[0]
        if owner[u] < 0 and room.size:
            owner[u] = room[0]
            load[room[0]] += qty[u]
    for w in range(n_w):  # winners are sorted by price
        target = int(upper[w]) - int(load[w])
        free = np.nonzero(eligible[w] & (owner < 0))[0]
        for k in subset_fill(qty[free].tolist(), target):
            owner[free[k]] = w
            load[w] += qty[free[k]]
    return _finish(model, owner, load, eligible)


def _finish(
    model: Model, owner: np.ndarray, load: np.ndarray, eligible: np.ndarray
) -> np.ndarray | None:
    """Regions left over (owner -1) to the cheapest eligible winner with room, largest first;
    then local search; the 0/1 columns, or None when a bound or a min_one winner is missed."""
    qty = model.unit_qty.astype(np.int64)
    upper, lower = np.array(model.upper, np.int64), np.array(model.lower, np.int64)
    for u in np.nonzero(owner < 0)[0][np.argsort(-qty[owner < 0], kind="stable")]:
        room = np.nonzero(eligible[:, u] & (load + qty[u] <= upper))[0]
        if not room.size:
            return None
        owner[u] = room[0]
        load[room[0]] += qty[u]
    _local_search(model, owner, load, eligible, upper, lower)
    return _columns(model, owner, load)


def _columns(model: Model, owner: np.ndarray, load: np.ndarray) -> np.ndarray | None:
    """The 0/1 columns of an assignment, or None when a lower bound or min_one region fails."""
    lower = np.array(model.lower, np.int64)
    has = np.bincount(owner, minlength=len(model.winners)) > 0
    if (load < lower).any() or not all(has[w] for w in model.min_one):
        return None
    col = {
        (u, w): j
        for j, (u, w) in enumerate(
            zip(model.col_unit.tolist(), model.col_winner.tolist(), strict=True)
        )
    }
    values = np.zeros(model.n_cols)
    for u in range(len(model.unit_ids)):
        values[col[(u, int(owner[u]))]] = 1.0
    return values


def _region_start_lp(model: Model, lp_values: np.ndarray) -> np.ndarray | None:
    """A start rounded from the LP relaxation: each region to the winner holding the largest
    part of it in the LP (ties: the cheaper), kept only while the winner has room (largest
    parts first); the rest as in `_finish`. With brand reports fixing part of the volume the
    winners' residual rooms are tight and the LP's own split is the better guide."""
    n_u, n_w = len(model.unit_ids), len(model.winners)
    qty = model.unit_qty.astype(np.int64)
    eligible = np.zeros((n_w, n_u), dtype=bool)
    eligible[model.col_winner, model.col_unit] = True
    upper = np.array(model.upper, np.int64)
    owner = np.full(n_u, -1, dtype=np.int64)
    load = np.zeros(n_w, dtype=np.int64)
    for j in np.lexsort((model.col_winner, -lp_values)).tolist():
        u, w = int(model.col_unit[j]), int(model.col_winner[j])
        if owner[u] < 0 and lp_values[j] > 1e-9 and load[w] + qty[u] <= upper[w]:
            owner[u], load[w] = w, load[w] + qty[u]
    for w in model.min_one:  # a min_one winner without a region takes its smallest eligible one
        if (owner == w).any():
            continue
        mine = np.nonzero(eligible[w] & (qty <= upper[w] - load[w]))[0]
        if mine.size:
            u = mine[np.argmin(qty[mine])]
            if owner[u] >= 0:
                load[owner[u]] -= qty[u]
            owner[u], load[w] = w, load[w] + qty[u]
    return _finish(model, owner, load, eligible)


def _pair_refill(
    model: Model, owner: np.ndarray, load: np.ndarray, eligible: np.ndarray, rounds: int = 3
) -> None:
    """For each pair of winners a (cheaper) and b, pool the regions both serve and hold, and
    let a take the subset that fills its room best (exact subset sums), b the rest, when a's
    volume rises and every bound and min_one region holds: the tight packing that residual
    rooms call for once brand reports have used part of the winners' capacity."""
    qty = model.unit_qty.astype(np.int64)
    upper, lower = np.array(model.upper, np.int64), np.array(model.lower, np.int64)
    must = np.zeros(len(model.winners), dtype=bool)
    must[model.min_one] = True
    prices = model.prices
    for _ in range(rounds):
        moved = False
        for a in range(len(model.winners)):  # winners are sorted by price
            for b in range(a + 1, len(model.winners)):
                if prices[a] > prices[b]:  # reserves follow the winners, by rank
                    continue
                pool = np.nonzero(((owner == a) | (owner == b)) & eligible[a] & eligible[b])[0]
                if pool.size < 2:
                    continue
                held = (owner == a).copy()
                held[pool] = False
                base_a = int(qty[held].sum())
                take = pool[subset_fill(qty[pool].tolist(), int(upper[a]) - base_a)]
                new_a = base_a + int(qty[take].sum())
                new_b = int(load[a] + load[b]) - new_a
                keeps_a = take.size > 0 or held.any() or not must[a]
                b_rest = int((owner == b).sum()) - int((owner[pool] == b).sum())
                keeps_b = take.size < pool.size or b_rest > 0 or not must[b]
                if new_a <= load[a] or new_b > upper[b] or new_b < lower[b] or new_a < lower[a]:
                    continue
                if not (keeps_a and keeps_b):
                    continue
                owner[pool] = b
                owner[take] = a
                load[a], load[b] = new_a, new_b
                moved = True
        if not moved:
            return


def _local_search(
    model: Model,
    owner: np.ndarray,
    load: np.ndarray,
    eligible: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
    rounds: int = 500,
) -> None:
    """Best-improvement moves (one region to another winner) and swaps (two regions between
    two winners) that keep every bound and every min_one winner's region."""
    prices = model.prices
    qty = model.unit_qty.astype(np.int64)
    n_u = qty.size
    must = np.zeros(len(model.winners), dtype=bool)
    must[model.min_one] = True
    for _ in range(rounds):
        count = np.bincount(owner, minlength=len(model.winners))
        best, step = 1e-9, None
        for u in range(n_u):
            a = owner[u]
            if must[a] and count[a] == 1:
                continue
            if load[a] - qty[u] < lower[a]:
                continue
            ok = eligible[:, u] & (load + qty[u] <= upper)
            ok[a] = False
            gain = (prices[a] - prices) * qty[u]
            gain[~ok] = -np.inf
            b = int(np.argmax(gain))
            if gain[b] > best:
                best, step = float(gain[b]), ("move", u, b)
        for u in range(n_u):
            a = owner[u]
            for v in range(u + 1, n_u):
                b = owner[v]
                if a == b or not (eligible[b, u] and eligible[a, v]):
                    continue
                d = qty[v] - qty[u]  # a gains d, b loses d
                if not (
                    lower[a] <= load[a] + d <= upper[a] and lower[b] <= load[b] - d <= upper[b]
                ):
                    continue
                gain = (prices[b] - prices[a]) * d
                if gain > best:
                    best, step = float(gain), ("swap", u, v)
        if step is None:
            return
        if step[0] == "move":
            _, u, b = step
            load[owner[u]] -= qty[u]
            load[b] += qty[u]
            owner[u] = b
        else:
            _, u, v = step
            a, b = owner[u], owner[v]
            d = qty[v] - qty[u]
            load[a] += d
            load[b] -= d
            owner[u], owner[v] = b, a
