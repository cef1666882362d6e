"""Walk the tender with the clock: bids (some refused, some above the ceiling), the opening,
an award run that is infeasible on one lot and its re-run with the reserves fallback,
confirmation and contracts in force. The contract year itself is in ``year.py``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from procurement.award import services as award
from procurement.bidding import services as bidding
from procurement.catalog import services as catalog
from procurement.contracts import services as contracts
from procurement.core.clock import as_utc
from procurement.core.errors import DomainError
from procurement.core.money import CENT, round_amount
from procurement.demo.costs import file_cost_breakdowns
from procurement.demo.market import bidder_plan, register_products
from procurement.demo.world import LotInfo, Org, Round, World, at
from procurement.orders import services as orders

PRICE_RATIO_FACTOR = Decimal("1.7")  # RULES.md 1 (national-2024 preset)
SHORT_LOT_ANCHOR = Decimal("0.4")  # of the ceiling, at most, on the lot that needs reserves


@dataclass
class BidPlan:
    maker: Org
    comparable: Decimal  # the comparable unit price aimed at
    capacity: int
    opt_in: bool = False


@dataclass
class AwardOutcome:
    first_run: int = 0
    first_status: str = ""
    infeasible_lots: list[str] = field(default_factory=list)
    diagnosis: str = ""
    final_run: int = 0
    fallback_lots: list[str] = field(default_factory=list)
    contracts: int = 0


def infeasible_lot(rnd: Round) -> LotInfo:
    """The lot whose winners are given too little capacity (needs the reserves fallback)."""
    return rnd.lots[5] if len(rnd.lots) > 6 else rnd.lots[-1]


def failing_lots(rnd: Round) -> list[LotInfo]:
    short = infeasible_lot(rnd)
    return [lot for lot in rnd.lots if lot is not short][:3]


def plan_bids(
    rng: random.Random, rnd: Round, plan: dict[str, list[Org]]
) -> dict[str, list[BidPlan]]:
    """Prices and capacities per lot: the cheapest near the anchor, others up to ~2.3x, a few
    above the ceiling; capacities that cover the lot (except on the short lot)."""
    short = infeasible_lot(rnd)
    out: dict[str, list[BidPlan]] = {}
    for lot in rnd.lots:
        ceiling, demand = lot.drug.ceiling, max(1, rnd.demand.get(lot.code, 0))
        anchor = ceiling * Decimal(str(round(rng.uniform(0.22, 0.55), 3)))
        if lot is short:
            # low enough that the priced-out reserves (up to 2.2x) stay under the ceiling
            anchor = min(anchor, ceiling * SHORT_LOT_ANCHOR)
            out[lot.code] = _short_lot(plan[lot.code], anchor, demand)
            continue
        bids = []
        for i, maker in enumerate(plan[lot.code]):
            factor = Decimal(1) if i == 0 else Decimal(str(round(rng.uniform(1.02, 2.3), 3)))
            comparable = anchor * factor
            if i > 0 and rng.random() < 0.07:
                comparable = ceiling * Decimal(str(round(rng.uniform(1.03, 1.25), 3)))
            capacity = int(demand * (rng.uniform(1.1, 1.4) if i == 0 else rng.uniform(0.65, 1.3)))
            bids.append(BidPlan(maker, comparable, capacity, opt_in=rng.random() < 0.3))
        out[lot.code] = bids
    return out


def _short_lot(makers: list[Org], anchor: Decimal, demand: int) -> list[BidPlan]:
    """Two cheap winners with a fifth of the demand each; the rest priced out (no revival)."""
    factors = (Decimal("1"), Decimal("1.12"), Decimal("2.05"), Decimal("2.2"))
    caps = (demand // 5, demand // 5, demand * 2, demand * 2)
    return [BidPlan(m, anchor * f, c) for m, f, c in zip(makers[:4], factors, caps, strict=False)]


def pack_price(comparable: Decimal, strength: Decimal, reference: Decimal, pack: int) -> Decimal:
    """Invert RULES.md 1: the price per pack whose comparable unit price is ``comparable``."""
    ratio = Decimal(str(PRICE_RATIO_FACTOR ** Decimal(str(math.log2(strength / reference)))))
    return round_amount(comparable * ratio * pack)


def submit_bids(
    session: Session,
    world: World,
    rnd: Round,
    rng: random.Random,
    sealer,
    *,
    until=None,
    holdouts: frozenset[str] | set[str] = frozenset(),
) -> Counter:
    """Bidding opens; every planned bid goes through ``submit_bid`` (spread until ``until``,
    default an hour before the bid deadline), except those of the ``holdouts`` (manufacturer
    codes: their products are registered, their bids left to a person); refusals are counted
    by their problem code."""
    plan = rnd.plan or bidder_plan(rng, world, rnd)
    short = infeasible_lot(rnd)
    barred = next(m for m in world.makers if m.profile == "barred")
    for lot in rnd.lots[-2:]:  # a barred manufacturer tries anyway (and is refused)
        if barred not in plan[lot.code]:
            plan[lot.code].append(barred)
    for lot in failing_lots(rnd):  # the failing supplier quotes lowest on a few lots
        plan[lot.code] = [world.makers[1]] + [m for m in plan[lot.code] if m is not world.makers[1]]
    for maker in (m for m in world.makers if m.code in holdouts):  # a lot to bid on, by hand
        if maker not in plan[rnd.lots[0].code]:
            plan[rnd.lots[0].code].append(maker)
    t = rnd.timeline
    world.clock.set(t.bidding_opens)
    # the short lot needs its two priced-out reserves: bidders no ban (or credit) keeps out
    banned = _banned(session, world)
    able = [m for m in plan[short.code] if m.id not in banned]
    extra = [m for m in world.makers if m.profile == "normal" and m.id not in banned]
    plan[short.code] = (able + [m for m in extra if m not in able])[: max(4, len(able))]
    tally: Counter = Counter()
    tally["products"] = rnd.early_products + register_products(session, world, rnd, rng, plan)
    bids = plan_bids(rng, rnd, plan)
    catalog.open_bidding(
        session, tender_id=rnd.tender_id, now=world.now, actor=world.regulator.actor
    )
    end = until or t.bid_deadline - timedelta(hours=1)
    total = sum(len(v) for v in bids.values())
    start, step = world.now, (end - world.now).total_seconds() / max(1, total)
    n = 0
    for lot in rnd.lots:
        for bid in bids[lot.code]:
            if bid.maker.code in holdouts:
                continue
            n += 1
            world.clock.set(start + timedelta(seconds=step * n))
            _submit_one(session, world, lot, bid, sealer, tally)
    return tally


def _banned(session: Session, world: World) -> set[int]:
    """Manufacturers barred from bidding now (a ban on the whole company, not one product)."""
    now = world.now
    return {
        ban.manufacturer_id
        for ban in bidding.list_bans(session, actor=world.regulator.actor)
        if ban.product_id is None
        and as_utc(ban.starts_at) <= now
        and (ban.until is None or as_utc(ban.until) > now)
    }


def _submit_one(session: Session, world: World, lot: LotInfo, bid: BidPlan, sealer, tally) -> None:
    for product_id in world.products.get((bid.maker.code, lot.id), []):
        product = catalog.get_product(session, product_id=product_id, actor=bid.maker.actor)
        price = pack_price(bid.comparable, product.strength, lot.drug.strength, product.pack_size)
        data = {
            "product_id": product_id,
            "price_per_pack": max(price, CENT),
            "capacity": bid.capacity,
            "revival_opt_in": bid.opt_in,
            "cost_commitment": True,
        }
        try:
            result = bidding.submit_bid(
                session,
                lot_id=lot.id,
                data=data,
                now=world.now,
                actor=bid.maker.actor,
                sealer=sealer,
            )
        except DomainError as refusal:
            session.rollback()
            tally[f"refused: {refusal.code}"] += 1
            continue
        tally["submitted"] += 1
        if result.warnings:
            tally["accepted above the ceiling"] += 1
        return


def open_tender(session: Session, world: World, rnd: Round, sealer) -> bidding.OpeningResult:
    world.clock.set(rnd.timeline.opening_at)
    return bidding.open_bids(
        session,
        tender_id=rnd.tender_id,
        now=world.now,
        actor=world.regulator.actor,
        sealer=sealer,
    )


def run_award(session: Session, world: World, rnd: Round) -> AwardOutcome:
    """First run as the rules say; where a lot is infeasible, re-run with the reserves fallback;
    confirm the feasible run (the contracts are put in force later: :func:`put_in_force`)."""
    out = AwardOutcome()
    regulator = world.regulator.actor
    world.clock.advance(days=2)
    run = award.start_award_run(session, tender_id=rnd.tender_id, now=world.now, actor=regulator)
    out.first_run, out.first_status = run.number, run.status.value
    bad = [lot for lot in run.lots if lot.status.value == "infeasible"]
    out.infeasible_lots = [lot.lot_code for lot in bad]
    out.diagnosis = "; ".join(lot.diagnosis or "" for lot in bad)
    if bad:
        world.clock.advance(hours=3)
        run = award.start_award_run(
            session,
            tender_id=rnd.tender_id,
            options=award.RunOptions(fallback="reserves"),
            now=world.now,
            actor=regulator,
        )
    if file_cost_breakdowns(session, world, rnd.tender_id):  # batch 11 rules: then run again
        world.clock.advance(hours=1)
        options = award.RunOptions(fallback=run.options["fallback"])
        run = award.start_award_run(
            session, tender_id=rnd.tender_id, options=options, now=world.now, actor=regulator
        )
    out.final_run = run.number
    out.fallback_lots = [lot.lot_code for lot in run.lots if lot.fallback_used]
    world.clock.advance(days=1)
    confirmation = contracts.confirm_award_run(
        session, run_id=run.id, now=world.now, actor=regulator
    )
    out.contracts = confirmation.contracts
    return out


def put_in_force(session: Session, world: World, rnd: Round) -> int:
    """Ten days before the contract year the contracts go in force and the first manufacturer
    appoints its distributor. Returns the lots the distributor serves."""
    world.clock.set(at(rnd.timeline.contract_start - timedelta(days=10)))
    contracts.put_in_force(
        session, tender_id=rnd.tender_id, now=world.now, actor=world.regulator.actor
    )
    return appoint_distributor(session, world, rnd)


def appoint_distributor(session: Session, world: World, rnd: Round) -> int:
    """The first manufacturer has its distributor (配送企业) confirm and ship its orders in the
    province, for every lot it won."""
    maker = world.makers[0]
    held = contracts.list_contracts(session, actor=maker.actor, tender_id=rnd.tender_id)
    lots = sorted({c.lot_id for c in held})
    for lot_id in lots:
        request = orders.AppointmentRequest(world.distributor.code, "320000", lot_id=lot_id)
        orders.appoint_distributor(session, request=request, now=world.now, actor=maker.actor)
    world.appointed |= set(lots)
    return len(lots)
