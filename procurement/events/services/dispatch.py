"""When deliveries are attempted: after the transaction that wrote them commits (inline), in a
session of their own; a rolled-back transaction attempts nothing. Retries are attempted when
due (``delivering.deliver_due``)."""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from procurement.events import runtime

_PENDING = "events.pending_deliveries"
log = logging.getLogger(__name__)


def schedule(session: Session, delivery_ids: list[int]) -> None:
    """Attempt these deliveries once ``session``'s transaction commits."""
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    session.info[_PENDING].extend(delivery_ids)


def _after_commit(session: Session) -> None:
    ids, session.info[_PENDING] = session.info[_PENDING], []
    if ids:
        attempt_inline(session, ids)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # a rolled-back transaction's deliveries never existed
        session.info[_PENDING] = []


def attempt_inline(session: Session, delivery_ids: list[int]) -> None:
    """Attempt each delivery in a new session on the committed session's database. The
    business change has committed: a failure here is logged, never raised to its caller."""
    from procurement.events.services.delivering import attempt_delivery

    settings = runtime.current()
    with Session(
        bind=session.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as own:
        for delivery_id in delivery_ids:
            try:
                attempt_delivery(
                    own, delivery_id=delivery_id, now=settings.now(), settings=settings
                )
            except Exception:
                own.rollback()
                log.exception("webhook delivery %s failed to run", delivery_id)
