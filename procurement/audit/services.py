"""Write audit events in the caller's transaction, and verify the chain."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    Connection,
    Integer,
    String,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from procurement.audit import keys
from procurement.audit.keys import AuditKey, Keyring
from procurement.audit.models import AuditEvent, AuditHead
from procurement.core.clock import as_utc
from procurement.db import Prepared

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


def canonical_text(
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
    """The text an event's hash covers: the JSON object of every field (the previous hash
    included) with sorted keys, no spaces, UTF-8."""
    return json.dumps(
        {
            "action": action,
            "actor_org_id": actor_org_id,
            "actor_user_id": actor_user_id,
            "chain": chain,
            "occurred_at": occurred_at.isoformat(),
            "payload": _canonical(payload),
            "prev_hash": prev_hash,
            "seq": seq,
            "subject_id": subject_id,
            "subject_type": subject_type,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def event_digest(**content: Any) -> str:
    """The legacy, unkeyed hash (events written before AUDIT_KEYS, ``key_id`` NULL): SHA-256
    of :func:`canonical_text`. Anyone can recompute it; verify accepts it only before a keyed
    event of the same chain."""
    return hashlib.sha256(canonical_text(**content).encode()).hexdigest()


def keyed_digest(key: AuditKey, **content: Any) -> str:
    """An event's hash: HMAC-SHA256 of :func:`canonical_text` under an audit key."""
    return key.sign(canonical_text(**content))


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
    prepared Core statements and no unit of work: lock the chain's head, sign the event here
    with the newest audit key (the key never reaches the database), then insert the event and
    move the head. On PostgreSQL that is two statements (lock; insert + move in one), elsewhere
    three; a chain's first event creates its head first. The returned event is a detached copy
    of what was written (it has no ``id``).
    """
    content = _content(action, subject_type, subject_id, now, actor, payload)
    return AuditEvent(**_append(session.connection(), content))


def _append(connection: Connection, content: dict[str, Any]) -> dict[str, Any]:
    seq, prev_hash = _locked_head(connection, content["chain"])
    row = _signed(content, seq + 1, prev_hash)
    if connection.dialect.name == "postgresql":
        _prepared_write(connection.dialect).rows(connection, _write_params(row))
    else:
        params = _write_params(row)
        connection.execute(_statements().insert_event, params)
        connection.execute(_statements().move_head, params)
    return row


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
        "payload": _canonical(payload or {}),
    }


def append_params(
    connection: Connection,
    *,
    action: str,
    subject_type: str,
    subject_id: int | str,
    now: datetime,
    actor: Any = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """PostgreSQL: lock the chain's head (creating it for a chain's first event) and sign the
    event (the arguments of ``record``); the result is the parameters of ``append_cte``, which
    writes it in the caller's statement (order placement). Elsewhere nothing is locked and the
    result is empty: the caller calls ``record`` after its writes."""
    if connection.dialect.name != "postgresql":
        return {}
    content = _content(action, subject_type, subject_id, now, actor, payload)
    seq, prev_hash = _locked_head(connection, content["chain"])
    return _write_params(_signed(content, seq + 1, prev_hash))


def append_cte() -> CTE:
    """PostgreSQL: the insert of an event signed by ``append_params`` and the move of its
    (locked) head, as a data-modifying CTE named ``audit_logged`` (RETURNING ``seq``), for a
    caller that writes its whole change in one statement (order placement)."""
    return _statements().write.cte("audit_logged")


@functools.cache
def _prepared_write(dialect) -> Prepared:
    return Prepared(_statements().write, dialect)


@functools.cache
def _prepared_lock(dialect) -> Prepared:
    return Prepared(_statements().lock_head, dialect)


def chain_of(actor: Any) -> str:
    """Events of one acting organization form one chain; events without an actor, ``system``."""
    org_id = getattr(actor, "org_id", None)
    return f"org:{org_id}" if org_id is not None else "system"


_HEADS = AuditHead.__table__
_EVENTS = AuditEvent.__table__
# The actor columns reference users/organizations: their type comes from those tables, so it is
# named here rather than read from the columns (unknown until every model is imported).
_ID = BigInteger().with_variant(Integer(), "sqlite")
_UPSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


@dataclass(frozen=True)
class _Statements:
    lock_head: Any
    move_head: Any
    insert_event: Any
    write: Any  # PostgreSQL: insert the event and move the head in one statement


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
    insert_event = insert(_EVENTS).values(values)
    write = insert_event.add_cte(move_head.cte("moved_head")).returning(_EVENTS.c.seq)
    return _Statements(lock_head, move_head, insert_event, write)


def _locked_head(connection: Connection, chain: str) -> tuple[int, str]:
    """(seq, hash) of the chain's head row, locked (``FOR UPDATE``; SQLite's ``BEGIN
    IMMEDIATE`` already serialises writers). A new chain's head is created with an insert that
    ignores a concurrent twin (unique key), then locked like any other."""
    head = _lock(connection, chain)
    if head is not None:
        return head
    upsert = _UPSERTS.get(connection.dialect.name)
    new = {"chain": chain, "seq": 0, "hash": GENESIS}
    if upsert is None:  # another dialect: a plain insert (a twin fails on the unique key)
        connection.execute(insert(_HEADS), new)
        return 0, GENESIS
    connection.execute(upsert(_HEADS).values(new).on_conflict_do_nothing(index_elements=["chain"]))
    head = _lock(connection, chain)
    assert head is not None
    return head


def _lock(connection: Connection, chain: str) -> tuple[int, str] | None:
    if connection.dialect.name == "postgresql":
        rows = _prepared_lock(connection.dialect).rows(connection, {"at": chain})
    else:
        rows = connection.execute(_statements().lock_head, {"at": chain}).all()
    return (rows[0][0], rows[0][1]) if rows else None


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    anchored: int = 0  # anchored heads found intact

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Anchor:
    """A chain head written outside the database by ``procurement audit anchor``."""

    chain: str
    seq: int
    hash: str
    anchored_at: str


@dataclass
class _Walk:
    """Where verification stands within one chain."""

    chain: str
    prev_hash: str = GENESIS
    expected_seq: int = 1
    keyed: bool = False  # a keyed event was seen: every later event must be keyed too
    unkeyed: list[int] = field(default_factory=list)  # seqs of the unkeyed run at the end


def verify_chain(
    session: Session,
    *,
    keyring: Keyring | None = None,
    anchors: list[Anchor] | None = None,
    batch: int = 5000,
) -> VerifyReport:
    """Recompute every chain with the audit keys; report edited, deleted, inserted or truncated
    events, events hashed without a key where a key was due, and (``anchors``) anchored heads
    the database no longer holds."""
    keyring = keyring or keys.current()
    report = VerifyReport()
    heads = {head.chain: head for head in session.scalars(select(AuditHead))}
    pending = _by_position(anchors or [])
    walk: _Walk | None = None
    query = (
        select(AuditEvent)
        .order_by(AuditEvent.chain, AuditEvent.seq)
        .execution_options(yield_per=batch)
    )
    for event in session.scalars(query):
        if walk is None or event.chain != walk.chain:
            if walk is not None:
                _end_chain(report, heads.pop(walk.chain, None), walk)
            walk = _Walk(event.chain)
        _check_event(report, keyring, event, walk)
        _check_anchor(report, pending.pop((event.chain, event.seq), None), event)
        walk.prev_hash, walk.expected_seq = event.hash, event.seq + 1
        report.checked += 1
    if walk is not None:
        _end_chain(report, heads.pop(walk.chain, None), walk)
    for head in heads.values():
        if head.seq:
            report.problems.append(
                f"chain {head.chain}: all {head.seq} events were deleted (its head remains)"
            )
    for (chain, seq), anchored in sorted(pending.items()):
        report.problems.append(
            f"anchored head {chain}#{seq} (anchored {anchored[0].anchored_at}) is missing: "
            "events were deleted or the chain truncated after anchoring"
        )
    return report


def _by_position(anchors: list[Anchor]) -> dict[tuple[str, int], list[Anchor]]:
    out: dict[tuple[str, int], list[Anchor]] = {}
    for anchor in anchors:
        out.setdefault((anchor.chain, anchor.seq), []).append(anchor)
    return out


def _check_anchor(report: VerifyReport, anchors: list[Anchor] | None, event: AuditEvent) -> None:
    for anchor in anchors or ():
        if hmac.compare_digest(anchor.hash, event.hash):
            report.anchored += 1
        else:
            report.problems.append(
                f"anchored head {event.chain}#{event.seq} (anchored {anchor.anchored_at}) has "
                "another hash now: the chain was rewritten or recomputed after anchoring"
            )


def _check_event(report: VerifyReport, keyring: Keyring, event: AuditEvent, walk: _Walk) -> None:
    name = f"event {event.chain}#{event.seq}"
    if event.seq != walk.expected_seq:
        report.problems.append(
            f"events {event.chain}#{walk.expected_seq}..{event.seq - 1} are missing (deleted?) "
            f"before {name}"
        )
    if event.prev_hash != walk.prev_hash:
        report.problems.append(f"{name}: prev_hash does not match the event before it")
    content = {
        "chain": event.chain,
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor_user_id": event.actor_user_id,
        "actor_org_id": event.actor_org_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }
    if event.key_id is None:
        digest = event_digest(**content)
        if walk.keyed:
            report.problems.append(
                f"{name}: hashed without an audit key after keyed events: recomputed by "
                "someone without the key"
            )
        walk.unkeyed.append(event.seq)
    else:
        key = keyring.find(event.key_id)
        if key is None:
            report.problems.append(
                f"{name}: signed with audit key {event.key_id}, which is not in AUDIT_KEYS "
                "(put the key back in the list, or the event was forged)"
            )
            return
        digest = keyed_digest(key, **content)
        walk.keyed, walk.unkeyed = True, []
    if not hmac.compare_digest(digest, event.hash):
        report.problems.append(f"{name} ({event.action}): content was edited")


def _end_chain(report: VerifyReport, head: AuditHead | None, walk: _Walk) -> None:
    last_seq = walk.expected_seq - 1
    if head is None:
        report.problems.append(f"chain {walk.chain} has events but no head: its head was deleted")
    elif head.seq != last_seq or head.hash != walk.prev_hash:
        report.problems.append(
            f"chain {walk.chain} ends at #{last_seq} but its head says #{head.seq}: "
            "events at the end were deleted"
        )
    if walk.unkeyed:
        report.problems.append(
            f"chain {walk.chain}: events #{walk.unkeyed[0]}..#{walk.unkeyed[-1]} at its end are "
            "hashed without an audit key (plain SHA-256), which anyone can recompute: written "
            "before AUDIT_KEYS and not yet sealed (run `procurement audit seal-legacy`), or "
            "recomputed without the key"
        )


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


def chain_heads(session: Session) -> list[Anchor]:
    """Every chain's head, to anchor outside the database (``anchored_at`` left empty)."""
    rows = session.execute(
        select(AuditHead.chain, AuditHead.seq, AuditHead.hash)
        .where(AuditHead.seq > 0)
        .order_by(AuditHead.chain)
    )
    return [Anchor(row.chain, row.seq, row.hash, "") for row in rows]
