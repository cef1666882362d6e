"""Verify the audit chains: recompute every hash with the audit keys, check the links, the heads
and (optionally) the heads anchored outside the database."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit import keys
from procurement.audit.anchors import Anchor
from procurement.audit.digest import GENESIS, event_digest, keyed_digest
from procurement.audit.keys import Keyring
from procurement.audit.models import AuditEvent, AuditHead


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    anchored: int = 0  # anchored heads found intact

    @property
    def ok(self) -> bool:
        return not self.problems


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


def chain_heads(session: Session) -> list[Anchor]:
    """Every chain's head, to anchor outside the database (``anchored_at`` left empty)."""
    rows = session.execute(
        select(AuditHead.chain, AuditHead.seq, AuditHead.hash)
        .where(AuditHead.seq > 0)
        .order_by(AuditHead.chain)
    )
    return [Anchor(row.chain, row.seq, row.hash, "") for row in rows]
