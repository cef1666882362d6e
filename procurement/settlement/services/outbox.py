"""The settlement's business events for the events outbox: a payment made to a manufacturer
(written in the paying batch's transaction) and a monthly reconciliation issued (in the
transaction that issues it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.events.services import api_link, record_event
from procurement.events.types import EventType
from procurement.settlement.models import Payment


def record_payments(
    session: Session, run: Any, batch_no: int, payments: list[dict], hospitals: dict[int, set]
) -> None:
    """One ``payment.made`` per manufacturer paid in the batch; it concerns the manufacturer
    and the hospitals whose allocations it charged (``hospitals``: manufacturer -> ids)."""
    ids = dict(
        session.execute(
            select(Payment.manufacturer_id, Payment.id).where(
                Payment.run_id == run.id, Payment.batch_no == batch_no
            )
        ).all()
    )
    for paid in payments:
        maker = paid["manufacturer_id"]
        payload = {
            "payment_id": ids[maker],
            "run_id": run.id,
            "manufacturer_id": maker,
            "hospital_ids": sorted(hospitals[maker]),
            "amount": str(paid["amount"]),
            "currency": paid["currency"],
            "payables": paid["payables_count"],
            "links": {"run": api_link(f"/settlement/runs/{run.id}")},
        }
        audience = [maker, *hospitals[maker]]
        at: datetime = paid["paid_at"]
        record_event(
            session,
            EventType.PAYMENT_MADE,
            "settlement_payment",
            ids[maker],
            audience=audience,
            payload=payload,
            now=at,
        )


def record_reconciliation_issued(session: Session, reconciliation: Any) -> None:
    """``reconciliation.issued``: it concerns the hospital and the manufacturer it is between."""
    payload = {
        "reconciliation_id": reconciliation.id,
        "month": reconciliation.month.isoformat(),
        "hospital_id": reconciliation.hospital_id,
        "manufacturer_id": reconciliation.manufacturer_id,
        "total_amount": str(reconciliation.total_amount),
        "lines": len(reconciliation.lines),
        "deadline_at": reconciliation.deadline_at.isoformat(),
        "links": {"reconciliation": api_link(f"/settlement/reconciliations/{reconciliation.id}")},
    }
    record_event(
        session,
        EventType.RECONCILIATION_ISSUED,
        "reconciliation",
        reconciliation.id,
        audience=[reconciliation.hospital_id, reconciliation.manufacturer_id],
        payload=payload,
        now=reconciliation.issued_at,
    )
