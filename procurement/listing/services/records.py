"""What is on record for a product group (same generic name, manufacturer, dosage form and
strength): its active listings, its current VBP wins and the VBP lots of its generic name; and
the checks of a proposed price against them (``rules.run_checks``).

"Current" VBP means the confirmed award run of a tender that is awarded or in force."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from procurement.auth.models import province_of
from procurement.award.models import (
    AwardAllocation,
    AwardBidOutcome,
    AwardLotResult,
    AwardRun,
    LotStatus,
)
from procurement.bidding.models import Bid
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Lot, Product, Tender
from procurement.catalog.services.tenders import rules_of
from procurement.listing.models import Listing
from procurement.listing.rules import (
    Check,
    ListedPrice,
    ListingRules,
    Proposal,
    VbpLot,
    Win,
    run_checks,
)

CURRENT = (TenderStatus.AWARDED, TenderStatus.IN_FORCE)


def same_group(product: Product):
    """A filter on Product for the products of ``product``'s group (any pack size)."""
    return and_(
        Product.generic_name == product.generic_name,
        Product.manufacturer_id == product.manufacturer_id,
        Product.dosage_form == product.dosage_form,
        Product.strength == product.strength,
        Product.strength_unit == product.strength_unit,
    )


def listed_prices(session: Session, product: Product) -> list[ListedPrice]:
    """The group's active listings, every region."""
    rows = session.execute(
        select(Listing.id, Listing.region_code, Listing.unit_price)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.ended_at.is_(None), same_group(product))
        .order_by(Listing.id)
    )
    return [ListedPrice(i, region, Decimal(price)) for i, region, price in rows]


def _winning_outcomes():
    """A select of (outcome, tender, lot result) of the current confirmed wins."""
    return (
        select(AwardBidOutcome, Tender.code, AwardLotResult.lot_code)
        .join(AwardLotResult, AwardLotResult.id == AwardBidOutcome.lot_result_id)
        .join(AwardRun, AwardRun.id == AwardLotResult.run_id)
        .join(Tender, Tender.id == AwardRun.tender_id)
        .where(
            AwardRun.confirmed_at.is_not(None),
            Tender.status.in_(CURRENT),
            AwardLotResult.status == LotStatus.OK,
            AwardBidOutcome.award_unit_price.is_not(None),
            or_(
                AwardBidOutcome.outcome.in_(("won", "revived")),
                and_(AwardBidOutcome.reserve.is_(True), AwardBidOutcome.allocated > 0),
            ),
        )
    )


def current_wins(session: Session, product: Product) -> list[Win]:
    """The group's current VBP wins with the provinces each supplies."""
    query = (
        _winning_outcomes()
        .join(Bid, Bid.id == AwardBidOutcome.bid_id)
        .join(Product, Product.id == Bid.product_id)
        .where(same_group(product))
        .order_by(AwardBidOutcome.id)
    )
    wins = []
    for outcome, tender_code, lot_code in session.execute(query):
        regions = session.scalars(
            select(AwardAllocation.region_code)
            .where(
                AwardAllocation.lot_result_id == outcome.lot_result_id,
                AwardAllocation.bid_id == outcome.bid_id,
            )
            .distinct()
        )
        supplied = frozenset(province_of(r) for r in regions)
        wins.append(Win(tender_code, lot_code, Decimal(outcome.award_unit_price), supplied))
    return wins


def vbp_lots(session: Session, product: Product) -> list[VbpLot]:
    """Current VBP lots of the product's generic name and dosage class (same strength unit),
    each with its highest winning comparable price."""
    highest = func.max(
        func.coalesce(AwardBidOutcome.award_comparable_price, AwardBidOutcome.award_unit_price)
    )
    query = (
        _winning_outcomes()
        .with_only_columns(Lot, Tender, highest)
        .join(Lot, Lot.id == AwardLotResult.lot_id)
        .where(
            Lot.generic_name == product.generic_name,
            Lot.dosage_class == product.dosage_class,
            Lot.strength_unit == product.strength_unit,
        )
        .group_by(Lot.id, Tender.id)
        .order_by(Lot.id)
    )
    lots = []
    for lot, tender, price in session.execute(query):
        if price is None or Decimal(price) <= 0:
            continue
        factor = rules_of(tender).selection.price_ratio_factor
        lots.append(VbpLot(tender.code, lot.code, lot.reference_strength, factor, Decimal(price)))
    return lots


def evaluate(
    session: Session,
    *,
    product: Product,
    unit_price: Decimal,
    region_code: str | None,
    rules: ListingRules,
) -> list[Check]:
    """Every check of a proposed listing price, against what is on record now."""
    wins = current_wins(session, product)
    return run_checks(
        Proposal(unit_price, region_code, product.strength),
        listed=listed_prices(session, product),
        wins=wins,
        lots=[] if wins else vbp_lots(session, product),
        rules=rules,
    )
