"""``record_event``: the one call a business service makes to report a change. It writes the
event, its audience and a delivery for each matching subscription in the caller's transaction
(the caller commits), so an event exists if and only if its change committed; the deliveries
are attempted once that transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.events.models import (
    DeliveryStatus,
    Event,
    EventAudience,
    WebhookDelivery,
    WebhookSubscription,
)
from procurement.events.services import dispatch
from procurement.events.types import EventType, may_see

API_PREFIX = "/api/v1"


def api_link(path: str) -> str:
    """The API address of a resource (``/orders/7`` -> ``/api/v1/orders/7``), for payloads."""
    return API_PREFIX + path


def record_event(
    session: Session,
    event_type: EventType,
    subject_type: str,
    subject_id: int,
    *,
    audience: Iterable[int | None],
    payload: dict[str, Any],
    now: datetime,
) -> Event:
    """Add an event to the outbox inside the caller's transaction. ``audience``: the
    organizations it concerns (None entries are ignored); ``payload``: small JSON (ids, amounts
    as decimal strings, links to API resources)."""
    orgs = sorted({org for org in audience if org is not None})
    event = Event(
        type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        occurred_at=now,
        audience=[EventAudience(organization_id=org) for org in orgs],
    )
    session.add(event)
    subscriptions = _subscribers(session, event_type, orgs)
    if subscriptions:
        session.flush()
        deliveries = [
            WebhookDelivery(
                subscription_id=sub_id,
                event_id=event.id,
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
            for sub_id in subscriptions
        ]
        session.add_all(deliveries)
        session.flush()
        dispatch.schedule(session, [delivery.id for delivery in deliveries])
    return event


def _subscribers(session: Session, event_type: EventType, audience: list[int]) -> list[int]:
    """The active subscriptions to ``event_type`` whose organization may see the event."""
    rows = session.execute(
        select(WebhookSubscription.id, WebhookSubscription.event_types, Organization.id)
        .add_columns(Organization.kind)
        .join(Organization, Organization.id == WebhookSubscription.organization_id)
        .where(WebhookSubscription.active.is_(True))
        .order_by(WebhookSubscription.id)
    )
    return [
        sub_id
        for sub_id, types, org_id, kind in rows
        if event_type.value in types and may_see(event_type, audience, org_id, kind)
    ]
