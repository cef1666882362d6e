"""The orders' business events (placed, confirmed, shipped, received) for the events outbox,
written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from procurement.events.services import api_link, record_event
from procurement.events.types import EventType


def record_order_event(
    session: Session,
    event_type: EventType,
    order: Any,
    now: datetime,
    *,
    shipment: Any = None,
    **extra: Any,
) -> None:
    """``order`` (a PurchaseOrder or its row's fields) concerns its hospital and manufacturer,
    and a shipment's shipper (an appointed distributor) too."""
    payload: dict[str, Any] = {
        "order_id": order.id,
        "number": order.number,
        "status": str(order.status),
        "hospital_id": order.hospital_id,
        "manufacturer_id": order.manufacturer_id,
        "total_amount": str(order.total_amount),
        "currency": order.currency,
        "links": {"order": api_link(f"/orders/{order.id}")},
        **extra,
    }
    audience = [order.hospital_id, order.manufacturer_id]
    if shipment is not None:
        payload.update(shipment_id=shipment.id, shipment_number=shipment.number)
        payload["links"]["shipment"] = api_link(f"/shipments/{shipment.id}")
        audience.append(shipment.shipper_id)
    record_event(
        session, event_type, "purchase_order", order.id, audience=audience, payload=payload, now=now
    )
