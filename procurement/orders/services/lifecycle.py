"""Order steps after placing: confirm, reject (with a supply alert), cancel, close; reading."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.core.clock import business_date
from procurement.core.messages import N_
from procurement.events.types import EventType
from procurement.orders.errors import RejectionReasonMissing
from procurement.orders.models import (
    ContractVolume,
    OrderStatus,
    PurchaseOrder,
    SupplyAlert,
    SupplyAlertKind,
)
from procurement.orders.services.common import (
    load_for_supplier,
    load_order,
    lock_volumes,
    order_scope,
    require_hospital,
    require_state,
    require_supplier,
)
from procurement.orders.services.outbox import record_order_event


def confirm_order(session: Session, *, order_id: int, now: datetime, actor: Actor) -> PurchaseOrder:
    """Confirm an order (its manufacturer, or the distributor appointed for its region)."""
    order = load_for_supplier(session, order_id, actor, now)
    require_supplier(order, actor, "confirm this order")
    require_state(order, "confirm")
    order.status, order.confirmed_at, order.updated_at = OrderStatus.CONFIRMED, now, now
    record_order_event(session, EventType.ORDER_CONFIRMED, order, now)
    return _committed(session, order, "orders.confirmed", now=now, actor=actor)


def reject_order(
    session: Session, *, order_id: int, reason: str, now: datetime, actor: Actor
) -> PurchaseOrder:
    """Reject an order with a reason (supplier side). Releases its volume and raises a supply
    alert (order_rejected) for compliance."""
    reason = (reason or "").strip()
    order = load_for_supplier(session, order_id, actor, now)
    require_supplier(order, actor, "reject this order")
    if not reason:
        raise RejectionReasonMissing(errors={"reason": [N_("a rejection needs a reason")]})
    require_state(order, "reject")
    _release(session, order, now)
    order.status, order.rejected_at, order.rejection_reason = OrderStatus.REJECTED, now, reason
    order.updated_at = now
    session.add(
        SupplyAlert(
            kind=SupplyAlertKind.ORDER_REJECTED,
            order_id=order.id,
            hospital_id=order.hospital_id,
            manufacturer_id=order.manufacturer_id,
            region_code=order.region_code,
            detail=f"Order {order.number} rejected: {reason}",
            raised_at=now,
        )
    )
    return _committed(session, order, "orders.rejected", now=now, actor=actor, reason=reason)


def cancel_order(
    session: Session, *, order_id: int, reason: str = "", now: datetime, actor: Actor
) -> PurchaseOrder:
    """Cancel an order before the supplier confirms it (the hospital). Releases its volume."""
    order = load_order(session, order_id, actor, now=now, lock=True)
    require_hospital(order, actor, "cancel this order")
    require_state(order, "cancel")
    _release(session, order, now)
    order.status, order.cancelled_at, order.updated_at = OrderStatus.CANCELLED, now, now
    order.cancel_reason = (reason or "").strip() or None
    return _committed(session, order, "orders.cancelled", now=now, actor=actor)


def close_order(session: Session, *, order_id: int, now: datetime, actor: Actor) -> PurchaseOrder:
    """Close a received order (the hospital): nothing more is expected on it."""
    order = load_order(session, order_id, actor, now=now, lock=True)
    require_hospital(order, actor, "close this order")
    require_state(order, "close")
    order.status, order.closed_at, order.updated_at = OrderStatus.CLOSED, now, now
    return _committed(session, order, "orders.closed", now=now, actor=actor)


def _committed(
    session: Session, order: PurchaseOrder, action: str, *, now: datetime, actor: Actor, **extra
) -> PurchaseOrder:
    """Record an order's step in the audit trail (its number, and ``extra``) and commit it."""
    record(
        session,
        action=action,
        subject_type="purchase_order",
        subject_id=order.id,
        now=now,
        actor=actor,
        payload={"number": order.number, **extra},
    )
    session.commit()
    return order


def _release(session: Session, order: PurchaseOrder, now: datetime) -> None:
    """Take the order's quantities back out of its contracts' volumes (under the row locks)."""
    delta: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line in order.lines:
        if line.contract_id is not None:
            delta[line.contract_id][0] += line.quantity
            delta[line.contract_id][1] += line.beyond_agreed_quantity
    if not delta:
        return
    lock_volumes(session, delta, now)
    table = ContractVolume.__table__
    session.execute(
        update(table)
        .where(table.c.contract_id == bindparam("cid"))
        .values(
            ordered=table.c.ordered - bindparam("q"),
            beyond_agreed=table.c.beyond_agreed - bindparam("b"),
            updated_at=now,
        ),
        [{"cid": cid, "q": q, "b": b} for cid, (q, b) in sorted(delta.items())],
    )


def get_order(session: Session, *, order_id: int, now: datetime, actor: Actor) -> PurchaseOrder:
    """One order the actor may see (404 otherwise)."""
    return load_order(session, order_id, actor, now=now)


def list_orders(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    status: str | None = None,
    region_code: str | None = None,
    limit: int = 200,
) -> list[PurchaseOrder]:
    """Orders the actor may see, newest first: a hospital its own, a manufacturer those to it,
    a distributor those of its appointed regions, the regulator and the fund all."""
    query = order_scope(select(PurchaseOrder), actor, business_date(now))
    if status:
        query = query.where(PurchaseOrder.status == status)
    if region_code:
        query = query.where(PurchaseOrder.province_code == region_code[:2] + "0000")
    query = query.options(selectinload(PurchaseOrder.lines)).order_by(
        PurchaseOrder.placed_at.desc(), PurchaseOrder.id.desc()
    )
    return list(session.scalars(query.limit(limit)))
