"""Write audit events in the caller's transaction, and verify the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def event_digest(
    *,
    seq: int,
    occurred_at: datetime,
    actor_user_id: int | None,
    actor_org_id: int | None,
    action: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of an event's content and the previous hash."""
    body = json.dumps(
        {
            "seq": seq,
            "occurred_at": occurred_at.isoformat(),
            "actor_user_id": actor_user_id,
            "actor_org_id": actor_org_id,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "payload": _canonical(payload),
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session,
    *,
    action: str,
    subject_type: str,
    subject_id: int | str,
    now: datetime,
    actor: Any = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the chain inside the caller's transaction (the caller commits).

    ``actor`` is an :class:`procurement.auth.actor.Actor` or None for the system. Never put a
    sealed bid field in ``payload``: the audit log is readable before opening.
    """
    head = session.scalars(select(AuditHead).with_for_update()).one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    payload = _canonical(payload or {})
    content = {
        "seq": head.seq + 1,
        "occurred_at": now,
        "actor_user_id": getattr(actor, "user_id", None),
        "actor_org_id": getattr(actor, "org_id", None),
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "payload": payload,
        "prev_hash": head.hash,
    }
    event = AuditEvent(**content, hash=event_digest(**content))
    session.add(event)
    head.seq, head.hash = event.seq, event.hash
    return event


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session, batch: int = 5000) -> VerifyReport:
    """Recompute every hash; report edited, deleted, inserted or truncated events."""
    report = VerifyReport()
    prev_hash, expected_seq = GENESIS, 1
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    for event in session.scalars(query):
        if event.seq != expected_seq:
            report.problems.append(
                f"events {expected_seq}..{event.seq - 1} are missing (deleted?) "
                f"before seq {event.seq}"
            )
        if event.prev_hash != prev_hash:
            report.problems.append(
                f"event {event.seq}: prev_hash does not match the event before it"
            )
        digest = event_digest(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor_user_id=event.actor_user_id,
            actor_org_id=event.actor_org_id,
            action=event.action,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            payload=event.payload,
            prev_hash=event.prev_hash,
        )
        if digest != event.hash:
            report.problems.append(f"event {event.seq} ({event.action}): content was edited")
        prev_hash, expected_seq = event.hash, event.seq + 1
        report.checked += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        report.problems.append(
            f"the chain ends at seq {expected_seq - 1} but its head says {head.seq}: "
            "events at the end were deleted"
        )
    return report
