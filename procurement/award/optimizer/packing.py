"""The packing search of region sourcing: branch and bound over the winners whose volume bound
binds in the LP, on the subset sums of their regions, priced by the LP's reduced costs. It
finds the plans HiGHS misses and proves bounds the LP relaxation cannot.

Lagrangian identity. Take the LP relaxation's duals: pi_r for "region r is served once", y_w
for winner w's volume row (< 0 when its upper bound binds, > 0 when its lower bound does) and
nu_w >= 0 for "winner w gets a region". With c_rw = p_w q_r - pi_r - y_w q_r - nu_w (pi shifted
per region so that every c_rw >= 0), b_w the bound y_w's sign names and
D = sum_r pi_r + sum_w (y_w b_w + nu_w), EVERY region plan x (volumes V_w, n_w regions) costs

    cost(x) = D + penalty(x),  penalty(x) = sum_{(r,w) in x} c_rw + sum_w |y_w| |V_w - b_w|
                                            + sum_w nu_w (n_w - 1)

(exact algebra), and each term is >= 0 on a plan that keeps the bounds: D is a lower bound (the
LP's, up to rounding) and a plan is within the lot's gap when its penalty is at most G.

Search. A "bin" is a winner with y_w != 0: its regions' volume must sit within G / |y_w| of
b_w, so its candidate region sets (every subset of its eligible regions with c_rw <= G, summed
meet-in-the-middle) are few. Depth-first over the bins (fewest candidates first; a bin with
too many is expanded at its node, over the regions still free), each candidate disjoint from
the regions taken above it; at a leaf the other ("free") winners take the regions left, as a
small exact MIP. A plan of penalty <= `stop` ends the search; otherwise the least penalty found
is kept and used to prune. When nothing was cut short (`exhaustive`), the least penalty found
is the optimum's, or, when nothing was found, every plan costs more than D + cap: a bound
stronger than the LP's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from procurement.award.optimizer.model import Model
from procurement.award.optimizer.residual import residual

MAX_REGIONS = 62  # region sets are bit masks in int64
MAX_ITEMS = 34  # 2^17 subsets per half
FIRST_LIMIT = 4_096  # region sets per bin generated first (those nearest its bound)
CANDIDATE_LIMIT = 65_536  # region sets per bin generated when the first ones ran out
LIST_NODES = 10  # what generating them at a node counts against the node limit (its time)
_TOL = 1e-9


@dataclass
class Duals:
    """The LP duals in the identity's form (see the module): D, c per column, y and nu and the
    bound b_w per winner."""

    bound: float
    reduced: np.ndarray
    y: np.ndarray
    nu: np.ndarray
    side: np.ndarray


def lagrangian(model: Model, row_dual: np.ndarray) -> Duals:
    """`Duals` from HiGHS's row duals (rows as `csc_arrays` lays them out)."""
    n_u, n_w = len(model.unit_ids), len(model.winners)
    pi = np.array(row_dual[:n_u], dtype=np.float64)
    y = np.array(row_dual[n_u : n_u + n_w], dtype=np.float64)
    y[np.abs(y) < _TOL] = 0.0
    nu = np.zeros(n_w)
    for k, w in enumerate(model.min_one):
        nu[w] = max(float(row_dual[n_u + n_w + k]), 0.0)
    qty = model.col_qty
    reduced = model.cost - pi[model.col_unit] - y[model.col_winner] * qty - nu[model.col_winner]
    shift = np.zeros(n_u)
    np.minimum.at(shift, model.col_unit, reduced)
    pi += shift
    reduced = np.maximum(reduced - shift[model.col_unit], 0.0)
    side = np.where(y < 0, np.array(model.upper, np.float64), np.array(model.lower, np.float64))
    bound = float(pi.sum() + (y * side).sum() + nu.sum())
    return Duals(bound, reduced, y, nu, side)


def penalty(model: Model, duals: Duals, values: np.ndarray) -> float:
    """The plan's penalty: cost(values) = duals.bound + penalty (the module's identity)."""
    chosen = np.nonzero(values > 0.5)[0]
    n_w = len(model.winners)
    volume = np.bincount(model.col_winner[chosen], model.col_qty[chosen], minlength=n_w)
    count = np.bincount(model.col_winner[chosen], minlength=n_w)
    return float(
        duals.reduced[chosen].sum()
        + (duals.y * (volume - duals.side)).sum()
        + (duals.nu * (count - 1)).sum()
    )


def _subsets(qty: np.ndarray, cost: np.ndarray, bits: np.ndarray) -> tuple[np.ndarray, ...]:
    """(volume, reduced cost, count, mask) of every subset of the items, by volume."""
    volume, count, mask = np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1, np.int64)
    total = np.zeros(1)
    for q, c, bit in zip(qty.tolist(), cost.tolist(), bits.tolist(), strict=True):
        volume = np.concatenate([volume, volume + q])
        total = np.concatenate([total, total + c])
        count = np.concatenate([count, count + 1])
        mask = np.concatenate([mask, mask | (1 << bit)])
    shift = max(int(volume.size - 1).bit_length(), 1)
    if int(volume[-1]) < 1 << (62 - shift):  # sort keys volume:position (np.sort is fast)
        order = np.sort((volume << shift) | np.arange(volume.size)) & ((1 << shift) - 1)
    else:
        order = np.argsort(volume, kind="stable")
    return volume[order], total[order], count[order], mask[order]


@dataclass
class Candidates:
    """A bin's region sets of penalty <= `complete_to` (all of them), by penalty."""

    penalty: np.ndarray
    mask: np.ndarray
    complete_to: float
    spread: int = 0  # volumes in the whole window: how many sets the budget allows, about


def candidates(
    model: Model, duals: Duals, w: int, budget: float, used: int = 0, limit: int = FIRST_LIMIT
) -> Candidates:
    """Winner w's region sets (among regions not in `used`) of penalty <= budget; when more
    than `limit` volumes fit, those nearest the bound its dual names (a narrower window: all
    sets of penalty <= |y_w| x width, `complete_to`)."""
    cols = np.nonzero(model.col_winner == w)[0]
    units = model.col_unit[cols]
    keep = (duals.reduced[cols] <= budget) & ((used >> units) & 1 == 0)
    cols, units = cols[keep], units[keep]
    y = float(abs(duals.y[w]))
    if units.size > MAX_ITEMS or y == 0.0:
        return Candidates(np.zeros(0), np.zeros(0, np.int64), -np.inf)
    qty, half = model.unit_qty[units], units.size // 2
    a = _subsets(qty[:half], duals.reduced[cols[:half]], units[:half])
    b = _subsets(qty[half:], duals.reduced[cols[half:]], units[half:])
    width, complete_to, spread = int(budget / y + _TOL), budget, -1
    while True:
        lo, hi = _window(model, duals, w, width)
        left = np.searchsorted(b[0], lo - a[0], "left")
        right = np.searchsorted(b[0], hi - a[0], "right")
        counts = np.maximum(right - left, 0)
        total = int(counts.sum())
        spread = total if spread < 0 else spread
        if total <= limit:
            break
        width = int(width * 0.8 * limit / total)
        complete_to = min(complete_to, y * width)
    ia = np.repeat(np.arange(a[0].size), counts)
    ib = np.arange(ia.size) - np.repeat(np.cumsum(counts) - counts, counts)
    ib += np.repeat(left, counts)
    volume, count = a[0][ia] + b[0][ib], a[2][ia] + b[2][ib]
    pen = a[1][ia] + b[1][ib] + y * np.abs(volume - duals.side[w]) + duals.nu[w] * (count - 1)
    ok = pen <= complete_to
    if w in model.min_one:
        ok &= count >= 1
    pen, mask = pen[ok], a[3][ia][ok] | b[3][ib][ok]
    order = np.lexsort((mask, pen))  # masks are distinct: one order, whatever the sort
    return Candidates(pen[order], mask[order], complete_to, spread)


def _window(model: Model, duals: Duals, w: int, width: int) -> tuple[int, int]:
    """The volumes winner w may take within `width` of the bound its dual names."""
    lower, upper = model.lower[w], model.upper[w]
    if duals.y[w] < 0:
        return max(lower, upper - width), upper
    return lower, min(upper, lower + width)


@dataclass
class Found:
    """The search's outcome: the least-penalty plan found (column values; None when none is
    within the cap), its penalty, whether nothing was cut short, and the nodes visited."""

    values: np.ndarray | None
    penalty: float
    exhaustive: bool
    nodes: int
    stopped: bool = False  # ended at a plan of penalty <= stop (then not `exhaustive`)


class _Search:
    """One depth-first search (see the module); `run` returns what it found."""

    def __init__(
        self, model: Model, duals: Duals, stop: float, cap: float, node_limit: int
    ) -> None:
        self.model, self.duals, self.stop, self.limit = model, duals, stop, cap
        self.node_limit, self.nodes, self.cut = node_limit, 0, False
        n_w = len(model.winners)
        bins = [w for w in range(n_w) if duals.y[w] != 0]
        self.is_free = np.array([duals.y[w] == 0 for w in range(n_w)], dtype=bool)
        self.static = {w: candidates(model, duals, w, cap) for w in bins}
        if any(c.complete_to == -np.inf for c in self.static.values()):
            bins = []  # a bin with too many regions to enumerate: no search
        self.order = sorted(bins, key=lambda w: (self.static[w].spread, w))
        least = [self._least(w, cap) for w in self.order]
        self.rest = np.concatenate([np.cumsum(least[::-1])[::-1], [0.0]])
        self.free_least = np.full(len(model.unit_ids), np.inf)
        free_cols = np.nonzero(self.is_free[model.col_winner])[0]
        np.minimum.at(self.free_least, model.col_unit[free_cols], duals.reduced[free_cols])
        self.best: np.ndarray | None = None
        self.best_penalty = np.inf

    def _least(self, w: int, cap: float) -> float:
        """A lower bound on bin w's penalty (inf: none within the cap)."""
        cands = self.static[w]
        if cands.penalty.size:
            return float(cands.penalty[0])
        return np.inf if cands.complete_to >= cap else cands.complete_to

    def run(self) -> Found:
        if self.order:
            self._node(0, 0, 0.0, {})
        else:
            self.cut = True  # no bin: nothing to search (HiGHS decides)
        stopped = self.best_penalty <= self.stop
        exhaustive = not self.cut and not stopped
        return Found(self.best, self.best_penalty, exhaustive, self.nodes, stopped)

    def _node(self, depth: int, used: int, spent: float, chosen: dict[int, int]) -> bool:
        """Extend the plan by the bin at `depth`; True when the search is over."""
        self.nodes += 1
        if self.nodes > self.node_limit:
            self.cut = True
            return True
        if depth == len(self.order):
            return self._leaf(used, spent, chosen)
        w = self.order[depth]
        first = self.static[w]
        done, ran_out = self._try(depth, w, first, -np.inf, used, spent, chosen)
        room = self.limit - spent - self.rest[depth + 1]
        if not done and ran_out and first.complete_to < room:  # sets past the first ones
            more = candidates(self.model, self.duals, w, room, used, CANDIDATE_LIMIT)
            self.nodes += LIST_NODES
            self.cut |= more.complete_to < room
            done, _ = self._try(depth, w, more, first.complete_to, used, spent, chosen)
        chosen.pop(w, None)
        return done

    def _try(
        self,
        depth: int,
        w: int,
        cands: Candidates,
        above: float,
        used: int,
        spent: float,
        chosen: dict[int, int],
    ) -> tuple[bool, bool]:
        """Bin w's candidates of penalty > `above`, disjoint from `used`, in penalty order:
        (the search is over, the list ran out before the budget did)."""
        for i in np.flatnonzero((cands.mask & used == 0) & (cands.penalty > above)).tolist():
            if spent + cands.penalty[i] + self.rest[depth + 1] > self.limit:
                return False, False
            chosen[w] = int(cands.mask[i])
            if self._node(depth + 1, used | chosen[w], spent + float(cands.penalty[i]), chosen):
                return True, False
        return False, True

    def _leaf(self, used: int, spent: float, chosen: dict[int, int]) -> bool:
        """The free winners take the regions left (a small exact MIP); True when done."""
        model = self.model
        left = np.array([(used >> u) & 1 == 0 for u in range(len(model.unit_ids))], dtype=bool)
        if spent + float(self.free_least[left].sum()) > self.limit:
            return False
        values = _plan_values(model, chosen)
        rest = residual(model, self.duals.reduced, self.duals.nu, left, self.is_free)
        self.nodes += 1
        if rest is None:
            return False
        sub_cols, sub_values, exact = rest
        self.cut |= not exact
        values[sub_cols] = sub_values
        found = penalty(model, self.duals, values)
        if found > self.limit:  # the leaf's bound was short of the residual's cost
            return False
        if found < self.best_penalty:
            self.best, self.best_penalty = values, found
            self.limit = min(self.limit, found - _TOL * (1 + abs(self.duals.bound)))
        return found <= self.stop


def _plan_values(model: Model, chosen: dict[int, int]) -> np.ndarray:
    """0/1 columns of the bins' chosen region sets."""
    values = np.zeros(model.n_cols)
    for w, mask in chosen.items():
        mine = (model.col_winner == w) & ((mask >> model.col_unit) & 1 == 1)
        values[mine] = 1.0
    return values


def search(model: Model, duals: Duals, stop: float, cap: float, node_limit: int = 20_000) -> Found:
    """The least-penalty plan of penalty <= cap, ending at the first of penalty <= stop (see
    the module). Only for binary models of at most MAX_REGIONS units."""
    if not model.binary or len(model.unit_ids) > MAX_REGIONS:
        return Found(None, np.inf, False, 0)
    return _Search(model, duals, stop, cap, node_limit).run()
