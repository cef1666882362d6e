"""The event types a subscription can choose, and who may see an event of each type.

An event names its **audience**: the organizations it concerns (an order's hospital and
manufacturer, a payment's manufacturer and the hospitals it charges, an alert's subject). Beyond
its audience, an organization of a kind in the type's **oversight** sees every event of that
type (the regulator watches orders and alerts; the fund office payments and reconciliations);
a **public** event (published award results) is seen by every organization."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from procurement.auth.roles import OrgKind


class EventType(StrEnum):
    ORDER_PLACED = "order.placed"
    ORDER_CONFIRMED = "order.confirmed"
    ORDER_SHIPPED = "order.shipped"
    ORDER_RECEIVED = "order.received"
    PAYMENT_MADE = "payment.made"
    ALERT_RAISED = "alert.raised"
    ALERT_ESCALATED = "alert.escalated"
    AWARD_PUBLISHED = "award.published"
    RECONCILIATION_ISSUED = "reconciliation.issued"
    WEBHOOK_DISABLED = "webhook.disabled"


_REGULATOR = frozenset({OrgKind.REGULATOR})
_MONEY = frozenset({OrgKind.REGULATOR, OrgKind.FUND})

OVERSIGHT: dict[EventType, frozenset[OrgKind]] = {
    EventType.ORDER_PLACED: _REGULATOR,
    EventType.ORDER_CONFIRMED: _REGULATOR,
    EventType.ORDER_SHIPPED: _REGULATOR,
    # A receipt makes the fund owe the manufacturer (a payable): the fund office follows it.
    EventType.ORDER_RECEIVED: _MONEY,
    EventType.PAYMENT_MADE: _MONEY,
    EventType.ALERT_RAISED: _REGULATOR,
    EventType.ALERT_ESCALATED: _REGULATOR,
    EventType.AWARD_PUBLISHED: frozenset(),
    EventType.RECONCILIATION_ISSUED: _MONEY,
    EventType.WEBHOOK_DISABLED: frozenset(),
}

# Published award results are public (DESIGN.md section 1): every organization may hear of them.
PUBLIC = frozenset({EventType.AWARD_PUBLISHED})


def may_see(event_type: EventType, audience: Iterable[int], org_id: int, org_kind: OrgKind) -> bool:
    """Whether organization ``org_id`` (of ``org_kind``) may see an event of ``event_type``
    concerning ``audience``."""
    return event_type in PUBLIC or org_kind in OVERSIGHT[event_type] or org_id in set(audience)
