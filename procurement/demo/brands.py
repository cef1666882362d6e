"""Demand by brand in the demo (带量报名 by brand, RULES.md 10): this year's tender takes it.

Its bidders' plan is drawn when the tender is created and their products registered before
demand opens, so hospitals can name them: some hospitals report every lot by generic name, some
name one bidder's product for the whole quantity, some a mix (a part named, the rest by name).
A separate random stream keeps the rest of the world as it was."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from procurement.demo.market import bidder_plan, register_products
from procurement.demo.world import LotInfo, Org, Round, World

BY_NAME, BY_BRAND, MIX = "name", "brand", "mix"
# How hospitals report (batch 11: 77% of institutions named brands).
MODE_WEIGHTS = {BY_NAME: 30, BY_BRAND: 40, MIX: 30}
# A mix names this share of the quantity (range), and a second product this often.
MIX_SHARE = (0.3, 0.7)
SECOND_PRODUCT = 0.3

BrandLines = Callable[[Org, LotInfo, int], list[dict[str, Any]]]


def prepare(session: Session, world: World, rnd: Round) -> BrandLines:
    """The round's bidders and their products, now; returns what each hospital names."""
    rng = random.Random(world.seed * 7907 + rnd.batch)
    rnd.plan = bidder_plan(rng, world, rnd)
    rnd.early_products = register_products(session, world, rnd, rng, rnd.plan)
    modes = {
        h.id: rng.choices(list(MODE_WEIGHTS), list(MODE_WEIGHTS.values()))[0]
        for h in world.hospitals
    }

    def lines(hospital: Org, lot: LotInfo, units: int) -> list[dict[str, Any]]:
        mode = modes[hospital.id]
        if mode == BY_NAME:
            return []
        makers = [m for m in rnd.plan[lot.code] if m.profile == "normal"] or rnd.plan[lot.code]
        first = rng.choice(makers)
        if mode == BY_BRAND:
            return [_line(world, first, lot, units)]
        part = max(1, int(units * rng.uniform(*MIX_SHARE)))
        out = [_line(world, first, lot, part)]
        others = [m for m in makers if m is not first]
        if others and rng.random() < SECOND_PRODUCT and units - part > 1:
            out.append(_line(world, rng.choice(others), lot, (units - part) // 2))
        return out

    return lines


def _line(world: World, maker: Org, lot: LotInfo, quantity: int) -> dict[str, Any]:
    """The maker's product that bids on the lot (its last registered: consistency-evaluated)."""
    return {"product_id": world.products[(maker.code, lot.id)][-1], "quantity": quantity}
