"""The alerts' business events (raised, escalated) for the events outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from procurement.compliance.alerts.models import Alert
from procurement.events.services import api_link, record_event
from procurement.events.types import EventType


def record_alert_event(
    session: Session, event_type: EventType, alert: Alert, now: datetime
) -> None:
    """An alert concerns its subject organization (a hospital or manufacturer), if any."""
    payload = {
        "alert_id": alert.id,
        "kind": alert.kind.value,
        "severity": alert.severity.value,
        "step": alert.step.value,
        "subject_org_id": alert.subject_org_id,
        "tender_id": alert.tender_id,
        "lot_id": alert.lot_id,
        "order_id": alert.order_id,
        "links": {"alert": api_link(f"/compliance/alerts/{alert.id}")},
    }
    record_event(
        session,
        event_type,
        "alert",
        alert.id,
        audience=[alert.subject_org_id],
        payload=payload,
        now=now,
    )
