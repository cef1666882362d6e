"""The text an audit event's hash covers, and the hash: HMAC-SHA256 under an audit key, or
(events written before the audit keys) plain SHA-256. Pure: no database."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from procurement.audit.keys import AuditKey

GENESIS = "0" * 64


def canonical_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_value(v) for v in value]
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
            "payload": canonical_value(payload),
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
