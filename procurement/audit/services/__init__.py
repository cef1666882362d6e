"""Write audit events in the caller's transaction (signed with the newest audit key); verifying
lives in ``audit.verify`` and is re-exported here."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    String,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from procurement.audit import keys
from procurement.audit.digest import (
    GENESIS,
    canonical_text,
    canonical_value,
    event_digest,
    keyed_digest,
)
from procurement.audit.models import AuditEvent, AuditHead
from procurement.audit.services.verify import Anchor, VerifyReport, chain_heads, verify_chain
from procurement.core.clock import as_utc
from procurement.db.backends import backend

__all__ = [
    "GENESIS",
    "Anchor",
    "VerifyReport",
    "canonical_text",
    "chain_heads",
    "chain_of",
    "event_digest",
    "event_writes",
    "keyed_digest",
    "prepare_event",
    "record",
    "seal_legacy",
    "verify_chain",
]


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

    Every state change of the platform passes here, order placement included, so it is
    Core statements and no unit of work: lock the chain's head, sign the event here with the
    newest audit key (the key never reaches the database), then insert the event and move the
    head (``Backend.write_together``: one statement on PostgreSQL); a chain's first event
    creates its head first. The returned event is a detached copy of what was written (it has
    no ``id``).
    """
    content = _content(action, subject_type, subject_id, now, actor, payload)
    return AuditEvent(**_append(session.connection(), content))


def _append(connection: Connection, content: dict[str, Any]) -> dict[str, Any]:
    row = _signed_under_head(connection, content)
    backend(connection).write_together(connection, event_writes(), _write_params(row))
    return row


def _signed_under_head(connection: Connection, content: dict[str, Any]) -> dict[str, Any]:
    seq, prev_hash = _locked_head(connection, content["chain"])
    return _signed(content, seq + 1, prev_hash)


def _signed(content: dict[str, Any], seq: int, prev_hash: str) -> dict[str, Any]:
    key = keys.current().newest
    row = {**content, "seq": seq, "prev_hash": prev_hash}
    return {**row, "key_id": key.id, "hash": keyed_digest(key, **row)}


def _write_params(row: dict[str, Any]) -> dict[str, Any]:
    params = {f"ev_{name}": value for name, value in row.items()}
    params.update(head_chain=row["chain"], head_seq=row["seq"], head_hash=row["hash"])
    return params


def _content(action, subject_type, subject_id, now, actor, payload) -> dict[str, Any]:
    return {
        "chain": chain_of(actor),
        "occurred_at": as_utc(now),
        "actor_user_id": getattr(actor, "user_id", None),
        "actor_org_id": getattr(actor, "org_id", None),
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "payload": canonical_value(payload or {}),
    }


def prepare_event(
    connection: Connection,
    *,
    action: str,
    subject_type: str,
    subject_id: int | str,
    now: datetime,
    actor: Any = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Lock the chain's head (creating it for a chain's first event) and sign the event (the
    arguments of ``record``): the parameters of ``event_writes()``, for a caller that writes
    the event together with its own change (order placement)."""
    content = _content(action, subject_type, subject_id, now, actor, payload)
    return _write_params(_signed_under_head(connection, content))


def event_writes() -> tuple[Any, Any]:
    """Insert a signed event and move its chain's head (parameters: ``prepare_event``)."""
    statements = _statements()
    return statements.insert_event, statements.move_head


def chain_of(actor: Any) -> str:
    """Events of one acting organization form one chain; events without an actor, ``system``."""
    org_id = getattr(actor, "org_id", None)
    return f"org:{org_id}" if org_id is not None else "system"


_HEADS = AuditHead.__table__
_EVENTS = AuditEvent.__table__
# The actor columns reference users/organizations: their type comes from those tables, so it is
# named here rather than read from the columns (unknown until every model is imported).
_ID = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class _Statements:
    lock_head: Any
    move_head: Any
    insert_event: Any


@functools.cache
def _statements() -> _Statements:
    """Built on first use, never at import (models of other areas may not be defined yet)."""
    lock_head = (
        select(_HEADS.c.seq, _HEADS.c.hash)
        .where(_HEADS.c.chain == bindparam("at", type_=String))
        .with_for_update()
    )
    move_head = (
        update(_HEADS)
        .where(_HEADS.c.chain == bindparam("head_chain", type_=String))
        .values(seq=bindparam("head_seq", type_=_ID), hash=bindparam("head_hash", type_=String))
    )
    names = [c.name for c in _EVENTS.c if c.name != "id"]
    values = {
        name: bindparam(
            f"ev_{name}", type_=_ID if name.startswith("actor_") else _EVENTS.c[name].type
        )
        for name in names
    }
    return _Statements(lock_head, move_head, insert(_EVENTS).values(values))


def _locked_head(connection: Connection, chain: str) -> tuple[int, str]:
    """(seq, hash) of the chain's head row, locked (``FOR UPDATE``; SQLite's ``BEGIN
    IMMEDIATE`` already serialises writers). A new chain's head is created with an insert that
    ignores a concurrent twin (unique key), then locked like any other."""
    head = _lock(connection, chain)
    if head is not None:
        return head
    new = {"chain": chain, "seq": 0, "hash": GENESIS}
    connection.execute(
        backend(connection)
        .insert(_HEADS)
        .values(new)
        .on_conflict_do_nothing(index_elements=["chain"])
    )
    head = _lock(connection, chain)
    assert head is not None
    return head


def _lock(connection: Connection, chain: str) -> tuple[int, str] | None:
    rows = backend(connection).rows(connection, _statements().lock_head, {"at": chain})
    return (rows[0].seq, rows[0].hash) if rows else None


def seal_legacy(session: Session, *, now: datetime) -> list[str]:
    """Append a keyed ``audit.legacy_sealed`` event to every chain whose last event has no key
    (written before AUDIT_KEYS), so its HMAC covers the legacy events before it; the chains
    sealed. Run once after upgrading a database with events from before the audit keys."""
    last = (
        select(AuditEvent.chain, AuditEvent.key_id)
        .join(AuditHead, (AuditHead.chain == AuditEvent.chain) & (AuditHead.seq == AuditEvent.seq))
        .order_by(AuditEvent.chain)
    )
    sealed = [row.chain for row in session.execute(last) if row.key_id is None]
    connection = session.connection()
    for chain in sealed:
        content = _content("audit.legacy_sealed", "audit_chain", chain, now, None, {})
        _append(connection, {**content, "chain": chain})
    session.commit()
    return sealed
