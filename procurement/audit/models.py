"""Audit events: append-only, each row's hash (an HMAC under an audit key) covers its content and
the previous row's hash.

The log is a set of chains, one per acting organization (plus ``system``), so writers of
different organizations never queue behind one lock; within a chain the order is total."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procurement.db import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int]
    occurred_at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    action: Mapped[str] = mapped_column(String(80))  # no index: nothing looks events up by it
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    # The audit key that signed ``hash`` (HMAC-SHA256), by its public id (audit.keys.key_id);
    # NULL: an event written before the audit keys, hashed with plain SHA-256.
    key_id: Mapped[str | None] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row per chain: its last sequence number and hash.

    Writers lock their chain's row (``FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` already
    serialises SQLite), so two transactions can never both append after the same event.
    """

    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
