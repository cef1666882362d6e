"""Brand reports in the allocation (RULES.md 10, batch 11): a part of a hospital's demand named
by product is supplied directly by that product's winning bid, before the optimizer runs.

Pure: from the lot's brand parts, the agreed volumes and the winners, the fixed supplies
(`FixedSupply`), the hospitals' open quantities (agreed less fixed: the by-name rest and parts
whose brand did not win, for the optimizer), the cuts where a winner's room (capacity and
maximum share) is short of its parts, and the counts the regulator sees.

A part's fixed quantity is its share of the hospital's agreed volume, rounded half up:
part x agreed / reported (integers), never more in total than the agreed volume. A winner whose
parts exceed its room has them cut pro rata (largest remainder, ties by hospital id).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from procurement.award.allocation import FixedSupply, Winner


@dataclass(frozen=True)
class Part:
    """One brand part as the award sees it (ids as strings, like the optimizer's)."""

    hospital_id: str
    product_id: str
    quantity: int
    report_quantity: int


@dataclass(frozen=True)
class BrandCut:
    """A winner's room cut a hospital's brand report from `requested` to `fixed` units."""

    hospital_id: str
    winner_id: str
    requested: int
    fixed: int


@dataclass
class BrandPlan:
    fixed: tuple[FixedSupply, ...] = ()
    open_quantity: dict[str, int] = field(default_factory=dict)
    cuts: tuple[BrandCut, ...] = ()
    requests: int = 0
    met_full: int = 0
    met_part: int = 0
    not_met: int = 0
    requested_volume: int = 0
    met_volume: int = 0

    @property
    def cut_by_winner(self) -> dict[str, int]:
        """Per winner, the units of brand reports its room cut."""
        out: dict[str, int] = {}
        for c in self.cuts:
            out[c.winner_id] = out.get(c.winner_id, 0) + c.requested - c.fixed
        return out

    def record(self) -> dict | None:
        """What the lot result stores (None when the lot has no brand reports)."""
        if not self.requests:
            return None
        return {
            "requests": self.requests,
            "met_full": self.met_full,
            "met_part": self.met_part,
            "not_met": self.not_met,
            "requested_volume": self.requested_volume,
            "met_volume": self.met_volume,
            "cuts": [
                {
                    "hospital": c.hospital_id,
                    "winner": c.winner_id,
                    "requested": c.requested,
                    "fixed": c.fixed,
                }
                for c in self.cuts
            ],
        }


def scaled(part: Part, agreed: int) -> int:
    """The part's share of the agreed volume: part x agreed / reported, rounded half up."""
    if part.report_quantity <= 0:
        return 0
    return (2 * part.quantity * agreed + part.report_quantity) // (2 * part.report_quantity)


def plan_brands(
    parts: list[Part],
    agreed: dict[str, int],
    region: dict[str, str],
    winner_of: dict[str, Winner],
    max_share: Decimal,
) -> BrandPlan:
    """Fix the parts whose product won (`winner_of`: product id -> winner serving it)."""
    plan = BrandPlan(open_quantity=dict(agreed), requests=len(parts))
    wanted: dict[tuple[str, str], int] = {}  # (winner, hospital) -> requested units
    left = dict(agreed)
    for part in sorted(parts, key=lambda p: (p.hospital_id, p.product_id)):
        units = min(scaled(part, agreed.get(part.hospital_id, 0)), left.get(part.hospital_id, 0))
        plan.requested_volume += units
        w = winner_of.get(part.product_id)
        if w is None or not w.serves(region.get(part.hospital_id, "")) or units <= 0:
            plan.not_met += 1
            continue
        left[part.hospital_id] -= units
        key = (w.id, part.hospital_id)
        wanted[key] = wanted.get(key, 0) + units
    total = sum(agreed.values())
    rooms = {w.id: min(w.capacity, math.floor(max_share * total)) for w in winner_of.values()}
    granted = _within_rooms(wanted, rooms)
    plan.fixed = tuple(
        FixedSupply(h, region[h], w, q) for (w, h), q in sorted(granted.items()) if q > 0
    )
    plan.cuts = tuple(
        BrandCut(h, w, wanted[(w, h)], q)
        for (w, h), q in sorted(granted.items(), key=lambda i: (i[0][1], i[0][0]))
        if q < wanted[(w, h)]
    )
    cut = {(c.winner_id, c.hospital_id) for c in plan.cuts}
    plan.met_part = len(cut)
    plan.met_full = len(wanted) - len(cut)
    plan.met_volume = sum(granted.values())
    for f in plan.fixed:
        plan.open_quantity[f.hospital_id] -= f.quantity
    return plan


def _within_rooms(wanted: dict[tuple[str, str], int], rooms: dict[str, int]) -> dict:
    """Each winner's requests, cut pro rata to its room when short (largest remainder, ties by
    hospital id)."""
    out = dict(wanted)
    for w, room in rooms.items():
        keys = sorted(k for k in wanted if k[0] == w)
        asked = sum(wanted[k] for k in keys)
        if asked <= room:
            continue
        share = {k: divmod(wanted[k] * room, asked) for k in keys}
        for k in keys:
            out[k] = share[k][0]
        spare = room - sum(out[k] for k in keys)
        for k in sorted(keys, key=lambda k: (-share[k][1], len(k[1]), k[1]))[:spare]:
            out[k] += 1
    return out
