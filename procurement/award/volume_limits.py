"""What every winner received and what limited it (public results, issue 15 item 12; issue 16
item 1). Pure: computed from the allocation problem and result at award time, stored on the
bid's outcome (``AwardBidOutcome.volume_limit``) and put in words by the pages
(``award/_volume.html``).

The allocation minimizes cost at each winner's cost basis (the ranking's comparable price by
default), so a cheaper winner expects every unit of the regions it serves before a dearer winner
gets any. When a dearer winner supplies a region this winner serves, something stopped it: its
declared ``capacity``, the lot's ``max_share``, a ``rule`` of the allocation (a dearer winner's
minimum share, every winner supplying a region, whole hospitals or regions per supplier), or
hospitals' ``brand_reports`` naming the dearer winner's product. When dearer winners only supply
regions this winner did not commit to, its ``regions`` are the limit; otherwise nothing limited
it (``none``). Every note carries ``received`` and ``brand`` (of it, units fixed by brand
reports) and ``brand_cut`` (units of brand reports its room cut).
"""

from __future__ import annotations

import math
from typing import Any

from procurement.award.allocation import AllocationProblem, AllocationResult, Winner

LIMITS = (
    "capacity",
    "max_share",
    "regions",
    "min_share",
    "one_region_each",
    "granularity",
    "brand_reports",
    "none",
)


def volume_limits(
    problem: AllocationProblem, result: AllocationResult, brand_cut: dict[str, int] | None = None
) -> dict[str, dict[str, Any]]:
    """Per winner id (reserves the fallback used included): what it received and what limited
    it (one of ``LIMITS``) with the numbers to say so."""
    if not result.ok:
        return {}
    everyone = problem.winners + problem.reserves
    cost = {w.id: w.basis for w in everyone}
    got = {t.winner_id: t.quantity for t in result.winner_totals}
    fixed: dict[str, int] = {}
    for a in result.allocations:
        fixed[a.winner_id] = fixed.get(a.winner_id, 0) + a.fixed
    total = problem.total_quantity
    reserve_ids = {w.id for w in problem.reserves}
    out = {}
    for w in everyone:
        if w.id in reserve_ids and not got.get(w.id):
            continue
        dearer = [a for a in result.allocations if a.quantity and cost[a.winner_id] > w.basis]
        inside = sum(a.quantity - a.fixed for a in dearer if w.serves(a.region))
        by_brand = sum(a.fixed for a in dearer if w.serves(a.region))
        outside = sum(a.quantity for a in dearer if not w.serves(a.region))
        quantity = got.get(w.id, 0)
        if inside:
            note = _stopped(problem, w, quantity, total, inside, dearer, got)
        elif by_brand:
            note = {"limit": "brand_reports", "to_dearer": by_brand}
        elif outside and w.regions is not None:
            note = {"limit": "regions", "regions": sorted(w.regions), "elsewhere": outside}
        else:
            note = {"limit": "none"}
        out[w.id] = note | {
            "received": quantity,
            "brand": fixed.get(w.id, 0),
            "brand_cut": (brand_cut or {}).get(w.id, 0),
        }
    return out


def _stopped(
    problem: AllocationProblem, w: Winner, quantity: int, total: int, inside: int, dearer, got
) -> dict[str, Any]:
    note: dict[str, Any] = {"received": quantity, "to_dearer": inside}
    if quantity >= w.capacity:
        return note | {"limit": "capacity", "capacity": w.capacity}
    if quantity >= math.floor(problem.max_share * total):
        return note | {"limit": "max_share", "max_share": str(problem.max_share)}
    room = min(w.capacity, math.floor(problem.max_share * total)) - quantity
    if not any(size <= room for size in _whole_units(problem, w, dearer)):
        return note | {"limit": "granularity", "granularity": problem.granularity}
    floor_share = math.ceil(problem.min_share * total)
    if problem.min_share > 0 and any(
        got.get(a.winner_id, 0) <= floor_share for a in dearer if w.serves(a.region)
    ):
        return note | {"limit": "min_share", "min_share": str(problem.min_share)}
    if problem.every_winner_gets_a_region:
        return note | {"limit": "one_region_each"}
    return note | {"limit": "granularity", "granularity": problem.granularity}


def _whole_units(problem: AllocationProblem, w: Winner, dearer) -> list[int]:
    """The pieces dearer winners took in regions ``w`` serves, as they must move: a hospital's
    volume (single sourcing), a region's (region sourcing), or any unit (split)."""
    if problem.granularity == "split":
        return [1]
    size: dict[str, int] = {}
    for a in dearer:
        if w.serves(a.region) and a.quantity > a.fixed:
            key = a.region if problem.granularity == "region" else a.hospital_id
            size[key] = size.get(key, 0) + a.quantity - a.fixed
    if problem.granularity == "region":  # a region moves whole: all its hospitals
        size = {r: sum(h.quantity for h in problem.hospitals if h.region == r) for r in size}
    return list(size.values())
