"""The award's business event (results published) for the events outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from procurement.events.services import api_link, record_event
from procurement.events.types import EventType


def record_award_published(
    session: Session, tender: Any, run: Any, contracts: list[Any], now: datetime
) -> None:
    """A confirmed award run's results are public: the event concerns every winner and every
    hospital with a contract, and any organization may subscribe to it."""
    winners = sorted({c.manufacturer_id for c in contracts})
    hospitals = sorted({c.hospital_id for c in contracts})
    payload = {
        "tender_id": tender.id,
        "tender_code": tender.code,
        "award_run_id": run.id,
        "award_run_number": run.number,
        "winner_ids": winners,
        "contracts": len(contracts),
        "links": {
            "results": api_link(f"/tenders/{tender.id}/results"),
            "award_run": api_link(f"/award-runs/{run.id}"),
        },
    }
    record_event(
        session,
        EventType.AWARD_PUBLISHED,
        "tender",
        tender.id,
        audience=[*winners, *hospitals],
        payload=payload,
        now=now,
    )
