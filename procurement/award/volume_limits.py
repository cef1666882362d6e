"""Why a winner received less volume than its price would expect (public results, issue 15 item
12). Pure: computed from the allocation problem and result at award time, stored on the bid's
outcome (``AwardBidOutcome.volume_limit``) and put in words by the results page.

The allocation minimizes cost, so a cheaper winner expects every unit of the regions it serves
before a dearer winner gets any. When a dearer winner supplies a region this winner serves,
something stopped it: its declared ``capacity``, the lot's ``max_share``, or a ``rule`` of the
allocation (a dearer winner's minimum share, every winner supplying a region, whole hospitals
or regions per supplier). When dearer winners only supply regions this winner did not commit
to, its ``regions`` are the limit.
"""

from __future__ import annotations

import math
from typing import Any

from procurement.award.allocation import AllocationProblem, AllocationResult, Winner

LIMITS = ("capacity", "max_share", "regions", "min_share", "one_region_each", "granularity")


def volume_limits(
    problem: AllocationProblem, result: AllocationResult
) -> dict[str, dict[str, Any]]:
    """Per winner id that got less than its price would expect: what limited it (one of
    ``LIMITS``) with the numbers to say so. Winners with nothing to explain are left out."""
    if not result.ok:
        return {}
    everyone = problem.winners + problem.reserves
    price = {w.id: w.price for w in everyone}
    got = {t.winner_id: t.quantity for t in result.winner_totals}
    total = problem.total_quantity
    out = {}
    for w in everyone:
        dearer = [a for a in result.allocations if a.quantity and price[a.winner_id] > w.price]
        inside = sum(a.quantity for a in dearer if w.serves(a.region))
        outside = sum(a.quantity for a in dearer if not w.serves(a.region))
        if inside:
            out[w.id] = _stopped(problem, w, got.get(w.id, 0), total, inside, dearer, got)
        elif outside and w.regions is not None:
            out[w.id] = {"limit": "regions", "regions": sorted(w.regions), "elsewhere": outside}
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
        if w.serves(a.region):
            key = a.region if problem.granularity == "region" else a.hospital_id
            size[key] = size.get(key, 0) + a.quantity
    if problem.granularity == "region":  # a region moves whole: all its hospitals
        size = {r: sum(h.quantity for h in problem.hospitals if h.region == r) for r in size}
    return list(size.values())
