"""Loading bids and tenders with the seal and visibility rules applied.

Visibility (issue 3): before the tender is opened only the bidder sees its bid (status, product,
times, receipt; the plaintext columns are still empty); nobody sees how many bids a lot has.
After opening the tender's regulator sees every bid, each bidder its own, nobody else any.
A bid the actor may not see is a 404 exactly like a bid that does not exist: the same status,
type and detail (which names no id), so nobody can tell a sealed bid from a missing one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.bidding.errors import BidDeadlinePassed, BiddingNotOpen, BidNotFound, BidsSealed
from procurement.bidding.models import Bid
from procurement.catalog.errors import NotTenderOwner
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.catalog.services import get_tender
from procurement.core.errors import Conflict, NotFound

SEALED_STATES = frozenset(
    {
        TenderStatus.DRAFT,
        TenderStatus.DEMAND_OPEN,
        TenderStatus.BIDDING_OPEN,
        TenderStatus.BIDDING_CLOSED,
    }
)


def is_opened(tender: Tender) -> bool:
    return tender.status not in SEALED_STATES


def is_tender_regulator(tender: Tender, actor: Actor | None) -> bool:
    return (
        actor is not None
        and actor.org_kind == OrgKind.REGULATOR
        and actor.org_id == tender.created_by_org_id
    )


def no_bid() -> NotFound:
    """The one answer for a bid that is missing or that the actor may not see (yet)."""
    return BidNotFound()


def can_read(bid: Bid, actor: Actor | None) -> bool:
    if actor is None:
        return False
    if bid.manufacturer_id == actor.org_id and actor.org_kind == OrgKind.MANUFACTURER:
        return True
    return is_opened(bid.tender) and is_tender_regulator(bid.tender, actor)


def readable_bid(session: Session, bid_id: int, actor: Actor) -> Bid:
    """The bid if the actor may read it now, else 404 (the same as a missing bid)."""
    actor.require(write=False, action="see bids")
    bid = session.get(Bid, bid_id)
    if bid is None or not can_read(bid, actor):
        raise no_bid()
    return bid


def own_bid(session: Session, bid_id: int, actor: Actor, *, lock: bool = False) -> Bid:
    """A bid of the acting manufacturer (404 for anyone else's); someone else's row is never
    locked, so a refusal takes no longer for a real bid than for a missing one."""
    actor.require(OrgKind.MANUFACTURER, action="change bids")
    query = select(Bid).where(Bid.id == bid_id, Bid.manufacturer_id == actor.org_id)
    bid = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if bid is None:
        raise no_bid()
    return bid


def regulated_tender(session: Session, tender_id: int, actor: Actor, action: str) -> Tender:
    """The tender, for its own regulator only (403 for any other organization)."""
    actor.require(OrgKind.REGULATOR, write=False, action=action)
    tender = get_tender(session, tender_id=tender_id, actor=actor)
    if not is_tender_regulator(tender, actor):
        raise NotTenderOwner(tender_code=tender.code, action=action)
    return tender


def sealed_conflict(tender: Tender) -> Conflict:
    return BidsSealed(tender_code=tender.code, opening_at=tender.opening_at.isoformat())


def require_bidding_window(tender: Tender, now: datetime) -> None:
    """Bids change only while the tender is bidding_open and before its bid deadline."""
    deadline = tender.bid_deadline.isoformat()
    if tender.status == TenderStatus.BIDDING_OPEN and now < tender.bid_deadline:
        return
    if tender.status in (TenderStatus.DRAFT, TenderStatus.DEMAND_OPEN):
        raise BiddingNotOpen(
            tender_code=tender.code, tender_status=tender.status.value, bid_deadline=deadline
        )
    raise BidDeadlinePassed(tender_code=tender.code, bid_deadline=deadline, now=now.isoformat())


def live_bids(session: Session, tender_id: int) -> list[Bid]:
    query = select(Bid).where(Bid.tender_id == tender_id, Bid.status == "submitted")
    return list(session.scalars(query.order_by(Bid.lot_id, Bid.id)))
