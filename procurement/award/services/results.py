"""Published results (anyone, once awarded) and bid outcomes (each bidder its own; the
tender's regulator all). Public results show winners only: a losing price never appears."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.award.errors import AwardRunNotFound, OutcomesNotPublished, ResultsNotPublished
from procurement.award.models import AwardBidOutcome, AwardLotResult, AwardRun, LotStatus
from procurement.award.services.cost_disclosure import (
    PublicCostBreakdown,
    public_cost_breakdowns,
)
from procurement.catalog.errors import TenderNotFound
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.catalog.rules import price_cut
from procurement.core.money import as_entered, plain, round_amount, round_unit_price

PUBLISHED = (TenderStatus.AWARDED, TenderStatus.IN_FORCE, TenderStatus.CLOSED)


@dataclass
class PublicWinner:
    manufacturer: str
    product: str
    approval_number: str
    pack_size: int
    unit_price: Decimal
    pack_price: Decimal
    price_cut: Decimal
    agreed_volume: int
    savings: Decimal
    revived: bool
    reserve: bool
    share: Decimal | None = None  # of the lot's agreed volume
    volume_limit: dict | None = None  # why less than its price would expect (volume_limits)


@dataclass
class PublicRegion:
    region_code: str
    suppliers: list[str]
    backup: str | None


@dataclass
class PublicLot:
    lot_id: int
    lot_code: str
    generic_name: str
    dosage_form: str
    smallest_unit: str
    status: str  # awarded | failed (流标)
    ceiling_unit_price: Decimal
    reference_unit_price: Decimal
    agreed_volume: int
    savings: Decimal
    winners: list[PublicWinner] = field(default_factory=list)
    regions: list[PublicRegion] = field(default_factory=list)
    cost_breakdowns: list[PublicCostBreakdown] = field(default_factory=list)


@dataclass
class PublicResults:
    tender: Tender
    run_number: int
    savings: Decimal
    lots: list[PublicLot]


def confirmed_run(session: Session, tender: Tender) -> AwardRun | None:
    return session.scalar(
        select(AwardRun).where(AwardRun.tender_id == tender.id, AwardRun.confirmed_at.is_not(None))
    )


def published_tenders(session: Session) -> list[Tender]:
    """Tenders whose results are public, newest first."""
    query = select(Tender).where(Tender.status.in_(PUBLISHED))
    return list(session.scalars(query.order_by(Tender.status_changed_at.desc(), Tender.id.desc())))


def public_results(session: Session, *, tender_id: int) -> PublicResults:
    """A tender's published results (no login): winners, prices, savings, regions."""
    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        raise TenderNotFound(tender_id=tender_id)
    run = confirmed_run(session, tender) if tender.status in PUBLISHED else None
    if run is None:
        raise ResultsNotPublished(tender_code=tender.code, current_status=tender.status.value)
    lots = [_public_lot(lot) for lot in run.lots]
    costs = public_cost_breakdowns(session, run)
    for lot in lots:
        lot.cost_breakdowns = costs.get(lot.lot_id, [])
    total = sum((lot.savings for lot in lots), Decimal("0.00"))
    return PublicResults(tender, run.number, total, lots)


def _public_lot(result: AwardLotResult) -> PublicLot:
    lot = result.lot
    winners = [_public_winner(o, lot) for o in result.winners if o.allocated > 0 or not o.reserve]
    out = PublicLot(
        lot.id,
        lot.code,
        lot.generic_name,
        lot.dosage_form,
        lot.smallest_unit.value,
        "awarded" if result.status == LotStatus.OK else "failed",
        lot.ceiling_unit_price,
        lot.reference_unit_price,
        result.total_agreed,
        sum((w.savings for w in winners), Decimal("0.00")),
        winners,
    )
    out.regions = _regions(result)
    return out


def _public_winner(o: AwardBidOutcome, lot) -> PublicWinner:
    product = o.bid.product
    price = o.award_unit_price or Decimal(0)
    comparable = o.award_comparable_price or price
    return PublicWinner(
        manufacturer=o.manufacturer.name,
        product=" ".join(
            filter(
                None,
                [
                    product.trade_name,
                    product.generic_name,
                    f"{plain(product.strength)} {product.strength_unit}",
                ],
            )
        ),
        approval_number=product.approval_number,
        pack_size=product.pack_size,
        unit_price=price,
        pack_price=_pack_price(o, price, product.pack_size),
        price_cut=price_cut(comparable, lot.ceiling_unit_price),
        agreed_volume=o.allocated,
        savings=round_amount((lot.reference_unit_price - price) * o.allocated),
        revived=o.outcome == "revived",
        reserve=o.reserve,
        share=o.share,
        volume_limit=o.volume_limit,
    )


def _pack_price(o: AwardBidOutcome, price: Decimal, pack_size: int) -> Decimal:
    """The price per pack as bid when the winner supplies at its own price; a revived winner
    supplies at the revival price, whose pack price is derived from it."""
    bid = o.bid
    if bid.price_per_pack is not None and price == bid.unit_price:
        return as_entered(bid.price_per_pack)
    return round_unit_price(price * pack_size)


def _regions(result: AwardLotResult) -> list[PublicRegion]:
    names = {o.bid_id: o.manufacturer.name for o in result.outcomes}
    suppliers: dict[str, list[str]] = {}
    for a in result.allocations:
        listed = suppliers.setdefault(a.region_code, [])
        if names[a.bid_id] not in listed:
            listed.append(names[a.bid_id])
    backups = result.backups or {}
    return [
        PublicRegion(region, sorted(suppliers[region]), names.get(backups.get(region, -1)))
        for region in sorted(suppliers)
    ]


def tender_outcomes(
    session: Session, *, tender_id: int, actor: Actor, run_id: int | None = None
) -> list[AwardBidOutcome]:
    """Bid outcomes with reasons: a manufacturer its own (once awarded), the tender's
    regulator every bid's (of the confirmed run, or of ``run_id``, or of the latest run)."""
    actor.require(OrgKind.MANUFACTURER, OrgKind.REGULATOR, write=False, action="see bid outcomes")
    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        raise TenderNotFound(tender_id=tender_id)
    if actor.org_kind == OrgKind.REGULATOR:
        run = _regulator_run(session, tender, actor, run_id)
        return [o for lot in run.lots for o in lot.outcomes] if run else []
    run = confirmed_run(session, tender)
    if run is None:
        raise OutcomesNotPublished(tender_code=tender.code, current_status=tender.status.value)
    return [o for lot in run.lots for o in lot.outcomes if o.manufacturer_id == actor.org_id]


def _regulator_run(session: Session, tender: Tender, actor: Actor, run_id: int | None):
    from procurement.award.services.runs import get_award_run, owned_tender

    owned_tender(session, tender.id, actor, "see every bid's outcome")
    if run_id is not None:
        run = get_award_run(session, run_id=run_id, actor=actor)
        if run.tender_id != tender.id:
            raise AwardRunNotFound(run_id=run_id)
        return run
    return confirmed_run(session, tender) or session.scalar(
        select(AwardRun).where(AwardRun.tender_id == tender.id).order_by(AwardRun.number.desc())
    )
