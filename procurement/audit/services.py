"""Write audit events in the caller's transaction, and verify the chain."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, Connection, Text, bindparam, cast, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from procurement.audit.models import AuditEvent, AuditHead
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
    """SHA-256 over the canonical JSON of an event's content and the previous hash: the JSON
    object of every field with sorted keys, no spaces, UTF-8."""
    before, between, after = digest_parts(
        chain=chain, occurred_at=occurred_at, actor_user_id=actor_user_id,
        actor_org_id=actor_org_id, action=action, subject_type=subject_type,
        subject_id=subject_id, payload=payload,
    )  # fmt: skip
    body = f"{before}{prev_hash}{between}{seq}{after}"
    return hashlib.sha256(body.encode()).hexdigest()


def digest_parts(
    *,
    chain: str,
    occurred_at: datetime,
    actor_user_id: int | None,
    actor_org_id: int | None,
    action: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
) -> tuple[str, str, str]:
    """The canonical JSON of an event around its two chain fields: ``before + prev_hash +
    between + seq + after`` is the text hashed. With sorted keys, ``prev_hash`` and ``seq``
    come right after ``payload`` and before ``subject_id``, so PostgreSQL can complete and hash
    the text once it has locked the chain's head (see ``_APPEND``)."""
    dump = functools.partial(json.dumps, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    head = dump(
        {
            "action": action,
            "actor_org_id": actor_org_id,
            "actor_user_id": actor_user_id,
            "chain": chain,
            "occurred_at": occurred_at.isoformat(),
            "payload": _canonical(payload),
        }
    )
    tail = dump({"subject_id": subject_id, "subject_type": subject_type})
    return head[:-1] + ',"prev_hash":"', '","seq":', "," + tail[1:]


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
    prepared Core statements and no unit of work: lock the chain's head, hash, insert the event
    and move the head. On PostgreSQL that is one statement (the database hashes the canonical
    text :func:`digest_parts` prepares); elsewhere three, hashed here. The returned event is a
    detached copy of what was written (it has no ``id``).
    """
    connection = session.connection()
    content = _content(action, subject_type, subject_id, now, actor, payload)
    if connection.dialect.name == "postgresql":
        seq, prev_hash, digest = _append_in_database(connection, content)
    else:
        seq, prev_hash = _locked_head(connection, content["chain"])
        digest = event_digest(**content, seq=seq + 1, prev_hash=prev_hash)
        seq += 1
        connection.execute(_INSERT_EVENT, {**content, "seq": seq, "prev_hash": prev_hash,
                                           "hash": digest})  # fmt: skip
        connection.execute(_MOVE_HEAD, {"at": content["chain"], "to_seq": seq, "to_hash": digest})
    return AuditEvent(**content, seq=seq, prev_hash=prev_hash, hash=digest)


def _content(action, subject_type, subject_id, now, actor, payload) -> dict[str, Any]:
    return {
        "chain": chain_of(actor),
        "occurred_at": now,
        "actor_user_id": getattr(actor, "user_id", None),
        "actor_org_id": getattr(actor, "org_id", None),
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "payload": _canonical(payload or {}),
    }


def _append_params(content: dict[str, Any]) -> dict[str, Any]:
    before, between, after = digest_parts(**content)
    params = {f"ev_{k}": v for k, v in content.items()}
    params.update(head_chain=content["chain"], before=before, between=between, after=after)
    return params


def append_params(
    *,
    action: str,
    subject_type: str,
    subject_id: int | str,
    now: datetime,
    actor: Any = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The parameters of ``append_cte`` for one event (the arguments of ``record``)."""
    return _append_params(_content(action, subject_type, subject_id, now, actor, payload))


def append_cte() -> CTE:
    """PostgreSQL: ``record``'s append as a data-modifying CTE named ``audit_logged``
    (RETURNING ``seq``), for a caller that writes its whole change in one statement (order
    placement); its parameters come from ``append_params`` (named ``ev_*``, ``head_chain``,
    ``before``, ``between``, ``after``). It writes nothing when the chain has no head yet (an
    organization's first event): the caller then calls ``record``, which creates the head."""
    return _append_statement().cte("audit_logged")


def _append_in_database(connection: Connection, content: dict[str, Any]) -> tuple[int, str, str]:
    """PostgreSQL: lock the head, hash, insert the event and move the head in one statement.
    A chain's first event creates its head first."""
    params = _append_params(content)
    append = _prepared_append(connection.dialect)
    rows = append.rows(connection, params)
    if not rows:
        _locked_head(connection, content["chain"])
        rows = append.rows(connection, params)
    return rows[0]


@functools.cache
def _prepared_append(dialect) -> Prepared:
    """``_APPEND`` run on the driver connection: every state change passes here."""
    return Prepared(_APPEND, dialect)


def chain_of(actor: Any) -> str:
    """Events of one acting organization form one chain; events without an actor, ``system``."""
    org_id = getattr(actor, "org_id", None)
    return f"org:{org_id}" if org_id is not None else "system"


_HEADS = AuditHead.__table__
_LOCK_HEAD = (
    select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.chain == bindparam("at")).with_for_update()
)
_MOVE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.chain == bindparam("at"))
    .values(seq=bindparam("to_seq"), hash=bindparam("to_hash"))
)
_INSERT_EVENT = insert(AuditEvent.__table__)
_EVENTS = AuditEvent.__table__


def _append_statement():
    """WITH head (locked) -> ev (next seq, sha256 of the canonical text) -> moved head, then
    INSERT the event; RETURNING what was written. No row: the chain has no head yet."""
    head = (
        select(_HEADS.c.chain, _HEADS.c.seq, _HEADS.c.hash)
        .where(_HEADS.c.chain == bindparam("head_chain"))
        .with_for_update()
        .cte("head")
    )
    text = (
        bindparam("before", type_=Text) + head.c.hash + bindparam("between", type_=Text)
        + cast(head.c.seq + 1, Text) + bindparam("after", type_=Text)
    )  # fmt: skip
    digest = func.encode(func.sha256(func.convert_to(text, "UTF8")), "hex")
    ev = select(
        head.c.chain, (head.c.seq + 1).label("seq"), head.c.hash.label("prev_hash"),
        digest.label("hash"),
    ).cte("ev")  # fmt: skip
    moved = (
        update(_HEADS)
        .where(_HEADS.c.chain == ev.c.chain)
        .values(seq=ev.c.seq, hash=ev.c.hash)
        .cte("moved")
    )
    given = [c.name for c in _EVENTS.c if c.name not in ("id", "seq", "prev_hash", "hash")]
    source = select(
        *(cast(bindparam(f"ev_{name}", type_=_EVENTS.c[name].type), _EVENTS.c[name].type)
          for name in given),
        ev.c.seq, ev.c.prev_hash, ev.c.hash,
    )  # fmt: skip
    return (
        insert(_EVENTS)
        .from_select([*given, "seq", "prev_hash", "hash"], source)
        .add_cte(moved)
        .returning(_EVENTS.c.seq, _EVENTS.c.prev_hash, _EVENTS.c.hash)
    )


_APPEND = _append_statement()
_UPSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def _locked_head(connection: Connection, chain: str) -> tuple[int, str]:
    """(seq, hash) of the chain's head row, locked (``FOR UPDATE``; SQLite's ``BEGIN
    IMMEDIATE`` already serialises writers). A new chain's head is created with an insert that
    ignores a concurrent twin (unique key), then locked like any other."""
    head = connection.execute(_LOCK_HEAD, {"at": chain}).first()
    if head is not None:
        return head.seq, head.hash
    upsert = _UPSERTS.get(connection.dialect.name)
    new = {"chain": chain, "seq": 0, "hash": GENESIS}
    if upsert is None:  # another dialect: a plain insert (a twin fails on the unique key)
        connection.execute(insert(_HEADS), new)
        return 0, GENESIS
    connection.execute(upsert(_HEADS).values(new).on_conflict_do_nothing(index_elements=["chain"]))
    head = connection.execute(_LOCK_HEAD, {"at": chain}).one()
    return head.seq, head.hash


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
