"""Tender lifecycle moves: checked (who, when, from which state), audited, 409 when illegal.

``transition`` applies a move inside the caller's transaction (the bidding, award and
contracts services call it and commit with their own work). ``change_tender_status`` and the
per-action services (``open_demand``, ``open_bidding``, ``close_bidding``) commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.catalog.errors import (
    DeadlinePassed,
    IllegalTransition,
    TenderWithoutLots,
    TooEarly,
    TransitionNotManual,
    UnknownTenderState,
)
from procurement.catalog.lifecycle import TIME_LABELS, TenderStatus, allowed_next, find_move
from procurement.catalog.models import Lot, Tender
from procurement.catalog.services.common import require_owner, visible_tender
from procurement.catalog.services.tenders import build_rules
from procurement.core.errors import Conflict
from procurement.core.messages import N_, Message

# Moves a regulator makes directly; the others belong to the area doing the work (the bidding
# area opens the bids, the award area awards, the contracts area puts them in force).
MANUAL_TARGETS = frozenset(
    {TenderStatus.DEMAND_OPEN, TenderStatus.BIDDING_OPEN, TenderStatus.BIDDING_CLOSED}
)


def _parse_status(value: str | TenderStatus) -> TenderStatus:
    try:
        return TenderStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in TenderStatus)
        raise UnknownTenderState(
            errors={"to": [Message("one of {names}", names=names)]}, value=value, names=names
        ) from None


def illegal_move(tender: Tender, target: TenderStatus) -> Conflict:
    allowed = [s.value for s in allowed_next(tender.status)]
    shown = ", ".join(allowed) or "none (the tender is closed)"
    return IllegalTransition(
        tender_code=tender.code,
        current_status=tender.status.value,
        target=target.value,
        shown=shown,
        allowed=allowed,
    )


def transition(
    session: Session, tender: Tender, to: str | TenderStatus, *, now: datetime, actor: Actor
) -> Tender:
    """Move ``tender`` to state ``to`` if the lifecycle allows it now. Does not commit.

    Checks: the actor is the owning regulator; the move is in the table; the clock has reached
    the move's time (demand deadline, bid deadline, opening time). Leaving draft freezes the
    rules snapshot. Writes an audit event."""
    target = _parse_status(to)
    require_owner(tender, actor, f"move it to '{target.value}'")
    move = find_move(tender.status, target)
    if move is None:
        raise illegal_move(tender, target)
    if move.not_before is not None:
        due = getattr(tender, move.not_before)
        if now < due:
            raise TooEarly(
                tender_code=tender.code,
                action=move.action,
                time_name=TIME_LABELS[move.not_before],
                not_before=due.isoformat(),
                now=now.isoformat(),
                current_status=tender.status.value,
            )
    if tender.status == TenderStatus.DRAFT:
        _leave_draft(session, tender, now)
    source = tender.status
    tender.status = target
    tender.status_changed_at = now
    tender.updated_at = now
    record(
        session,
        action="tender.status_changed",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={"from": source.value, "to": target.value},
    )
    return tender


def _leave_draft(session: Session, tender: Tender, now: datetime) -> None:
    lots = session.scalar(select(func.count(Lot.id)).where(Lot.tender_id == tender.id))
    if not lots:
        raise TenderWithoutLots(tender_code=tender.code)
    if now >= tender.demand_deadline:
        raise DeadlinePassed(
            errors={"demand_deadline": [N_("must be in the future when demand opens")]},
            tender_code=tender.code,
            deadline=tender.demand_deadline.isoformat(),
        )
    tender.rules_snapshot = build_rules(tender.rules_preset, tender.rules_overrides)


def change_tender_status(
    session: Session, *, tender_id: int, to: str, now: datetime, actor: Actor
) -> Tender:
    """Move a tender to the next state (regulator): demand_open, bidding_open, bidding_closed."""
    tender = visible_tender(session, tender_id, actor, lock=True)
    target = _parse_status(to)
    require_owner(tender, actor, f"move it to '{target.value}'")
    if target not in MANUAL_TARGETS:
        if find_move(tender.status, target) is None:
            raise illegal_move(tender, target)
        raise TransitionNotManual(
            tender_code=tender.code,
            target=target.value,
            current_status=tender.status.value,
            allowed=[s.value for s in allowed_next(tender.status)],
        )
    transition(session, tender, target, now=now, actor=actor)
    session.commit()
    return tender


def open_demand(session: Session, *, tender_id: int, now: datetime, actor: Actor) -> Tender:
    """Publish the catalog and open demand reporting; freezes the rules snapshot."""
    return change_tender_status(
        session, tender_id=tender_id, to=TenderStatus.DEMAND_OPEN, now=now, actor=actor
    )


def open_bidding(session: Session, *, tender_id: int, now: datetime, actor: Actor) -> Tender:
    """Open bidding, at or after the demand deadline."""
    return change_tender_status(
        session, tender_id=tender_id, to=TenderStatus.BIDDING_OPEN, now=now, actor=actor
    )


def close_bidding(session: Session, *, tender_id: int, now: datetime, actor: Actor) -> Tender:
    """Close bidding, at or after the bid deadline."""
    return change_tender_status(
        session, tender_id=tender_id, to=TenderStatus.BIDDING_CLOSED, now=now, actor=actor
    )
