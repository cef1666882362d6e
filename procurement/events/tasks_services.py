"""The task that attempts a webhook delivery. A failed attempt that leaves the delivery pending
raises, so the queue runs the task again after the policy's wait (``rules.RETRY``, the same
backoff the attempt logged as its next attempt)."""

from __future__ import annotations

from procurement.core.messages import Message
from procurement.events import rules, runtime
from procurement.events.errors import DeliveryAttemptFailed
from procurement.events.services.delivering import attempt_delivery
from procurement.events.services.dispatch import TASK
from procurement.jobs import JobContext, task


@task(TASK, retry=rules.RETRY)
def deliver(ctx: JobContext, *, delivery_id: int) -> Message:
    """Attempt delivery ``delivery_id`` if it is pending and due."""
    attempt = attempt_delivery(
        ctx.session, delivery_id=delivery_id, now=ctx.now, settings=runtime.current()
    )
    if attempt is None:
        return Message("Delivery {delivery_id} was not due.", delivery_id=delivery_id)
    if attempt.succeeded:
        return Message(
            "Delivery {delivery_id} delivered on attempt {number}.",
            delivery_id=delivery_id,
            number=attempt.number,
        )
    if attempt.next_attempt_at is not None:
        raise DeliveryAttemptFailed(
            delivery_id=delivery_id, number=attempt.number, error=attempt.error or ""
        )
    return Message(
        "Delivery {delivery_id} failed on attempt {number}; no attempt follows.",
        delivery_id=delivery_id,
        number=attempt.number,
    )
