"""Attempting deliveries: sign, POST, log the attempt; on failure schedule the next attempt
with exponential backoff (``rules.backoff``), give up after ``rules.MAX_ATTEMPTS`` and disable
a subscription after ``rules.DISABLE_AFTER_CONSECUTIVE_FAILURES`` failed attempts in a row."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.core.clock import as_utc
from procurement.events import rules
from procurement.events.errors import DeliveryPending, SubscriptionDisabled
from procurement.events.models import (
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    WebhookDelivery,
    WebhookSubscription,
)
from procurement.events.runtime import Runtime
from procurement.events.services import dispatch, sending
from procurement.events.services.outbox import record_event
from procurement.events.services.subscriptions import fail_pending, load_delivery, require_admin
from procurement.events.signing import signed_headers
from procurement.events.types import EventType

# An attempt in flight holds its delivery this long; a worker that died mid-attempt leaves
# it due again afterwards.
LEASE = timedelta(seconds=rules.RESPONSE_TIMEOUT_SECONDS * 3)
DUE_BATCH = 100


def envelope(event: Event) -> str:
    """The body of every attempt of an event (Standard Webhooks' type/timestamp/data)."""
    body = {
        "id": event.message_id,
        "type": event.type.value,
        "timestamp": as_utc(event.occurred_at).isoformat(),
        "data": event.payload,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def attempt_delivery(
    session: Session, *, delivery_id: int, now: datetime, settings: Runtime
) -> DeliveryAttempt | None:
    """Attempt one delivery if it is pending and due; commits twice (the claim, then the
    outcome) so no database lock is held while the endpoint answers."""
    claimed = _claim(session, delivery_id, now)
    if claimed is None:
        return None
    url, body, headers = claimed
    answer = sending.post(
        url,
        body,
        headers,
        timeout=settings.timeout_seconds,
        allow_loopback_http=settings.allow_loopback_http,
    )
    return _log(session, delivery_id, answer, now)


def _claim(session: Session, delivery_id: int, now: datetime):
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        session.rollback()
        return None
    if delivery.next_attempt_at is not None and as_utc(delivery.next_attempt_at) > now:
        session.rollback()
        return None
    subscription = delivery.subscription
    if not subscription.active:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        session.commit()
        return None
    body = envelope(delivery.event)
    headers = signed_headers(delivery.event.message_id, now, body, subscription.secrets_at(now))
    delivery.next_attempt_at = now + LEASE
    session.commit()
    return subscription.url, body, headers


def _log(session: Session, delivery_id: int, answer: sending.Answer, now: datetime):
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    subscription = session.get(WebhookSubscription, delivery.subscription_id, with_for_update=True)
    delivery.attempts += 1
    number = delivery.attempts
    if answer.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.DELIVERED,
            now,
            None,
        )
        subscription.consecutive_failures = 0
    else:
        subscription.consecutive_failures += 1
        if rules.gives_up(number):
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + rules.backoff(number)
    attempt = DeliveryAttempt(
        delivery_id=delivery.id,
        number=number,
        attempted_at=now,
        status_code=answer.status_code,
        response_ms=answer.response_ms,
        succeeded=answer.ok,
        error=answer.error,
        next_attempt_at=delivery.next_attempt_at,
    )
    session.add(attempt)
    if subscription.consecutive_failures >= rules.DISABLE_AFTER_CONSECUTIVE_FAILURES:
        disable(session, subscription, now)
    session.commit()
    return attempt


def disable(session: Session, subscription: WebhookSubscription, now: datetime) -> None:
    """Disable a subscription that keeps failing: its pending deliveries fail (they can be
    replayed once it is enabled again), and the organization is told (its pages show a notice;
    a ``webhook.disabled`` event reaches its other subscriptions)."""
    subscription.active, subscription.disabled_at = False, now
    fail_pending(session, subscription.id)
    record_event(
        session,
        EventType.WEBHOOK_DISABLED,
        "webhook_subscription",
        subscription.id,
        audience=[subscription.organization_id],
        payload={
            "subscription_id": subscription.id,
            "url": subscription.url,
            "consecutive_failures": subscription.consecutive_failures,
        },
        now=now,
    )


def deliver_due(session: Session, *, now: datetime, limit: int = DUE_BATCH) -> int:
    """Queue an attempt of every pending delivery whose next attempt is due at ``now`` (the
    retries without a queue; with one, a safety net: an attempt that is not due does nothing).
    ``procurement webhooks deliver-due`` calls this. Returns how many were queued."""
    due = list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )
    dispatch.schedule(session, due)
    session.commit()
    return len(due)


def replay_delivery(
    session: Session, *, delivery_id: int, now: datetime, actor: Actor
) -> WebhookDelivery:
    """Send a delivery again (its organization's admin): it becomes pending, due now, and is
    attempted once this commits; its earlier attempts stay in the log."""
    require_admin(actor, "replay webhook deliveries")
    delivery = load_delivery(session, delivery_id, actor, lock=True)
    if not delivery.subscription.active:
        raise SubscriptionDisabled(subscription_id=delivery.subscription_id)
    if delivery.status == DeliveryStatus.PENDING:
        raise DeliveryPending(delivery_id=delivery.id)
    delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now
    session.flush()
    dispatch.schedule(session, [delivery.id])
    session.commit()
    session.refresh(delivery)  # without a queue the attempt ran once this committed
    return delivery
