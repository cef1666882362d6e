"""Infeasibility as an answer: exact pre-checks that name the lot, the constraint and the amount,
and the fallbacks a regulator can choose (RULES.md: relax minimum shares, or allocate the
remainder to the next-ranked valid bidders)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from procurement.award.allocation import Diagnosis
from procurement.award.optimizer.model import Model
from procurement.core.messages import Message


def _n(value: int, unit: str) -> str:
    return f"{value:,} {unit}"


def precheck(model: Model) -> list[Diagnosis]:
    """Necessary conditions, checked in exact integers before any solver runs."""
    return _lot_level(model) + _winner_level(model) + _region_level(model) + _unit_fit(model)


def _lot_level(model: Model) -> list[Diagnosis]:
    p, unit, lot = model.problem, model.problem.unit, model.problem.lot_id
    fixed = sum(model.fixed)
    total = int(model.unit_qty.sum()) + fixed
    out = []
    capacity = sum(w.capacity for w in model.winners)
    if capacity < total:
        out.append(
            Diagnosis(
                lot,
                "capacity",
                Message(
                    "capacity short by {short} in lot {lot}: agreed {total}, total capacity "
                    "{capacity}",
                    short=_n(total - capacity, unit),
                    lot=lot,
                    total=f"{total:,}",
                    capacity=f"{capacity:,}",
                ),
                total - capacity,
            )
        )
    elif sum(model.upper) + fixed < total:
        short = total - sum(model.upper) - fixed
        out.append(
            Diagnosis(
                lot,
                "max_share",
                Message(
                    "maximum share {share} too small to cover lot {lot}: {winners} winner(s) "
                    "may take {room} of {total}, short by {short}",
                    share=f"{p.max_share:.0%}",
                    lot=lot,
                    winners=len(model.winners),
                    room=f"{sum(model.upper) + fixed:,}",
                    total=_n(total, unit),
                    short=f"{short:,}",
                ),
                short,
            )
        )
    main = len(model.winners) - len(model.reserve_ids)
    if sum(model.lower) + fixed > total:
        out.append(
            Diagnosis(
                lot,
                "min_share",
                Message(
                    "minimum shares sum to {sum} (over 100%) in lot {lot}: {winners} winners "
                    "x {share}",
                    sum=f"{p.min_share * main:.0%}",
                    lot=lot,
                    winners=main,
                    share=f"{p.min_share:.0%}",
                ),
                sum(model.lower) + fixed - total,
            )
        )
    return out


def _winner_level(model: Model) -> list[Diagnosis]:
    unit, lot = model.problem.unit, model.problem.lot_id
    out = []
    for w, winner in enumerate(model.winners):
        reach = int(model.unit_qty[model.col_unit[model.col_winner == w]].sum())
        floor = model.lower[w]
        if floor > model.upper[w]:
            out.append(
                Diagnosis(
                    lot,
                    "min_share",
                    Message(
                        "{winner} must supply at least {floor} (minimum share) in lot {lot} but "
                        "may supply at most {upper} (capacity {capacity})",
                        winner=winner.id,
                        floor=_n(floor, unit),
                        lot=lot,
                        upper=f"{model.upper[w]:,}",
                        capacity=f"{winner.capacity:,}",
                    ),
                    floor - model.upper[w],
                )
            )
        elif floor > reach:
            out.append(
                Diagnosis(
                    lot,
                    "min_share",
                    Message(
                        "{winner} must supply at least {floor} (minimum share) in lot {lot} but "
                        "its regions only need {reach}",
                        winner=winner.id,
                        floor=_n(floor, unit),
                        lot=lot,
                        reach=f"{reach:,}",
                    ),
                    floor - reach,
                )
            )
    return out


def _region_level(model: Model) -> list[Diagnosis]:
    unit, lot = model.problem.unit, model.problem.lot_id
    out = []
    regions, region_of = model.unit_region_index
    need = np.zeros(len(regions), dtype=np.int64)
    np.add.at(need, region_of, model.unit_qty)
    counts = np.bincount(region_of, minlength=len(regions))
    for i, region in enumerate(regions):
        eligible = [w for w, x in enumerate(model.winners) if x.serves(region)]
        volume, count = int(need[i]), int(counts[i])
        if not eligible:
            out.append(
                Diagnosis(
                    lot,
                    "eligibility",
                    Message(
                        "region {region} has no eligible winner in lot {lot}: {volume} for "
                        "{count} hospital(s) cannot be served",
                        region=region,
                        lot=lot,
                        volume=_n(volume, unit),
                        count=count,
                    ),
                    volume,
                )
            )
            continue
        room = sum(model.upper[w] for w in eligible)
        if room < volume:
            out.append(
                Diagnosis(
                    lot,
                    "capacity",
                    Message(
                        "capacity short by {short} in region {region} of lot {lot}: needs "
                        "{volume}, eligible winners may supply {room}",
                        short=_n(volume - room, unit),
                        region=region,
                        lot=lot,
                        volume=f"{volume:,}",
                        room=f"{room:,}",
                    ),
                    volume - room,
                )
            )
    return out


def _unit_fit(model: Model) -> list[Diagnosis]:
    """Single/region sourcing: a unit larger than every eligible winner's room cannot be placed."""
    if not model.binary:
        return []
    unit, lot = model.problem.unit, model.problem.lot_id
    kind = "region" if model.problem.granularity == "region" else "hospital"
    out: list[Diagnosis] = []
    if not model.n_cols:
        return out
    upper = np.array(model.upper, dtype=np.int64)
    largest = np.full(len(model.unit_ids), -1, dtype=np.int64)
    np.maximum.at(largest, model.col_unit, upper[model.col_winner])
    has_room = np.zeros(len(model.unit_ids), dtype=bool)
    has_room[model.col_unit] = True
    for u in np.nonzero(has_room & (largest < model.unit_qty))[0]:
        q, room, name = int(model.unit_qty[u]), int(largest[u]), model.unit_ids[u]
        out.append(
            Diagnosis(
                lot,
                "capacity",
                Message(
                    "{kind} {name} needs {quantity} in lot {lot} from one supplier, but the "
                    "largest eligible room is {room}",
                    kind=kind,
                    name=name,
                    quantity=_n(q, unit),
                    lot=lot,
                    room=f"{room:,}",
                ),
                q - room,
            )
        )
    return out


def after_solver(model: Model, relaxed_feasible: bool, split_feasible: bool) -> Diagnosis:
    """The pre-checks passed but the solver proved infeasibility: say which family of
    constraints is to blame, from re-solves without minimum shares and without integrality."""
    lot = model.problem.lot_id
    if relaxed_feasible:
        return Diagnosis(
            lot,
            "min_share",
            Message(
                "minimum shares ({share}) or one-region-per-winner cannot be met together with "
                "capacity and eligibility in lot {lot}",
                share=f"{model.problem.min_share:.0%}",
                lot=lot,
            ),
        )
    if split_feasible:
        return Diagnosis(
            lot,
            "granularity",
            Message(
                "whole hospitals/regions cannot be packed into the winners' capacities in lot "
                "{lot}; a split allocation would be feasible",
                lot=lot,
            ),
        )
    return Diagnosis(
        lot,
        "capacity",
        Message(
            "regions sharing the same suppliers need more than those suppliers can give in lot "
            "{lot}",
            lot=lot,
        ),
    )


def suggestions(model: Model) -> list[str]:
    """Documented fallbacks (RULES.md): what the regulator may choose when a lot is infeasible."""
    out = []
    if model.problem.min_share > Decimal(0) or model.min_one:
        out.append("relax_min_share: re-solve with minimum shares (and one region each) relaxed")
    if model.problem.reserves:
        names = ", ".join(w.id for w in sorted(model.problem.reserves, key=lambda w: w.rank))
        out.append(f"reserves: allocate the remainder to next-ranked valid bidders ({names})")
    else:
        out.append(
            "reserves: pass the next-ranked valid bidders as reserves to cover the remainder"
        )
    return out
