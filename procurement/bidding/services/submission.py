"""Submit, amend and withdraw sealed bids (manufacturers, until the bid deadline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.bidding.errors import (
    BidAlreadyWithdrawn,
    BidChanged,
    BidExists,
    BidExistsOnLot,
    BidWithdrawn,
    CostCommitmentMissing,
)
from procurement.bidding.models import Bid, BidAction, BidStatus, BidVersion
from procurement.bidding.ranking import Prices
from procurement.bidding.seal import BidContent, Sealer, commitment, new_nonce
from procurement.bidding.services.common import own_bid, require_bidding_window
from procurement.bidding.services.eligibility import Checked, check_submission
from procurement.catalog.services import get_lot
from procurement.core.messages import N_


@dataclass(frozen=True)
class Submitted:
    """A bid as just sent: the entity, the content the client sent (echoed once) and warnings."""

    bid: Bid
    content: BidContent | None
    prices: Prices | None
    warnings: tuple[str, ...] = ()


def _seal(bid: Bid, content: BidContent, sealer: Sealer) -> None:
    nonce = new_nonce()
    bid.sealed = sealer.seal_content(content)
    bid.nonce = sealer.seal_nonce(nonce)
    bid.digest = commitment(content, nonce)


def _append_version(session: Session, bid: Bid, action: BidAction, now, actor: Actor) -> None:
    """Keep the version and audit it (ids and the digest only: never a sealed field)."""
    number = len(bid.versions) + 1
    session.add(
        BidVersion(
            bid=bid,
            version=number,
            action=action,
            product_id=bid.product_id,
            revival_opt_in=bid.revival_opt_in,
            sealed=bid.sealed,
            digest=bid.digest,
            nonce=bid.nonce,
            by_user_id=actor.user_id,
            at=now,
        )
    )
    record(
        session,
        action=f"bid.{action.value}",
        subject_type="bid",
        subject_id=bid.id,
        now=now,
        actor=actor,
        payload={"tender_id": bid.tender_id, "version": number, "digest": bid.digest},
    )


def _require_commitment(data: dict[str, Any]) -> None:
    """Every bid carries the bidder's commitment not to quote below cost (RULES.md 10)."""
    if data.get("cost_commitment") is not True:
        raise CostCommitmentMissing(
            errors={"cost_commitment": [N_("confirm that you do not quote below cost")]}
        )


def submit_bid(
    session: Session,
    *,
    lot_id: int,
    data: dict[str, Any],
    now: datetime,
    actor: Actor,
    sealer: Sealer,
) -> Submitted:
    """Submit a sealed bid on a lot (manufacturer; one live bid per lot; before the deadline).

    A previously withdrawn bid on the same lot is submitted again as its next version."""
    actor.require(OrgKind.MANUFACTURER, action="submit bids")
    lot = get_lot(session, lot_id=lot_id, actor=actor)
    require_bidding_window(lot.tender, now)
    _require_commitment(data)
    checked = check_submission(session, lot=lot, data=data, now=now, actor=actor)
    bid = session.scalar(
        select(Bid).where(Bid.lot_id == lot.id, Bid.manufacturer_id == actor.org_id)
    )
    if bid is not None and bid.is_live:
        raise BidExists(bid_id=bid.id, lot_code=lot.code)
    if bid is None:
        bid = Bid(lot_id=lot.id, tender_id=lot.tender_id, manufacturer_id=actor.org_id)
        bid.submitted_at = now
        session.add(bid)
    _apply(bid, checked, sealer, now)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise BidExistsOnLot(lot_code=lot.code) from None
    _append_version(session, bid, BidAction.SUBMIT, now, actor)
    session.commit()
    return Submitted(bid, checked.content, checked.prices, checked.warnings)


def _apply(bid: Bid, checked: Checked, sealer: Sealer, now: datetime) -> None:
    bid.product_id = checked.product.id
    bid.revival_opt_in = checked.revival_opt_in
    bid.cost_commitment = True
    bid.status = BidStatus.SUBMITTED
    bid.updated_at = now
    _seal(bid, checked.content, sealer)


def _check_version(bid: Bid, expected: int | None) -> None:
    if expected is not None and expected != bid.version:
        raise BidChanged(bid_id=bid.id, current_version=bid.version, expected=expected)


def amend_bid(
    session: Session,
    *,
    bid_id: int,
    data: dict[str, Any],
    expected_version: int | None,
    now: datetime,
    actor: Actor,
    sealer: Sealer,
) -> Submitted:
    """Replace a live bid's content (the whole bid is sent again and sealed anew)."""
    bid = own_bid(session, bid_id, actor, lock=True)
    require_bidding_window(bid.tender, now)
    _check_version(bid, expected_version)
    if not bid.is_live:
        raise BidWithdrawn(bid_id=bid.id)
    _require_commitment(data)
    checked = check_submission(session, lot=bid.lot, data=data, now=now, actor=actor)
    _apply(bid, checked, sealer, now)
    session.flush()
    _append_version(session, bid, BidAction.AMEND, now, actor)
    session.commit()
    return Submitted(bid, checked.content, checked.prices, checked.warnings)


def withdraw_bid(
    session: Session, *, bid_id: int, expected_version: int | None, now: datetime, actor: Actor
) -> Bid:
    """Withdraw a live bid before the deadline; its versions are kept."""
    bid = own_bid(session, bid_id, actor, lock=True)
    require_bidding_window(bid.tender, now)
    _check_version(bid, expected_version)
    if not bid.is_live:
        raise BidAlreadyWithdrawn(bid_id=bid.id)
    bid.status = BidStatus.WITHDRAWN
    bid.updated_at = now
    session.flush()
    _append_version(session, bid, BidAction.WITHDRAW, now, actor)
    session.commit()
    return bid
