"""Each delivery attempt runs as a job (``webhooks.deliver``), deferred in the transaction that
wrote the delivery: with the queue (PostgreSQL) a worker runs it and retries it with the
policy's backoff; without one (SQLite) it runs inline once that transaction commits, and a
rolled-back transaction attempts nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from procurement.jobs import defer

TASK = "webhooks.deliver"


def schedule(session: Session, delivery_ids: list[int]) -> None:
    """Attempt these deliveries once ``session``'s transaction commits."""
    for delivery_id in delivery_ids:
        defer(session, TASK, delivery_id=delivery_id, subject=("webhook_delivery", delivery_id))
