"""Write audit events in the caller's transaction, and verify the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
    chain: str,
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
            "chain": chain,
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
    head = _locked_head(session, chain_of(actor))
    payload = _canonical(payload or {})
    content = {
        "chain": head.chain,
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


def chain_of(actor: Any) -> str:
    """Events of one acting organization form one chain; events without an actor, ``system``."""
    org_id = getattr(actor, "org_id", None)
    return f"org:{org_id}" if org_id is not None else "system"


def _locked_head(session: Session, chain: str) -> AuditHead:
    """The chain's head row, locked. A new chain's head is created with an insert that ignores
    a concurrent twin (unique key), then locked like any other."""
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(AuditHead)
            .values(chain=chain, seq=0, hash=GENESIS)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
    query = select(AuditHead).where(AuditHead.chain == chain).with_for_update()
    head = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if head is None:  # another dialect: no upsert
        head = AuditHead(chain=chain, seq=0, hash=GENESIS)
        session.add(head)
    return head


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session, batch: int = 5000) -> VerifyReport:
    """Recompute every chain; report edited, deleted, inserted or truncated events."""
    report = VerifyReport()
    heads = {head.chain: head for head in session.scalars(select(AuditHead))}
    chain, prev_hash, expected_seq = None, GENESIS, 1
    query = (
        select(AuditEvent)
        .order_by(AuditEvent.chain, AuditEvent.seq)
        .execution_options(yield_per=batch)
    )
    for event in session.scalars(query):
        if event.chain != chain:
            if chain is not None:
                _check_head(report, heads.pop(chain, None), chain, expected_seq - 1, prev_hash)
            chain, prev_hash, expected_seq = event.chain, GENESIS, 1
        _check_event(report, event, expected_seq, prev_hash)
        prev_hash, expected_seq = event.hash, event.seq + 1
        report.checked += 1
    if chain is not None:
        _check_head(report, heads.pop(chain, None), chain, expected_seq - 1, prev_hash)
    for head in heads.values():
        if head.seq:
            report.problems.append(
                f"chain {head.chain}: all {head.seq} events were deleted (its head remains)"
            )
    return report


def _check_event(report: VerifyReport, event: AuditEvent, expected_seq: int, prev: str) -> None:
    name = f"event {event.chain}#{event.seq}"
    if event.seq != expected_seq:
        report.problems.append(
            f"events {event.chain}#{expected_seq}..{event.seq - 1} are missing (deleted?) "
            f"before {name}"
        )
    if event.prev_hash != prev:
        report.problems.append(f"{name}: prev_hash does not match the event before it")
    digest = event_digest(
        chain=event.chain,
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
        report.problems.append(f"{name} ({event.action}): content was edited")


def _check_head(
    report: VerifyReport, head: AuditHead | None, chain: str, last_seq: int, last_hash: str
) -> None:
    if head is None:
        report.problems.append(f"chain {chain} has events but no head: its head was deleted")
    elif head.seq != last_seq or head.hash != last_hash:
        report.problems.append(
            f"chain {chain} ends at #{last_seq} but its head says #{head.seq}: "
            "events at the end were deleted"
        )
