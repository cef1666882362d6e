"""The outbox (``events``, with each event's audience), webhook subscriptions, deliveries and
their attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.auth.models import Organization
from procurement.db import Base, enum_type
from procurement.events.rules import DISABLE_AFTER_CONSECUTIVE_FAILURES
from procurement.events.types import EventType


class Event(Base):
    """One business event, written in the transaction of the change it reports (the outbox):
    it exists if and only if that change committed."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_type_occurred", "type", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[EventType] = mapped_column(enum_type(EventType, 40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime]

    audience: Mapped[list[EventAudience]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    @property
    def message_id(self) -> str:
        """The Standard Webhooks ``webhook-id``: the same for every attempt and replay."""
        return f"evt_{self.id}"


class EventAudience(Base):
    """An organization an event concerns (it may see the event and receive it)."""

    __tablename__ = "event_audiences"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id"), primary_key=True, index=True
    )

    event: Mapped[Event] = relationship(back_populates="audience")


class WebhookSubscription(Base):
    """An organization's HTTPS endpoint for some event types. The secret signs deliveries; it
    is shown once (at creation and rotation)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    event_types: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(80))
    previous_secret: Mapped[str | None] = mapped_column(String(80))
    previous_secret_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    secret_rotated_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()

    @property
    def disabled_for_failures(self) -> bool:
        return not self.active and self.consecutive_failures >= DISABLE_AFTER_CONSECUTIVE_FAILURES

    def secrets_at(self, now: datetime) -> list[str]:
        """The secrets that sign at ``now``: the current one, and the previous one while a
        rotation's overlap lasts."""
        live = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            live.append(self.previous_secret)
        return live


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # the endpoint answered 2xx
    FAILED = "failed"  # every attempt failed, or the subscription was disabled


class WebhookDelivery(Base):
    """One event to one subscription: attempted until the endpoint answers 2xx, at most
    ``rules.MAX_ATTEMPTS`` times."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus, 12))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship()
    event: Mapped[Event] = relationship()
    log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id"
    )


class DeliveryAttempt(Base):
    """One POST of a delivery: what the endpoint answered (status code, time taken) or the
    error, and when the next attempt is due (none when delivered or given up)."""

    __tablename__ = "webhook_delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int]
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]
    response_ms: Mapped[int]
    succeeded: Mapped[bool]
    error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="log")
