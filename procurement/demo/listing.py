"""Listing (挂网) in the demo: a product outside every tender listed platform-wide (approved), and
a pending request by one of this year's winners in a province it does not supply, above 1.5x its
winning price, for the regulator to review (RULES.md 13)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.award.models import AwardBidOutcome, AwardLotResult, AwardRun
from procurement.bidding.models import Bid
from procurement.catalog import services as catalog
from procurement.catalog.models import Product
from procurement.core.money import round_unit_price
from procurement.demo.world import World
from procurement.listing import services as listing
from procurement.listing.rules import ListingRules
from procurement.listing.services.records import current_wins

# Provinces a demo winner may not supply, in the order the demo tries them.
CANDIDATE_PROVINCES = ("440000", "330000", "320000", "370000", "420000", "510000", "310000")
BREAKING_MULTIPLE = Decimal("1.6")  # above the 1.5x rule: the review shows the failed check
OUTSIDE_TENDER = {
    "approval_number": "国药准字Z20250001",
    "generic_name": "复方丹参滴丸",
    "trade_name": None,
    "dosage_form": "滴丸剂",
    "dosage_class": "oral_solid",
    "strength": Decimal("27"),
    "strength_unit": "mg",
    "smallest_unit": "piece",
    "pack_size": 180,
    "consistency_evaluated": False,
    "originator": False,
    "approval_date": date(2015, 6, 1),
}


def _winning_product(session: Session, world: World) -> Product | None:
    """A product that won this year's tender, the demo's own manufacturer's first."""
    this = world.rounds[1]
    own = world.makers[0].id
    query = (
        select(Product)
        .join(Bid, Bid.product_id == Product.id)
        .join(AwardBidOutcome, AwardBidOutcome.bid_id == Bid.id)
        .join(AwardLotResult, AwardLotResult.id == AwardBidOutcome.lot_result_id)
        .join(AwardRun, AwardRun.id == AwardLotResult.run_id)
        .where(
            AwardRun.tender_id == this.tender_id,
            AwardRun.confirmed_at.is_not(None),
            AwardBidOutcome.outcome == "won",
        )
        .order_by((Product.manufacturer_id != own), AwardBidOutcome.id)
        .limit(1)
    )
    return session.scalar(query)


def file_listing_requests(session: Session, world: World) -> int:
    """The demo's listing requests; returns how many were filed."""
    rules, now, reg = ListingRules(), world.now, world.regulator.actor
    maker = world.makers[0]
    product = catalog.register_product(
        session, data=dict(OUTSIDE_TENDER), now=now, actor=maker.actor
    )
    outside = listing.file_listing_request(
        session,
        product_id=product.id,
        region_code=None,
        unit_price=Decimal("0.1600"),
        evidence="企业成本核算表及2025年多省挂网价（最低0.1600元/丸）",
        rules=rules,
        now=now,
        actor=maker.actor,
    )
    listing.approve_request(
        session, request_id=outside.id, reason=None, rules=rules, now=now, actor=reg
    )
    winner = _winning_product(session, world)
    if winner is None:
        return 1
    wins = current_wins(session, winner)
    supplied = set().union(*(w.regions for w in wins))
    region = next((p for p in CANDIDATE_PROVINCES if p not in supplied), None)
    if region is None:
        return 1
    lowest = min(w.unit_price for w in wins)
    actor = next(m.actor for m in world.makers if m.id == winner.manufacturer_id)
    listing.file_listing_request(
        session,
        product_id=winner.id,
        region_code=region,
        unit_price=round_unit_price(lowest * BREAKING_MULTIPLE),
        evidence="参照本企业在其他省份的挂网价格",
        rules=rules,
        now=now,
        actor=actor,
    )
    return 2
