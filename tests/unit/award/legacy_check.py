"""The scalar (pre-vectorisation) result building, kept as the oracle of test_award_check."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from procurement.award.allocation import Allocation, Hospital, WinnerTotal
from procurement.award.optimizer.model import Model
from procurement.core.money import line_total, round_ratio


def column_quantities(model: Model, values: np.ndarray) -> np.ndarray:
    """Integer units per column. Binary: whole units; split: rounded, then repaired per unit so
    that each unit's quantities add up exactly (the difference goes to its largest column)."""
    if model.binary:
        return np.where(values > 0.5, model.unit_qty[model.col_unit], 0).astype(np.int64)
    qty = np.rint(values).astype(np.int64)
    served = np.zeros(len(model.unit_ids), dtype=np.int64)
    np.add.at(served, model.col_unit, qty)
    for u in np.nonzero(served != model.unit_qty)[0]:
        cols = np.nonzero(model.col_unit == u)[0]
        biggest = cols[np.argmax(qty[cols])]
        qty[biggest] += int(model.unit_qty[u] - served[u])
    return qty


def violations(model: Model, qty: np.ndarray) -> list[str]:
    """Every constraint re-checked in Python ints; an empty list means the plan is valid."""
    problems: list[str] = []
    lot = model.problem.lot_id
    if (qty < 0).any():
        problems.append(f"negative quantity in lot {lot}")
    served = [0] * len(model.unit_ids)
    totals = [0] * len(model.winners)
    suppliers = [0] * len(model.unit_ids)
    for j in np.nonzero(qty)[0]:
        u, w, q = int(model.col_unit[j]), int(model.col_winner[j]), int(qty[j])
        served[u] += q
        totals[w] += q
        suppliers[u] += 1
        if not model.winners[w].serves(model.unit_region[u]):
            problems.append(f"{model.winners[w].id} does not serve region {model.unit_region[u]}")
    for u, unit in enumerate(model.unit_ids):
        if served[u] != int(model.unit_qty[u]):
            problems.append(f"{unit} served {served[u]} of {int(model.unit_qty[u])} in lot {lot}")
        if model.binary and suppliers[u] != 1:
            problems.append(f"{unit} has {suppliers[u]} suppliers under single/region sourcing")
    for w, winner in enumerate(model.winners):
        if totals[w] > winner.capacity:
            problems.append(f"{winner.id} over capacity: {totals[w]} > {winner.capacity}")
        if not model.lower[w] <= totals[w] <= model.upper[w]:
            problems.append(
                f"{winner.id} volume {totals[w]} outside [{model.lower[w]}, {model.upper[w]}]"
            )
    for w in model.min_one:
        if not any(model.col_winner[j] == w for j in np.nonzero(qty)[0]):
            problems.append(f"{model.winners[w].id} got no region")
    return problems


def winner_totals(model: Model, qty: np.ndarray) -> list[int]:
    totals = [0] * len(model.winners)
    for j in np.nonzero(qty)[0]:
        totals[int(model.col_winner[j])] += int(qty[j])
    return totals


def build_allocations(model: Model, qty: np.ndarray, totals: list[int]) -> list[Allocation]:
    """One allocation per hospital and supplier, in hospital then winner order."""
    eligible = _eligible_by_region(model)
    out: list[Allocation] = []
    for j in np.nonzero(qty)[0]:
        u, w = int(model.col_unit[j]), int(model.col_winner[j])
        reason = _reason(model, (u, w, int(qty[j])), totals, eligible[model.unit_region[u]])
        winner = model.winners[w]
        parts = _split_unit(model, u, int(qty[j]))
        for hospital, q in parts:
            out.append(
                Allocation(
                    hospital.id,
                    hospital.region,
                    winner.id,
                    q,
                    winner.price,
                    line_total(q, winner.price),
                    reason,
                )
            )
    out.sort(key=lambda a: (a.hospital_id, a.winner_id))
    return out


def _split_unit(model: Model, u: int, q: int) -> list[tuple[Hospital, int]]:
    members = model.unit_members[u]
    if len(members) == 1:
        return [(members[0], q)]
    return [(h, h.quantity) for h in members]  # region sourcing: whole hospitals


def _eligible_by_region(model: Model) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for region in sorted(set(model.unit_region)):
        ws = [i for i, w in enumerate(model.winners) if w.serves(region)]
        out[region] = sorted(ws, key=lambda i: (model.winners[i].price, model.winners[i].id))
    return out


def _reason(model: Model, col: tuple[int, int, int], totals: list[int], eligible: list[int]) -> str:
    u, w, q = col
    winner = model.winners[w]
    prefix = "reserve bidder (fallback): " if winner.id in model.reserve_ids else ""
    region = model.unit_region[u]
    if len(eligible) == 1:
        return f"{prefix}only eligible supplier in region {region}"
    cheaper = [c for c in eligible if model.winners[c].price < winner.price]
    if not cheaper:
        return f"{prefix}cheapest eligible supplier at {winner.price} per unit"
    return prefix + _moved_reason(model, (u, w, q), totals, cheaper[0])


def _moved_reason(model: Model, col: tuple[int, int, int], totals: list[int], c: int) -> str:
    _, w, q = col
    cheap, unit = model.winners[c], model.problem.unit
    spare = model.upper[c] - totals[c]
    if q > spare:
        limit = "capacity" if model.upper[c] == cheap.capacity else "maximum share"
        return (
            f"moved by {limit}: cheaper {cheap.id} at {cheap.price} has {spare:,} {unit} left "
            f"under its {limit}, this needs {q:,}"
        )
    if not model.binary:
        return f"split: the rest of this hospital's volume fits cheaper {cheap.id} no further"
    if totals[w] - q < model.lower[w]:
        return (
            f"kept for minimum share: {model.winners[w].id} must supply {model.lower[w]:,} {unit}"
        )
    if w in model.min_one:
        return "kept so that every winner supplies at least one region"
    return f"moved to fit single sourcing around the capacity of cheaper {cheap.id}"


def winner_summary(
    model: Model, totals: list[int], allocations: list[Allocation]
) -> list[WinnerTotal]:
    """Per winner: units, amount (sum of its line totals), share of the lot, capacity."""
    grand = sum(totals) or 1
    amounts: dict[str, Decimal] = {}
    for a in allocations:
        amounts[a.winner_id] = amounts.get(a.winner_id, Decimal(0)) + a.amount
    return [
        WinnerTotal(
            w.id,
            totals[i],
            amounts.get(w.id, Decimal("0.00")),
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
    eligible = _eligible_by_region(model)
    out = []
    for j in np.nonzero(qty)[0]:
        u, w = int(model.col_unit[j]), int(model.col_winner[j])
        need = int(model.unit_qty[u])
        for c in eligible[model.unit_region[u]]:
            if c != w and model.winners[c].capacity - totals[c] >= need:
                out.append((model.unit_ids[u], model.winners[c].id))
                break
    return sorted(out)
