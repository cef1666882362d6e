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
from procurement.catalog.lifecycle import TIME_LABELS, TenderStatus, allowed_next, find_move
from procurement.catalog.models import Lot, Tender
from procurement.catalog.services.common import require_owner, visible_tender
from procurement.catalog.services.tenders import build_rules
from procurement.core.errors import Conflict, RuleViolation, ValidationFailed

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
        raise ValidationFailed(
            f"'{value}' is not a tender state; use one of {names}.",
            errors={"to": [f"one of {names}"]},
        ) from None


def illegal_move(tender: Tender, target: TenderStatus) -> Conflict:
    allowed = [s.value for s in allowed_next(tender.status)]
    shown = ", ".join(allowed) or "none (the tender is closed)"
    return Conflict(
        f"Tender {tender.code} is '{tender.status.value}'; it cannot move to '{target.value}'. "
        f"Allowed next: {shown}.",
        code="illegal-transition",
        current_status=tender.status.value,
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
            raise Conflict(
                f"Tender {tender.code} cannot {move.action} before {TIME_LABELS[move.not_before]} "
                f"({due.isoformat()}); it is now {now.isoformat()}.",
                code="too-early",
                current_status=tender.status.value,
                not_before=due.isoformat(),
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
        raise RuleViolation(
            f"Tender {tender.code} has no lots; add or import lots before opening demand.",
            code="tender-without-lots",
        )
    if now >= tender.demand_deadline:
        raise RuleViolation(
            f"The demand deadline of tender {tender.code} ({tender.demand_deadline.isoformat()}) "
            "has passed; move it later before opening demand.",
            code="deadline-passed",
            errors={"demand_deadline": ["must be in the future when demand opens"]},
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
        raise Conflict(
            f"Moving tender {tender.code} to '{target.value}' happens as part of that step "
            "(opening the bids, running the award, putting contracts in force), not on its own.",
            code="transition-not-manual",
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
