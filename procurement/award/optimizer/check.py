"""From solver floats to a verified plan: integer quantities, exact constraint checks, Decimal
totals and a readable reason per allocation.

Everything per column is numpy in integer arithmetic (int64 with an overflow guard, Python ints
beyond it): the re-check of every constraint, winner totals, line amounts in fen (quantity x
price scaled to 1e-4 yuan, rounded half up to fen exactly as `line_total`) and the reasons,
which are chosen by category in bulk and formatted only where they carry a number. The result
of a lot is first a `CompactPlan` (arrays, cheap to send back from a worker process), turned
into `Allocation` dataclasses with one Decimal per line at the end (`expand_allocations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from procurement.award.allocation import (
    Allocation,
    AllocationProblem,
    Winner,
    WinnerTotal,
    hospital_columns,
)
from procurement.award.optimizer.model import Model
from procurement.core.messages import N_, Message
from procurement.core.money import line_total, round_ratio

_SAFE = 2**62  # int64 products below this cannot overflow


@dataclass
class CompactPlan:
    """One lot's allocations as arrays, in (hospital id, winner id) order.

    `hospital_pos` indexes `problem.hospitals`, `winner` indexes `winners`; `fen` is each line's
    amount in fen; `reason` indexes `reasons`; where `needed` is >= 0 the line's reason quotes it
    (`line_reason`: filled when the line is read, not one text per hospital in the worker)."""

    winners: tuple[Winner, ...]
    hospital_pos: np.ndarray
    winner: np.ndarray
    quantity: np.ndarray
    fen: np.ndarray
    reason: np.ndarray
    reasons: list[str]
    fixed: np.ndarray | None = None  # per line, units fixed by brand reports (None: none)
    needed: np.ndarray | None = None  # per line, the quantity its reason quotes (-1: none)


def line_reason(reasons: list[str], r: int, needed: int) -> str:
    """Reason `r` of the table, with the line's `needed` filled in when it quotes one."""
    text = reasons[r]
    if needed < 0 or not isinstance(text, Message):
        return text
    return _with_needed(text, needed)


def _with_needed(text: Message, needed: int) -> Message:
    params = dict(text.params)
    inner = params.get("reason")
    if isinstance(inner, Message):  # a reserve's reason wraps the quoting one
        params["reason"] = _with_needed(inner, needed)
    else:
        params["needed"] = f"{needed:,}"
    return Message(text.template, **params)


def column_quantities(model: Model, values: np.ndarray) -> np.ndarray:
    """Integer units per column. Binary: whole units; split: rounded, then repaired per unit so
    that each unit's quantities add up exactly (the difference goes to its largest column)."""
    if model.binary:
        return np.where(values > 0.5, model.unit_qty[model.col_unit], 0).astype(np.int64)
    qty: np.ndarray = np.rint(values).astype(np.int64)
    served = np.zeros(len(model.unit_ids), dtype=np.int64)
    np.add.at(served, model.col_unit, qty)
    for u in np.nonzero(served != model.unit_qty)[0]:
        cols = np.nonzero(model.col_unit == u)[0]
        biggest = cols[np.argmax(qty[cols])]
        qty[biggest] += int(model.unit_qty[u] - served[u])
    return qty


def _sum_by(index: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Exact integer sums per index (int64; Python ints when the sums could overflow)."""
    if weights.size and int(np.abs(weights).max()) * weights.size >= _SAFE:
        out = np.zeros(size, dtype=object)
        for i, w in zip(index.tolist(), weights.tolist(), strict=True):
            out[i] += w
        return out
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, weights.astype(np.int64))
    return out


def violations(model: Model, qty: np.ndarray) -> list[str]:
    """Every constraint re-checked in exact integers; an empty list means the plan is valid."""
    problems: list[str] = []
    lot = model.problem.lot_id
    if (qty < 0).any():
        problems.append(f"negative quantity in lot {lot}")
    nz = np.nonzero(qty)[0]
    units, winners, q = model.col_unit[nz], model.col_winner[nz], qty[nz]
    codes, unit_r = model.unit_region_index
    serves = _serves_matrix(model, codes)
    for k in np.nonzero(~serves[winners, unit_r[units]])[0].tolist():
        w, u = int(winners[k]), int(units[k])
        problems.append(f"{model.winners[w].id} does not serve region {model.unit_region[u]}")
    served = _sum_by(units, q, len(model.unit_ids))
    suppliers = np.bincount(units, minlength=len(model.unit_ids))
    for u in np.nonzero(served != model.unit_qty)[0].tolist():
        need = int(model.unit_qty[u])
        problems.append(f"{model.unit_ids[u]} served {int(served[u])} of {need} in lot {lot}")
    if model.binary:
        for u in np.nonzero(suppliers != 1)[0].tolist():
            problems.append(
                f"{model.unit_ids[u]} has {int(suppliers[u])} suppliers under single/region "
                "sourcing"
            )
    totals = _sum_by(winners, q, len(model.winners))
    for w, winner in enumerate(model.winners):
        total = int(totals[w])
        if total > winner.capacity:
            problems.append(f"{winner.id} over capacity: {total} > {winner.capacity}")
        if not model.lower[w] <= total <= model.upper[w]:
            problems.append(
                f"{winner.id} volume {total} outside [{model.lower[w]}, {model.upper[w]}]"
            )
    has_any = np.zeros(len(model.winners), dtype=bool)
    has_any[winners] = True
    for w in model.min_one:
        if not has_any[w]:
            problems.append(f"{model.winners[w].id} got no region")
    return problems


def _serves_matrix(model: Model, codes: list[str]) -> np.ndarray:
    return np.array([[w.serves(r) for r in codes] for w in model.winners], dtype=bool).reshape(
        len(model.winners), len(codes)
    )


def winner_totals(model: Model, qty: np.ndarray) -> list[int]:
    nz = np.nonzero(qty)[0]
    return [int(t) for t in _sum_by(model.col_winner[nz], qty[nz], len(model.winners))]


def line_fen(quantity: np.ndarray, winner: np.ndarray, winners: tuple[Winner, ...]) -> np.ndarray:
    """Each line's amount in fen: quantity x price rounded half up to fen (as `line_total`)."""
    scaled = []
    exact = True
    for w in winners:
        s = w.price.scaleb(4)
        exact &= s == s.to_integral_value() and s >= 0
        scaled.append(int(s) if exact else 0)
    if exact and quantity.size:
        price = np.array(scaled, dtype=np.int64)
        if int(quantity.max()) * max(int(price.max()), 1) < _SAFE and int(quantity.min()) >= 0:
            fen: np.ndarray = (quantity * price[winner] + 50) // 100
            return fen
    out = [
        int(line_total(q, winners[w].price).scaleb(2))
        for q, w in zip(quantity.tolist(), winner.tolist(), strict=True)
    ]
    return np.array(out, dtype=object if out and max(map(abs, out)) >= _SAFE else np.int64)


def compact_plan(model: Model, qty: np.ndarray, totals: list[int]) -> CompactPlan:
    """The allocations as arrays: one line per hospital and supplier (region sourcing: every
    member hospital of a region gets its whole volume), in hospital id then winner id order."""
    nz = np.nonzero(qty)[0]
    col_u, col_w, col_q = model.col_unit[nz], model.col_winner[nz], qty[nz]
    reason_code, reasons, needed = _reasons(model, col_u, col_w, col_q, totals)
    assert model.member_start is not None
    assert model.member_pos is not None
    start, pos = model.member_start, model.member_pos
    count = start[col_u + 1] - start[col_u]
    if (count == 1).all():
        hospital_pos, line_col, quantity = pos[start[col_u]], np.arange(nz.size), col_q
    else:  # region sourcing: expand each region to its member hospitals
        line_col = np.repeat(np.arange(nz.size), count)
        offset = np.arange(line_col.size) - np.repeat(np.cumsum(count) - count, count)
        hospital_pos = pos[start[col_u][line_col] + offset]
        member_qty = np.array(hospital_columns(model.problem.hospitals)[2], dtype=np.int64)
        quantity = member_qty[hospital_pos]
    winner = col_w[line_col]
    id_rank = np.argsort(np.argsort([w.id for w in model.winners], kind="stable"), kind="stable")
    assert model.hospital_rank is not None
    order = np.lexsort((id_rank[winner], model.hospital_rank[hospital_pos]))
    hospital_pos, winner, quantity = hospital_pos[order], winner[order], quantity[order]
    return CompactPlan(
        winners=model.winners,
        hospital_pos=hospital_pos.astype(np.int64),
        winner=winner.astype(np.int64),
        quantity=quantity.astype(np.int64),
        fen=line_fen(quantity, winner, model.winners),
        reason=reason_code[line_col][order].astype(np.int64),
        reasons=reasons,
        needed=needed[line_col][order].astype(np.int64),
    )


def expand_allocations(problem: AllocationProblem, plan: CompactPlan) -> tuple[Allocation, ...]:
    """The Allocation dataclasses of a compact plan (one Decimal per line)."""
    hospitals = problem.hospitals
    winners, reasons = plan.winners, plan.reasons
    out = []
    fixed = plan.fixed.tolist() if plan.fixed is not None else [0] * plan.quantity.size
    needed = plan.needed.tolist() if plan.needed is not None else [-1] * plan.quantity.size
    for p, w, q, f, r, b, n in zip(
        plan.hospital_pos.tolist(),
        plan.winner.tolist(),
        plan.quantity.tolist(),
        plan.fen.tolist(),
        plan.reason.tolist(),
        fixed,
        needed,
        strict=True,
    ):
        h, winner = hospitals[p], winners[w]
        text = line_reason(reasons, r, n)
        out.append(
            Allocation(h.id, h.region, winner.id, q, winner.price, Decimal(f).scaleb(-2), text, b)
        )
    return tuple(out)


def plan_objective(plan: CompactPlan) -> Decimal:
    return Decimal(int(sum(plan.fen.tolist()))).scaleb(-2)


def _reasons(
    model: Model, col_u: np.ndarray, col_w: np.ndarray, col_q: np.ndarray, totals: list[int]
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """A reason per column, as (code per column, table of distinct texts, the quantity the text
    quotes per column or -1: "this needs {needed}" is filled when read); see `_reason` of the
    scalar rules: only eligible / cheapest / moved by capacity or share / split / kept for the
    minimum share / kept for 'every winner a region' / moved to fit single sourcing."""
    n_w = len(model.winners)
    codes, unit_r = model.unit_region_index
    serves = _serves_matrix(model, codes)
    order = sorted(range(n_w), key=lambda i: (model.winners[i].basis, model.winners[i].id))
    n_eligible = serves.sum(axis=0)
    cheapest = np.full(len(codes), -1, dtype=np.int64)
    for i in reversed(order):
        cheapest[serves[i]] = i
    prices = [w.basis for w in model.winners]
    unit = model.problem.unit
    table: dict[str, int] = {}

    def code(text: str) -> int:
        return table.setdefault(text, len(table))

    # The text depends on few things: the winner, the cheapest eligible one (or the region when
    # it is the only one) and the quantity only where the text quotes it; one text per key.
    r = unit_r[col_u]
    c_of, n_el = cheapest[r], n_eligible[r]
    exact_cheaper = np.array(
        [[prices[c] < prices[w] for c in range(n_w)] for w in range(n_w)], dtype=bool
    ).reshape(n_w, n_w)
    spare = np.array(model.upper, np.int64) - np.array(totals, np.int64)
    moved = (n_el != 1) & exact_cheaper[col_w, c_of]
    quoted = moved & (col_q > spare[c_of])
    kept = (np.array(totals, np.int64)[col_w] - col_q) < np.array(model.lower, np.int64)[col_w]
    kind = np.where(n_el == 1, 3, np.where(quoted, 2, np.where(moved & kept, 1, 0)))
    where = np.where(n_el == 1, r, c_of)
    if not col_u.size:
        return np.empty(0, dtype=np.int64), [], np.empty(0, dtype=np.int64)
    span = max(len(codes), n_w) + 1
    keys = (kind * n_w + col_w) * span + where
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    text_code = np.empty(first.size, dtype=np.int64)
    for key_index in np.argsort(first, kind="stable").tolist():  # texts in line order
        k = int(first[key_index])
        w, c, region_u, q = int(col_w[k]), int(c_of[k]), int(col_u[k]), int(col_q[k])
        winner = model.winners[w]
        if n_el[k] == 1:
            text = Message(
                "only eligible supplier in region {region}", region=model.unit_region[region_u]
            )
        elif not moved[k]:
            text = _cheapest(winner)
        else:
            text = _moved(model, w, q, totals, c, unit, quote=False)
        if winner.id in model.reserve_ids:
            text = Message("reserve bidder (fallback): {reason}", reason=text)
        text_code[key_index] = code(text)
    out: np.ndarray = text_code[inverse.reshape(-1)]
    return out, list(table), np.where(quoted, col_q, -1)


def _cheapest(winner: Winner) -> Message:
    if winner.cost is None:
        return Message("cheapest eligible supplier at {price} per unit", price=winner.price)
    return Message(
        "cheapest eligible supplier at comparable price {price} per unit", price=winner.cost
    )


def _moved(
    model: Model, w: int, q: int, totals: list[int], c: int, unit: str, quote: bool = True
) -> Message:
    """The reason of a line not at the cheapest eligible winner c; without `quote`, "this needs"
    is left as "{needed}" (the line fills it: `line_reason`)."""
    cheap = model.winners[c]
    spare = model.upper[c] - totals[c]
    if q > spare:
        if model.upper[c] == cheap.capacity:
            template = N_(
                "moved by capacity: cheaper {winner} at {price} has {spare} {unit} left under its "
                "capacity, this needs {needed}"
            )
        else:
            template = N_(
                "moved by maximum share: cheaper {winner} at {price} has {spare} {unit} left under "
                "its maximum share, this needs {needed}"
            )
        return Message(
            template,
            winner=cheap.id,
            price=cheap.basis,
            spare=f"{spare:,}",
            unit=unit,
            **({"needed": f"{q:,}"} if quote else {}),
        )
    if not model.binary:
        return Message(
            "split: the rest of this hospital's volume fits cheaper {winner} no further",
            winner=cheap.id,
        )
    if totals[w] - q < model.lower[w]:
        return Message(
            "kept for minimum share: {winner} must supply {minimum} {unit}",
            winner=model.winners[w].id,
            minimum=f"{model.lower[w]:,}",
            unit=unit,
        )
    if w in model.min_one:
        return Message("kept so that every winner supplies at least one region")
    return Message(
        "moved to fit single sourcing around the capacity of cheaper {winner}", winner=cheap.id
    )


def winner_summary(model: Model, totals: list[int], plan: CompactPlan) -> list[WinnerTotal]:
    """Per winner: units, amount (sum of its line totals), share of the lot, capacity."""
    grand = sum(totals) or 1
    fen = _sum_by(plan.winner, plan.fen, len(model.winners))
    return [
        WinnerTotal(
            w.id,
            totals[i],
            Decimal(int(fen[i])).scaleb(-2),
            round_ratio(Decimal(totals[i]) / Decimal(grand)),
            w.capacity,
            w.id in model.reserve_ids,
        )
        for i, w in enumerate(model.winners)
    ]


def region_backups(model: Model, totals: list[int], qty: np.ndarray) -> list[tuple[str, str]]:
    """Region sourcing: the cheapest other eligible winner with spare room for the region."""
    if model.problem.granularity != "region":
        return []
    codes, _ = model.unit_region_index
    serves = _serves_matrix(model, codes)
    order = sorted(
        range(len(model.winners)), key=lambda i: (model.winners[i].basis, model.winners[i].id)
    )
    index = {r: i for i, r in enumerate(codes)}
    out = []
    for j in np.nonzero(qty)[0].tolist():
        u, w = int(model.col_unit[j]), int(model.col_winner[j])
        need = int(model.unit_qty[u])
        for c in order:
            room = model.winners[c].capacity - totals[c]
            if serves[c, index[model.unit_region[u]]] and c != w and room >= need:
                out.append((model.unit_ids[u], model.winners[c].id))
                break
    return sorted(out)
