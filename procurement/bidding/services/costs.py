"""Cost disclosures after opening (RULES.md 10): a bidder files the cost breakdown an award run
asked of its bid, by the deadline; the bidder reads its own, the tender's regulator all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.bidding.costs import FIGURES, MAX_COST_NOTE, figure_errors, in_time
from procurement.bidding.errors import (
    CostBreakdownBeforeOpening,
    CostBreakdownNotValid,
    CostBreakdownTooLate,
    CostDisclosureNotFound,
    CostDisclosureOff,
)
from procurement.bidding.models import Bid, CostDisclosure
from procurement.bidding.services.common import own_bid, readable_bid, regulated_tender
from procurement.catalog.services import rules_of
from procurement.core.messages import Message


def bid_cost_disclosure(session: Session, bid: Bid) -> CostDisclosure | None:
    """The cost disclosure asked of a bid the caller has already read, if any."""
    return session.scalar(select(CostDisclosure).where(CostDisclosure.bid_id == bid.id))


def _require_opened(bid: Bid) -> None:
    if bid.opened_at is None:
        tender = bid.tender
        raise CostBreakdownBeforeOpening(
            tender_code=tender.code, opening_at=tender.opening_at.isoformat()
        )


def file_cost_breakdown(
    session: Session, *, bid_id: int, data: dict[str, Any], now: datetime, actor: Actor
) -> CostDisclosure:
    """File (or correct, until the deadline) the cost breakdown asked of your bid: manufacturing
    cost, period expenses and profit per smallest unit, summing to its unit price."""
    actor.require(OrgKind.MANUFACTURER, action="file cost breakdowns")
    bid = own_bid(session, bid_id, actor, lock=True)
    _require_opened(bid)
    if not rules_of(bid.tender).selection.cost_disclosure:
        raise CostDisclosureOff(tender_code=bid.tender.code)
    disclosure = bid_cost_disclosure(session, bid)
    if disclosure is None:
        raise CostDisclosureNotFound(bid_id=bid.id)
    if not in_time(now, disclosure.due_at):
        raise CostBreakdownTooLate(
            bid_id=bid.id, due_at=disclosure.due_at.isoformat(), now=now.isoformat()
        )
    _check_figures(bid, data)
    for name in FIGURES:
        setattr(disclosure, name, data[name])
    disclosure.note = data.get("note") or None
    disclosure.filed_at, disclosure.filed_by_user_id = now, actor.user_id
    session.flush()
    record(
        session,
        action="bid.cost_breakdown_filed",
        subject_type="bid",
        subject_id=bid.id,
        now=now,
        actor=actor,
        payload={"tender_id": bid.tender_id} | {name: str(data[name]) for name in FIGURES},
    )
    session.commit()
    return disclosure


def _check_figures(bid: Bid, data: dict[str, Any]) -> None:
    assert bid.unit_price is not None  # an opened valid bid
    errors = figure_errors({name: data.get(name) for name in FIGURES}, bid.unit_price)
    note = data.get("note") or ""
    if len(note) > MAX_COST_NOTE:
        errors["note"] = [Message("at most {limit} characters", limit=MAX_COST_NOTE)]
    if errors:
        shown = "; ".join(f"{field}: {msgs[0]}" for field, msgs in errors.items())
        raise CostBreakdownNotValid(errors=errors, shown=shown, bid_id=bid.id)


def get_cost_breakdown(session: Session, *, bid_id: int, actor: Actor) -> CostDisclosure:
    """A bid's cost disclosure: the bidder its own, the tender's regulator any (404 else)."""
    actor.require(OrgKind.MANUFACTURER, OrgKind.REGULATOR, write=False, action="see costs")
    bid = readable_bid(session, bid_id, actor)
    _require_opened(bid)
    disclosure = bid_cost_disclosure(session, bid)
    if disclosure is None:
        raise CostDisclosureNotFound(bid_id=bid.id)
    return disclosure


def tender_cost_disclosures(
    session: Session, *, tender_id: int, actor: Actor
) -> list[CostDisclosure]:
    """Every cost disclosure asked in a tender, filed or not (its regulator)."""
    tender = regulated_tender(session, tender_id, actor, "see cost breakdowns")
    query = select(CostDisclosure).join(Bid).where(CostDisclosure.tender_id == tender.id)
    return list(session.scalars(query.order_by(Bid.lot_id, Bid.id)))


def due_cost_disclosures(session: Session, *, now: datetime, actor: Actor) -> list[CostDisclosure]:
    """The acting manufacturer's cost breakdowns still to file, soonest deadline first."""
    actor.require(OrgKind.MANUFACTURER, write=False, action="see your cost disclosures")
    query = select(CostDisclosure).where(
        CostDisclosure.manufacturer_id == actor.org_id,
        CostDisclosure.filed_at.is_(None),
        CostDisclosure.due_at > now,
    )
    return list(session.scalars(query.order_by(CostDisclosure.due_at, CostDisclosure.bid_id)))
