"""Opening the bids: decrypt, normalize, re-check validity, rank; one audited transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.bidding.errors import OpeningTooEarly, SealKeyMissing
from procurement.bidding.models import Bid, Validity
from procurement.bidding.ranking import Rankable, normalize, rank
from procurement.bidding.seal import Sealer, SealError, commitment, digests_equal
from procurement.bidding.services.common import is_opened, live_bids, regulated_tender
from procurement.bidding.services.eligibility import active_ban, product_problems
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.catalog.services import rules_of, transition
from procurement.core.messages import N_, Message


@dataclass(frozen=True)
class LotOpening:
    lot_id: int
    lot_code: str
    bids: int
    valid: int


@dataclass(frozen=True)
class OpeningResult:
    tender_id: int
    status: str
    opened_at: datetime
    total_bids: int
    lots: list[LotOpening]


def open_bids(
    session: Session, *, tender_id: int, now: datetime, actor: Actor, sealer: Sealer
) -> OpeningResult:
    """Open a tender's bids (its regulator, at or after the opening time); idempotent.

    Closes bidding first if the tender is still bidding_open past its deadline. A second call
    returns the same result and changes nothing."""
    tender = regulated_tender(session, tender_id, actor, "open the bids")
    if is_opened(tender):
        return _result(session, tender)
    session.refresh(tender, with_for_update=True)  # a concurrent opening waits here
    if is_opened(tender):
        return _result(session, tender)
    if now < tender.opening_at:
        raise OpeningTooEarly(
            tender_code=tender.code, opening_at=tender.opening_at.isoformat(), now=now.isoformat()
        )
    if tender.status == TenderStatus.BIDDING_OPEN:
        transition(session, tender, TenderStatus.BIDDING_CLOSED, now=now, actor=actor)
    bids = live_bids(session, tender.id)
    by_lot: dict[int, list[Rankable]] = defaultdict(list)
    for bid in bids:
        if _reveal(session, bid, tender, sealer, now):
            by_lot[bid.lot_id].append(
                Rankable(bid.id, bid.comparable_price, bid.capacity, bid.submitted_at)
            )
    for bid in bids:
        bid.rank = rank(by_lot[bid.lot_id]).get(bid.id)
    transition(session, tender, TenderStatus.OPENED, now=now, actor=actor)
    session.flush()
    result = _result(session, tender)
    record(
        session,
        action="bids.opened",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={
            "bids": {str(b.id): b.digest for b in bids},
            "valid": sum(lot.valid for lot in result.lots),
        },
    )
    session.commit()
    return result


def _reveal(session: Session, bid: Bid, tender: Tender, sealer: Sealer, now: datetime) -> bool:
    """Decrypt one bid into its plaintext columns and judge it; True when it is valid."""
    try:
        content = sealer.unseal_content(bid.sealed)
        nonce = sealer.unseal_nonce(bid.nonce)
    except SealError as exc:
        raise SealKeyMissing(bid_id=bid.id, reason=exc) from None
    lot, product = bid.lot, bid.product
    factor = rules_of(tender).selection.price_ratio_factor
    prices = normalize(
        content.price_per_pack, product.pack_size, product.strength, lot.reference_strength, factor
    )
    bid.opened_at, bid.revealed_nonce = now, nonce
    bid.price_per_pack, bid.capacity = content.price_per_pack, content.capacity
    bid.regions, bid.note = list(content.regions), content.note
    bid.unit_price, bid.comparable_price = prices.unit_price, prices.comparable_price
    ineligible = _ineligible_reason(session, bid, now)
    bid.eligible = ineligible is None
    reason = ineligible or _quote_invalid_reason(bid, content, nonce, prices.comparable_price)
    bid.validity = Validity.INVALID if reason else Validity.VALID
    bid.invalid_reason = reason
    return reason is None


def _ineligible_reason(session: Session, bid: Bid, now: datetime) -> str | None:
    """Why the product may not bid at all; such a bidder does not count in N (RULES.md 2.2)."""
    lot, product = bid.lot, bid.product
    problems = product_problems(product, lot)
    if problems:
        return Message(
            "the product is not eligible: {problems}; not counted among declared bidders",
            problems="; ".join(str(p) for p in problems),
        )
    ban = active_ban(session, bid.manufacturer_id, product.id, now)
    if ban is not None:
        return Message(
            "the bidder is barred from bidding ({level}: {reason}); not counted among declared "
            "bidders",
            level=ban.level,
            reason=ban.reason,
        )
    return None


def _quote_invalid_reason(bid: Bid, content, nonce: str, comparable) -> str | None:
    """Why an eligible product's quote is invalid; the bidder still counts in N."""
    ceiling = bid.lot.ceiling_unit_price
    if not digests_equal(commitment(content, nonce), bid.digest):
        return N_(
            "the sealed content does not match the bid's commitment digest; counted among "
            "declared bidders"
        )
    if comparable > ceiling:
        return Message(
            "comparable unit price {price} is above the ceiling {ceiling}; counted among "
            "declared bidders",
            price=comparable,
            ceiling=ceiling,
        )
    return None


def _result(session: Session, tender: Tender) -> OpeningResult:
    bids = [b for b in live_bids(session, tender.id) if b.opened_at is not None]
    lots = [
        LotOpening(
            lot.id,
            lot.code,
            sum(1 for b in bids if b.lot_id == lot.id),
            sum(1 for b in bids if b.lot_id == lot.id and b.validity == Validity.VALID),
        )
        for lot in tender.lots
    ]
    opened_at = min((b.opened_at for b in bids), default=tender.status_changed_at)
    return OpeningResult(tender.id, tender.status.value, opened_at, len(bids), lots)
