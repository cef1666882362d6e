"""An organization's webhook subscriptions, managed by its admins: subscribe an endpoint to
event types (the secret is shown once), change it, enable or disable it, rotate its secret."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.roles import Role
from procurement.core.messages import Message
from procurement.events import rules
from procurement.events.errors import (
    BadSubscription,
    DeliveryNotFound,
    SubscriptionNotFound,
    WebhooksAdminOnly,
)
from procurement.events.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from procurement.events.types import EventType

DELIVERIES_SHOWN = 200


@dataclass(frozen=True)
class Issued:
    """A subscription and its new secret (shown in this answer only)."""

    subscription: WebhookSubscription
    secret: str


def require_admin(actor: Actor, action: str) -> None:
    actor.require(write=True, action=action)
    if actor.role != Role.ADMIN:
        raise WebhooksAdminOnly(action=action)


def _checked(url: str, event_types: Sequence[str], allow_loopback_http: bool) -> list[str]:
    errors: dict[str, list] = {}
    url_problems = rules.endpoint_problems(url, allow_loopback_http=allow_loopback_http)
    if url_problems:
        errors["url"] = url_problems
    known = {t.value for t in EventType}
    chosen = sorted(set(event_types))
    if not chosen:
        errors["event_types"] = [Message("Choose at least one event type.")]
    elif unknown := [t for t in chosen if t not in known]:
        errors["event_types"] = [Message("Unknown event types: {types}.", types=", ".join(unknown))]
    if errors:
        raise BadSubscription(errors=errors)
    return chosen


def create_subscription(
    session: Session,
    *,
    url: str,
    event_types: Sequence[str],
    description: str = "",
    allow_loopback_http: bool,
    now: datetime,
    actor: Actor,
) -> Issued:
    """Subscribe an endpoint of the actor's organization to event types (its admin). The
    answer holds the signing secret, never shown again."""
    require_admin(actor, "subscribe webhooks")
    url = (url or "").strip()
    chosen = _checked(url, event_types, allow_loopback_http)
    secret = rules.new_secret()
    subscription = WebhookSubscription(
        organization_id=actor.org_id,
        url=url,
        description=(description or "").strip()[: rules.DESCRIPTION_MAX_LENGTH],
        event_types=chosen,
        secret=secret,
        created_at=now,
        created_by_user_id=actor.user_id,
    )
    session.add(subscription)
    session.commit()
    return Issued(subscription, secret)


def fail_pending(session: Session, subscription_id: int) -> None:
    """A disabled subscription's pending deliveries fail (each can be replayed once it is
    enabled again)."""
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.FAILED, next_attempt_at=None)
    )


def list_subscriptions(session: Session, *, actor: Actor) -> list[WebhookSubscription]:
    """The organization's subscriptions (its admin)."""
    require_admin(actor, "see webhook subscriptions")
    return list(
        session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.organization_id == actor.org_id)
            .order_by(WebhookSubscription.id)
        )
    )


def get_subscription(
    session: Session, *, subscription_id: int, actor: Actor, lock: bool = False
) -> WebhookSubscription:
    require_admin(actor, "see webhook subscriptions")
    subscription = session.get(WebhookSubscription, subscription_id, with_for_update=lock)
    if subscription is None or subscription.organization_id != actor.org_id:
        raise SubscriptionNotFound(subscription_id=subscription_id)
    return subscription


def update_subscription(
    session: Session,
    *,
    subscription_id: int,
    changes: dict,
    allow_loopback_http: bool,
    now: datetime,
    actor: Actor,
) -> WebhookSubscription:
    """Change a subscription's address, event types, description, or enable/disable it.
    Enabling starts its count of failures afresh."""
    require_admin(actor, "change webhook subscriptions")
    subscription = get_subscription(
        session, subscription_id=subscription_id, actor=actor, lock=True
    )
    url = (changes.get("url") or subscription.url).strip()
    types = changes.get("event_types") or subscription.event_types
    subscription.url, subscription.event_types = url, _checked(url, types, allow_loopback_http)
    if "description" in changes:
        subscription.description = (changes["description"] or "").strip()
    if changes.get("active") is True and not subscription.active:
        subscription.active, subscription.disabled_at = True, None
        subscription.consecutive_failures = 0
    elif changes.get("active") is False and subscription.active:
        subscription.active, subscription.disabled_at = False, now
        fail_pending(session, subscription.id)
    session.commit()
    return subscription


def rotate_secret(session: Session, *, subscription_id: int, now: datetime, actor: Actor) -> Issued:
    """Give a subscription a new secret (shown once); the old one still signs beside it for
    ``rules.ROTATION_OVERLAP``."""
    require_admin(actor, "rotate webhook secrets")
    subscription = get_subscription(
        session, subscription_id=subscription_id, actor=actor, lock=True
    )
    secret = rules.new_secret()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = now + rules.ROTATION_OVERLAP
    subscription.secret, subscription.secret_rotated_at = secret, now
    session.commit()
    return Issued(subscription, secret)


def list_deliveries(
    session: Session, *, subscription_id: int, actor: Actor
) -> list[WebhookDelivery]:
    """A subscription's latest deliveries, newest first."""
    get_subscription(session, subscription_id=subscription_id, actor=actor)
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(DELIVERIES_SHOWN)
        )
    )


def load_delivery(
    session: Session, delivery_id: int, actor: Actor, *, lock: bool = False
) -> WebhookDelivery:
    require_admin(actor, "see webhook deliveries")
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=lock)
    if delivery is None or delivery.subscription.organization_id != actor.org_id:
        raise DeliveryNotFound(delivery_id=delivery_id)
    return delivery


def disabled_count(session: Session, *, org_id: int) -> int:
    """How many of an organization's subscriptions were disabled for failing (the notice on
    its pages)."""
    return (
        session.scalar(
            select(func.count(WebhookSubscription.id)).where(
                WebhookSubscription.organization_id == org_id,
                WebhookSubscription.active.is_(False),
                WebhookSubscription.consecutive_failures
                >= rules.DISABLE_AFTER_CONSECUTIVE_FAILURES,
            )
        )
        or 0
    )
