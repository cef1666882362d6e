"""Receipt (入库验收): the hospital accepts or rejects every line of a shipment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.core.messages import N_, Message
from procurement.core.money import line_total
from procurement.events.types import EventType
from procurement.orders.errors import ReceiptNotFound, ReceiptNotValid, ShipmentAlreadyReceived
from procurement.orders.models import (
    ContractVolume,
    IdempotencyKey,
    OrderStatus,
    Receipt,
    ReceiptLine,
    Shipment,
)
from procurement.orders.services.common import (
    check_fingerprint,
    claim_key,
    load_order,
    lock_volumes,
    require_hospital,
    require_state,
    stored_key,
)
from procurement.orders.services.outbox import record_order_event
from procurement.orders.services.shipping import get_shipment

SCOPE = "receipts.record"


@dataclass(frozen=True)
class ReceiveLine:
    shipment_line_id: int
    accepted_quantity: int
    rejected_quantity: int = 0
    rejection_reason: str | None = None


@dataclass
class ReceiptResult:
    receipt_id: int
    replayed: bool = False


def record_receipt(
    session: Session,
    *,
    shipment_id: int,
    lines: list[ReceiveLine],
    received_at: datetime | None = None,
    idempotency_key: str | None = None,
    raw_body: object = None,
    now: datetime,
    actor: Actor,
) -> ReceiptResult:
    """Record the receiving check of a shipment (the ordering hospital): per line accepted +
    rejected = shipped, a reason for every rejection. Only accepted quantity counts."""
    shipment = get_shipment(session, shipment_id=shipment_id, now=now, actor=actor)
    order = load_order(session, shipment.order_id, actor, now=now, lock=True)
    require_hospital(order, actor, "record receipts")
    body = (
        raw_body
        if raw_body is not None
        else {"shipment": shipment_id, "lines": [vars(x) for x in lines]}
    )
    if idempotency_key and not claim_key(
        session, org_id=actor.org_id, scope=SCOPE, key=idempotency_key, body=body, now=now
    ):
        session.rollback()
        earlier = stored_key(session, org_id=actor.org_id, key=idempotency_key)
        check_fingerprint(earlier, SCOPE, idempotency_key, body)
        return ReceiptResult(earlier.resource_id, replayed=True)
    if shipment.receipt is not None:
        raise ShipmentAlreadyReceived(shipment_number=shipment.number, shipment_id=shipment.id)
    require_state(order, "receive")
    received_at = received_at or now
    _check(shipment, lines, received_at, now)
    receipt = _write(session, shipment, lines, received_at, now, actor)
    if all(s.receipt is not None for s in order.shipments) and order.status == OrderStatus.SHIPPED:
        order.status, order.received_at = OrderStatus.RECEIVED, now
    order.updated_at = now
    record_order_event(
        session, EventType.ORDER_RECEIVED, order, now, shipment=shipment, receipt_id=receipt.id
    )
    record(
        session,
        action="orders.received",
        subject_type="shipment",
        subject_id=shipment.id,
        now=now,
        actor=actor,
        payload={
            "order": order.number,
            "receipt": receipt.id,
            "accepted": sum(x.accepted_quantity for x in lines),
            "rejected": sum(x.rejected_quantity for x in lines),
        },
    )
    if idempotency_key:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.org_id == actor.org_id, IdempotencyKey.key == idempotency_key)
            .values(response_status=201, resource_id=receipt.id)
        )
    session.commit()
    return ReceiptResult(receipt.id)


def _check(shipment: Shipment, lines: list[ReceiveLine], received_at, now) -> None:
    errors: dict[str, list[str]] = {}
    by_id = {line.id: line for line in shipment.lines}
    seen = set()
    for i, got in enumerate(lines):
        at, sline = f"lines.{i}", by_id.get(got.shipment_line_id)
        if sline is None:
            errors[f"{at}.shipment_line_id"] = [
                Message(
                    "{shipment_line_id} is not in this shipment",
                    shipment_line_id=got.shipment_line_id,
                )
            ]
            continue
        if sline.id in seen:
            errors[f"{at}.shipment_line_id"] = [N_("this line is given twice")]
        seen.add(sline.id)
        if got.accepted_quantity < 0 or got.rejected_quantity < 0:
            errors[f"{at}.accepted_quantity"] = [N_("quantities cannot be negative")]
        elif got.accepted_quantity + got.rejected_quantity != sline.quantity:
            errors[f"{at}.accepted_quantity"] = [
                Message(
                    "accepted {accepted_quantity} + rejected {rejected_quantity} must equal the "
                    "{quantity} shipped (batch {batch_no})",
                    accepted_quantity=got.accepted_quantity,
                    rejected_quantity=got.rejected_quantity,
                    quantity=sline.quantity,
                    batch_no=sline.batch_no,
                )
            ]
        if got.rejected_quantity > 0 and not (got.rejection_reason or "").strip():
            errors[f"{at}.rejection_reason"] = [N_("give a reason for every rejected quantity")]
    for missing in sorted(set(by_id) - seen):
        errors[f"shipment_line {missing}"] = [N_("every shipped line must be received")]
    if received_at > now:
        errors["received_at"] = [N_("received_at is in the future")]
    if errors:
        raise ReceiptNotValid(errors=errors)


def _write(session, shipment, lines, received_at, now, actor) -> Receipt:
    receipt = Receipt(
        shipment=shipment,
        hospital_id=shipment.order.hospital_id,
        received_at=received_at,
        accepted_at=now,
        recorded_by_user_id=actor.user_id,
    )
    session.add(receipt)
    by_id = {line.id: line for line in shipment.lines}
    delta: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for got in lines:
        sline = by_id[got.shipment_line_id]
        oline = sline.order_line
        oline.accepted_quantity += got.accepted_quantity
        oline.rejected_quantity += got.rejected_quantity
        if oline.contract_id is not None:
            delta[oline.contract_id][0] += got.accepted_quantity
            delta[oline.contract_id][1] += got.rejected_quantity
        receipt.lines.append(
            ReceiptLine(
                shipment_line=sline,
                order_line=oline,
                contract_id=oline.contract_id,
                hospital_id=shipment.order.hospital_id,
                manufacturer_id=oline.manufacturer_id,
                accepted_quantity=got.accepted_quantity,
                rejected_quantity=got.rejected_quantity,
                rejection_reason=(got.rejection_reason or "").strip() or None,
                unit_price=oline.unit_price,
                currency=oline.currency,
                accepted_amount=line_total(got.accepted_quantity, oline.unit_price),
                received_at=received_at,
                accepted_at=now,
            )
        )
    shipment.received_at = received_at
    if delta:
        lock_volumes(session, delta, now)
        table = ContractVolume.__table__
        session.execute(
            update(table)
            .where(table.c.contract_id == bindparam("cid"))
            .values(
                accepted=table.c.accepted + bindparam("a"),
                rejected=table.c.rejected + bindparam("r"),
                updated_at=now,
            ),
            [{"cid": cid, "a": a, "r": r} for cid, (a, r) in sorted(delta.items())],
        )
    session.flush()
    return receipt


def get_receipt(session: Session, *, shipment_id: int, now: datetime, actor: Actor) -> Receipt:
    """The receipt of a shipment the actor may see."""
    shipment = get_shipment(session, shipment_id=shipment_id, now=now, actor=actor)
    receipt = session.scalar(select(Receipt).where(Receipt.shipment_id == shipment.id))
    if receipt is None:
        raise ReceiptNotFound(shipment_number=shipment.number)
    return receipt
