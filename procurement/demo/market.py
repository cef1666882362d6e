"""The market side of the world: which manufacturers declare for which lot, and the products
they register for it (approval numbers 国药准字H..., strengths, packs, consistency evaluation)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from procurement.catalog import services as catalog
from procurement.demo.data import Drug
from procurement.demo.world import Org, Round, World


def _approval(rng: random.Random, used: set[str]) -> str:
    while True:
        number = f"国药准字H{rng.choice((19, 20))}{rng.randrange(10**6):06d}"
        if number not in used:
            used.add(number)
            return number


def _product_data(rng, drug: Drug, used: set[str], strength: Decimal, **flags) -> dict:
    return {
        "approval_number": _approval(rng, used),
        "generic_name": drug.generic_name,
        "dosage_form": drug.dosage_form,
        "dosage_class": drug.dosage_class,
        "strength": strength,
        "strength_unit": drug.strength_unit,
        "smallest_unit": drug.smallest_unit,
        "pack_size": rng.choice(drug.packs),
        "approval_date": date(rng.randrange(2012, 2024), rng.randrange(1, 13), 1),
        "consistency_evaluated": True,
        "originator": False,
        **flags,
    }


def bidder_plan(rng: random.Random, world: World, rnd: Round) -> dict[str, list[Org]]:
    """Which manufacturers declare for which lot. The first named quotes lowest: one of a few
    large generic houses, as in the national rounds where a handful win many lots."""
    plan: dict[str, list[Org]] = {}
    leaders = [m for m in world.makers[:8] if m.profile == "normal"][:3]
    weights = [3 if i % 4 == 0 else 1 for i in range(len(world.makers))]
    for lot in rnd.lots:
        k = min(len(world.makers), rng.choice((2, 3, 4, 4, 5, 5, 6, 7, 8, 9)))
        chosen: list[Org] = [rng.choice(leaders)]
        while len(chosen) < k:
            pick = rng.choices(world.makers, weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        plan[lot.code] = chosen
    return plan


def register_products(
    session: Session, world: World, rnd: Round, rng, plan: dict[str, list[Org]]
) -> int:
    """Each declared bidder registers its product (unless it has for this lot already); a few
    also hold a product that never passed consistency evaluation (its bid will be refused).
    Returns the products registered."""
    used = world.approvals
    registered = 0
    for lot in rnd.lots:
        drug = lot.drug
        for maker in plan[lot.code]:
            if (maker.code, lot.id) in world.products:
                continue
            strength = drug.strength
            if drug.other_strengths and rng.random() < 0.3:
                strength = rng.choice(drug.other_strengths)
            flags = {"originator": True} if maker.code == world.makers[-1].code else {}
            values = _product_data(rng, drug, used, strength, **flags)
            product = catalog.register_product(
                session, data=values, now=world.now, actor=maker.actor
            )
            world.products.setdefault((maker.code, lot.id), []).append(product.id)
            registered += 1
            if rng.random() < 0.06:
                values = _product_data(rng, drug, used, drug.strength, consistency_evaluated=False)
                p = catalog.register_product(session, data=values, now=world.now, actor=maker.actor)
                world.products[(maker.code, lot.id)].insert(0, p.id)
                registered += 1
    return registered
