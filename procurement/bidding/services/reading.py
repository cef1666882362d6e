"""Reading bids under the seal: own bids, receipts, verification, the regulator's summaries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.bidding.errors import NotBidsOwner
from procurement.bidding.models import Bid, BidStatus, Validity
from procurement.bidding.seal import BidContent, commitment, digests_equal
from procurement.bidding.services.common import (
    is_opened,
    is_tender_regulator,
    no_bid,
    readable_bid,
    regulated_tender,
    sealed_conflict,
)
from procurement.catalog.models import Lot
from procurement.catalog.services import get_lot

# What new_bid_reference() produces (and nothing else reaches the database: no NUL, no length).
BID_REFERENCE = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Receipt:
    """What the bidder keeps to verify its bid after opening; ``reference`` is the bid's random
    public reference (the sequential id would count bids)."""

    reference: str
    tender_id: int
    lot_id: int
    status: str
    version: int
    digest: str
    submitted_at: datetime
    version_at: datetime
    algorithm: str = "sha256(nonce:canonical_json(content))"


@dataclass(frozen=True)
class Verification:
    reference: str
    recomputed_digest: str
    commitment_match: bool
    receipt_match: bool | None
    match: bool


def get_bid(session: Session, *, bid_id: int, actor: Actor) -> Bid:
    """One bid: the bidder's own (sealed fields empty before opening), or any after opening
    for the tender's regulator; 404 for everyone else."""
    return readable_bid(session, bid_id, actor)


def my_bids(session: Session, *, actor: Actor) -> list[Bid]:
    """The acting manufacturer's bids, newest first."""
    actor.require(OrgKind.MANUFACTURER, write=False, action="see your bids")
    query = select(Bid).where(Bid.manufacturer_id == actor.org_id)
    return list(session.scalars(query.order_by(Bid.submitted_at.desc(), Bid.id.desc())))


def list_lot_bids(session: Session, *, lot_id: int, actor: Actor) -> list[Bid]:
    """A lot's bids: a manufacturer its own; the regulator all, ranked, after opening only."""
    actor.require(OrgKind.MANUFACTURER, OrgKind.REGULATOR, write=False, action="see bids")
    lot = get_lot(session, lot_id=lot_id, actor=actor)
    query = select(Bid).where(Bid.lot_id == lot.id)
    if actor.org_kind == OrgKind.MANUFACTURER:
        return list(session.scalars(query.where(Bid.manufacturer_id == actor.org_id)))
    if not is_tender_regulator(lot.tender, actor):
        raise NotBidsOwner(tender_code=lot.tender.code)
    if not is_opened(lot.tender):
        raise sealed_conflict(lot.tender)
    return _ranked(session, query.where(Bid.status == BidStatus.SUBMITTED))


def _ranked(session: Session, query) -> list[Bid]:
    bids = list(session.scalars(query.order_by(Bid.id)))
    return sorted(bids, key=lambda b: (b.rank is None, b.rank or 0, b.id))


def bid_receipt(session: Session, *, bid_id: int, actor: Actor) -> Receipt:
    """The receipt of the bidder's own bid (its latest version)."""
    bid = readable_bid(session, bid_id, actor)
    if bid.manufacturer_id != actor.org_id:
        raise no_bid()
    latest = bid.versions[-1]
    return Receipt(
        reference=bid.reference,
        tender_id=bid.tender_id,
        lot_id=bid.lot_id,
        status=bid.status.value,
        version=latest.version,
        digest=latest.digest,
        submitted_at=bid.submitted_at,
        version_at=latest.at,
    )


def opened_content(bid: Bid) -> BidContent:
    return BidContent(bid.price_per_pack, bid.capacity, tuple(bid.regions or ()), bid.note or "")


def verify_bid(session: Session, *, reference: str, digest: str | None) -> Verification:
    """After opening, anyone may check an opened bid against a receipt digest (no content is
    shown): the digest is recomputed from the opened content and the revealed nonce. Until its
    bid is opened (and for a withdrawn bid, which is never opened) a reference is answered
    exactly like one that does not exist."""
    bid = None
    if BID_REFERENCE.fullmatch(reference):
        bid = session.scalars(select(Bid).where(Bid.reference == reference)).one_or_none()
    if bid is None or bid.opened_at is None or not is_opened(bid.tender):
        raise no_bid()
    recomputed = commitment(opened_content(bid), bid.revealed_nonce or "")
    stored = digests_equal(recomputed, bid.digest)
    receipt = None if digest is None else digests_equal(recomputed, digest)
    return Verification(
        bid.reference, recomputed, stored, receipt, stored if receipt is None else receipt
    )


@dataclass(frozen=True)
class LotSummary:
    lot_id: int
    lot_code: str
    generic_name: str
    ceiling_unit_price: object
    bids: int
    valid: int
    lowest_comparable: object


@dataclass(frozen=True)
class BidSummary:
    tender_id: int
    status: str
    opened: bool
    total_bids: int
    lots: list[LotSummary] | None  # None before opening: no per-lot counts


def bid_summary(session: Session, *, tender_id: int, actor: Actor) -> BidSummary:
    """The regulator's summary: the total number of live bids before opening; per lot after."""
    tender = regulated_tender(session, tender_id, actor, "see the bid summary")
    total = session.scalar(
        select(func.count(Bid.id)).where(
            Bid.tender_id == tender.id, Bid.status == BidStatus.SUBMITTED
        )
    )
    if not is_opened(tender):
        return BidSummary(tender.id, tender.status.value, False, total or 0, None)
    return BidSummary(tender.id, tender.status.value, True, total or 0, _per_lot(session, tender))


def _per_lot(session: Session, tender) -> list[LotSummary]:
    rows = []
    for lot in tender.lots:
        bids = [b for b in opened_bids_of(session, lot) if b.status == BidStatus.SUBMITTED]
        valid = [b for b in bids if b.validity == Validity.VALID]
        lowest = min((b.comparable_price for b in valid), default=None)
        rows.append(
            LotSummary(
                lot.id,
                lot.code,
                lot.generic_name,
                lot.ceiling_unit_price,
                len(bids),
                len(valid),
                lowest,
            )
        )
    return rows


def opened_bids_of(session: Session, lot: Lot) -> list[Bid]:
    query = select(Bid).where(Bid.lot_id == lot.id, Bid.status == BidStatus.SUBMITTED)
    return _ranked(session, query)


def opened_bids(session: Session, *, tender_id: int, actor: Actor) -> list[Bid]:
    """Every opened bid of a tender by lot and rank (its regulator, after opening only)."""
    tender = regulated_tender(session, tender_id, actor, "see the opened bids")
    if not is_opened(tender):
        raise sealed_conflict(tender)
    return [bid for lot in tender.lots for bid in opened_bids_of(session, lot)]
