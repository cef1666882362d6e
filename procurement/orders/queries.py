"""Read-side selects of the order pages: orders and shipments an actor may see (for the list
helper), one order or shipment with everything its page shows, its timeline, and the counts of
the portal to-do lists. Visibility is the services' (``order_scope``): another organization's
order or shipment is not found, as in the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from procurement.auth.actor import Actor
from procurement.auth.models import Organization
from procurement.catalog.models import Product
from procurement.orders.errors import OrderNotFound, ShipmentNotFound
from procurement.orders.models import (
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    Receipt,
    ReceiptLine,
    Shipment,
    ShipmentLine,
)
from procurement.orders.services.common import order_scope

# "Pending" means still moving: placed, confirmed or partly shipped (not shipped, received,
# closed, cancelled or rejected).
PENDING = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED)
TO_SHIP = (OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED)


def like(text: str) -> str:
    """A LIKE pattern that matches ``text`` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def orders(actor: Actor, today: date) -> Select:
    """The orders the actor may see (a select for the list helper)."""
    return order_scope(
        select(PurchaseOrder).options(
            selectinload(PurchaseOrder.lines).selectinload(OrderLine.product),
            selectinload(PurchaseOrder.hospital),
        ),
        actor,
        today,
    )


def last_order(actor: Actor, today: date) -> Select:
    """The actor's most recent order (for "repeat last order")."""
    newest = (PurchaseOrder.placed_at.desc(), PurchaseOrder.id.desc())
    return order_scope(select(PurchaseOrder), actor, today).order_by(*newest).limit(1)


def order_has_drug(text: str) -> Any:
    """The order has a line whose drug's generic or trade name contains ``text``."""
    pattern = like(text)
    return exists(
        select(OrderLine.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(
            OrderLine.order_id == PurchaseOrder.id,
            or_(
                Product.generic_name.like(pattern, escape="\\"),
                Product.trade_name.like(pattern, escape="\\"),
            ),
        )
    )


def order_number_or_drug(text: str) -> Any:
    return or_(PurchaseOrder.number.like(like(text), escape="\\"), order_has_drug(text))


def hospital_named(text: str) -> Any:
    return PurchaseOrder.hospital_id.in_(
        select(Organization.id).where(Organization.name.like(like(text), escape="\\"))
    )


def shipments(actor: Actor, today: date) -> Select:
    """The shipments the actor may see, through their orders."""
    return order_scope(
        select(Shipment)
        .join(PurchaseOrder, PurchaseOrder.id == Shipment.order_id)
        .options(
            selectinload(Shipment.order).selectinload(PurchaseOrder.hospital),
            selectinload(Shipment.lines)
            .selectinload(ShipmentLine.order_line)
            .selectinload(OrderLine.product),
            selectinload(Shipment.receipt).selectinload(Receipt.lines),
        ),
        actor,
        today,
    )


def shipment_search(text: str) -> Any:
    """Shipment number, order number, batch number or drug name."""
    pattern = like(text)
    return or_(
        Shipment.number.like(pattern, escape="\\"),
        PurchaseOrder.number.like(pattern, escape="\\"),
        exists(
            select(ShipmentLine.id).where(
                ShipmentLine.shipment_id == Shipment.id,
                ShipmentLine.batch_no.like(pattern, escape="\\"),
            )
        ),
        order_has_drug(text),
    )


def shipment_has_rejections() -> Any:
    return exists(
        select(ReceiptLine.id)
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(Receipt.shipment_id == Shipment.id, ReceiptLine.rejected_quantity > 0)
    )


def scanned_shipments(session: Session, actor: Actor, today: date, code: str) -> list[Shipment]:
    """Shipments a scanned code names: the shipment's number, or a batch number in it."""
    code = code.strip()
    query = shipments(actor, today).where(
        or_(
            Shipment.number == code,
            exists(
                select(ShipmentLine.id).where(
                    ShipmentLine.shipment_id == Shipment.id, ShipmentLine.batch_no == code
                )
            ),
        )
    )
    return list(session.scalars(query.order_by(Shipment.id.desc()).limit(2)))


def order_regions(session: Session, actor: Actor, today: date) -> list[str]:
    """The provinces of the orders the actor may see (for the region filter)."""
    query = order_scope(select(PurchaseOrder.province_code).distinct(), actor, today)
    return sorted(session.scalars(query))


def order_drugs(session: Session, actor: Actor, today: date) -> list[str]:
    """The generic names ordered in the orders the actor may see (for the drug filter)."""
    seen = order_scope(select(PurchaseOrder.id), actor, today)
    query = (
        select(Product.generic_name)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .where(OrderLine.order_id.in_(seen))
        .distinct()
    )
    return sorted(session.scalars(query))


def drug_is(name: str) -> Any:
    return exists(
        select(OrderLine.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == PurchaseOrder.id, Product.generic_name == name)
    )


def one_order(session: Session, order_id: int, actor: Actor, today: date) -> PurchaseOrder:
    """One order with its lines, drugs, shipments and receipts (404 when not the actor's)."""
    query = (
        orders(actor, today)
        .where(PurchaseOrder.id == order_id)
        .options(
            selectinload(PurchaseOrder.lines).selectinload(OrderLine.lot),
            selectinload(PurchaseOrder.shipments).selectinload(Shipment.lines),
            selectinload(PurchaseOrder.shipments)
            .selectinload(Shipment.receipt)
            .selectinload(Receipt.lines),
        )
    )
    order = session.scalar(query)
    if order is None:
        raise OrderNotFound(order_id=order_id)
    return order


def one_shipment(session: Session, shipment_id: int, actor: Actor, today: date) -> Shipment:
    """One shipment with its lines, drugs and receipt (404 when not the actor's)."""
    shipment = session.scalar(shipments(actor, today).where(Shipment.id == shipment_id))
    if shipment is None:
        raise ShipmentNotFound(shipment_id=shipment_id)
    return shipment


@dataclass(frozen=True)
class Event:
    """One moment of an order's life (``what`` is a key the page translates)."""

    at: datetime
    what: str
    number: str = ""
    note: str = ""
    shipment_id: int | None = None


def timeline(order: PurchaseOrder) -> list[Event]:
    """Placed, confirmed, each shipment, each receipt, received, closed, cancelled, rejected,
    in time order."""
    events = [Event(order.placed_at, "placed")]
    if order.confirmed_at:
        events.append(Event(order.confirmed_at, "confirmed"))
    for shipment in order.shipments:
        events.append(Event(shipment.shipped_at, "shipped", shipment.number, "", shipment.id))
        if shipment.receipt is not None:
            rejected = sum(line.rejected_quantity for line in shipment.receipt.lines)
            kind = "received_with_rejections" if rejected else "received"
            at = shipment.receipt.accepted_at
            events.append(Event(at, kind, shipment.number, "", shipment.id))
    for at, kind, note in (
        (order.received_at, "all_received", ""),
        (order.closed_at, "closed", ""),
        (order.cancelled_at, "cancelled", order.cancel_reason or ""),
        (order.rejected_at, "rejected", order.rejection_reason or ""),
    ):
        if at:
            events.append(Event(at, kind, note=note))
    return sorted(events, key=lambda e: e.at)


# --- to-do counts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """Orders waiting for a step, with the most urgent deadlines first."""

    count: int
    first: list[PurchaseOrder]


def due(
    session: Session, actor: Actor, today: date, statuses: tuple, deadline: Any, shown: int
) -> Due:
    query = orders(actor, today).where(PurchaseOrder.status.in_(statuses))
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    first = session.scalars(query.order_by(deadline, PurchaseOrder.id).limit(shown)).all()
    return Due(count or 0, list(first))


def shipments_to_receive(session: Session, actor: Actor, today: date) -> int:
    query = shipments(actor, today).where(Shipment.received_at.is_(None))
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def rejected_lines_since(session: Session, actor: Actor, today: date, since: datetime) -> int:
    """Receipt lines with a rejected quantity on the actor's orders, accepted since ``since``."""
    seen = order_scope(select(PurchaseOrder.id), actor, today)
    query = (
        select(func.count(ReceiptLine.id))
        .join(OrderLine, OrderLine.id == ReceiptLine.order_line_id)
        .where(
            and_(
                OrderLine.order_id.in_(seen),
                ReceiptLine.rejected_quantity > 0,
                ReceiptLine.accepted_at >= since,
            )
        )
    )
    return session.scalar(query) or 0
