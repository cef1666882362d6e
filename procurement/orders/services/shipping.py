"""Shipments: the supplier ships (part of) a confirmed order, with batch numbers and dates; a
CSV/XLSX upload of shipment lines; reading shipments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.core.clock import business_date
from procurement.core.messages import N_, Message
from procurement.events.types import EventType
from procurement.orders.errors import (
    ShipmentNotFound,
    ShipmentNotValid,
    ShipmentUploadNotValid,
    UploadLineNotFound,
    UploadOrderNotFound,
)
from procurement.orders.models import (
    ContractVolume,
    OrderStatus,
    PurchaseOrder,
    Shipment,
    ShipmentLine,
)
from procurement.orders.services.common import (
    load_for_supplier,
    load_order,
    lock_volumes,
    new_number,
    order_scope,
    require_state,
    require_supplier,
)
from procurement.orders.services.outbox import record_order_event


@dataclass(frozen=True)
class ShipLine:
    order_line_id: int
    quantity: int  # smallest units, whole packs
    batch_no: str
    production_date: date
    expiry_date: date


def create_shipment(
    session: Session, *, order_id: int, lines: list[ShipLine], now: datetime, actor: Actor
) -> Shipment:
    """Ship lines of a confirmed order (its manufacturer or appointed distributor). Refuses
    shipping more than is still open, broken pack multiples and expired or dateless batches."""
    shipment = _ship(session, order_id, lines, now, actor)
    session.commit()
    return shipment


def _ship(
    session: Session, order_id: int, lines: list[ShipLine], now: datetime, actor: Actor
) -> Shipment:
    order = load_for_supplier(session, order_id, actor, now)
    require_supplier(order, actor, "ship this order")
    require_state(order, "ship")
    by_id = {line.id: line for line in order.lines}
    _check_lines(lines, by_id, business_date(now))
    shipment = Shipment(
        number=new_number("SH", now),
        order=order,
        shipper_id=actor.org_id,
        shipped_at=now,
        created_by_user_id=actor.user_id,
    )
    session.add(shipment)
    delta: dict[int, int] = defaultdict(int)
    for ship in lines:
        line = by_id[ship.order_line_id]
        line.shipped_quantity += ship.quantity
        if line.contract_id is not None:
            delta[line.contract_id] += ship.quantity
        shipment.lines.append(
            ShipmentLine(
                order_line=line,
                quantity=ship.quantity,
                batch_no=ship.batch_no.strip(),
                production_date=ship.production_date,
                expiry_date=ship.expiry_date,
            )
        )
    _add_shipped(session, delta, now)
    done = all(line.shipped_quantity == line.quantity for line in order.lines)
    order.status = OrderStatus.SHIPPED if done else OrderStatus.PARTLY_SHIPPED
    order.first_shipped_at = order.first_shipped_at or now
    order.shipped_at, order.updated_at = (now if done else None), now
    session.flush()
    record_order_event(session, EventType.ORDER_SHIPPED, order, now, shipment=shipment)
    record(
        session,
        action="orders.shipped",
        subject_type="shipment",
        subject_id=shipment.id,
        now=now,
        actor=actor,
        payload={
            "order": order.number,
            "shipment": shipment.number,
            "quantity": sum(s.quantity for s in lines),
        },
    )
    return shipment


def _check_lines(lines: list[ShipLine], by_id: dict, today: date) -> None:
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = [N_("a shipment needs at least one line")]
    wanted: dict[int, int] = defaultdict(int)
    for i, ship in enumerate(lines):
        line, at = by_id.get(ship.order_line_id), f"lines.{i}"
        if line is None:
            errors[f"{at}.order_line_id"] = [
                Message(
                    "{order_line_id} is not a line of this order", order_line_id=ship.order_line_id
                )
            ]
            continue
        wanted[line.id] += ship.quantity
        if ship.quantity <= 0:
            errors[f"{at}.quantity"] = [N_("ship a positive quantity")]
        elif ship.quantity % line.pack_size:
            errors[f"{at}.quantity"] = [
                Message(
                    "{quantity} is not whole packs of {pack_size}",
                    quantity=ship.quantity,
                    pack_size=line.pack_size,
                )
            ]
        elif wanted[line.id] > line.open_quantity:
            errors[f"{at}.quantity"] = [
                Message(
                    "{value} exceeds the {open_quantity} still to ship on line {line_no} "
                    "(ordered {quantity}, shipped {shipped_quantity})",
                    value=wanted[line.id],
                    open_quantity=line.open_quantity,
                    line_no=line.line_no,
                    quantity=line.quantity,
                    shipped_quantity=line.shipped_quantity,
                )
            ]
        if not ship.batch_no.strip():
            errors[f"{at}.batch_no"] = [N_("every line needs a batch number (traceability)")]
        if ship.production_date > today:
            errors[f"{at}.production_date"] = [
                Message("{production_date} is in the future", production_date=ship.production_date)
            ]
        if ship.expiry_date <= today:
            errors[f"{at}.expiry_date"] = [
                Message(
                    "batch expired on {expiry_date}; ship a valid one", expiry_date=ship.expiry_date
                )
            ]
        elif ship.expiry_date <= ship.production_date:
            errors[f"{at}.expiry_date"] = [N_("expiry must come after production")]
    if errors:
        raise ShipmentNotValid(errors=errors)


def _add_shipped(session: Session, delta: dict[int, int], now: datetime) -> None:
    if not delta:
        return
    lock_volumes(session, delta, now)
    table = ContractVolume.__table__
    session.execute(
        update(table)
        .where(table.c.contract_id == bindparam("cid"))
        .values(shipped=table.c.shipped + bindparam("q"), updated_at=now),
        [{"cid": cid, "q": q} for cid, q in sorted(delta.items())],
    )


def import_shipments(
    session: Session, *, rows: list[tuple[int, dict[str, str]]], now: datetime, actor: Actor
) -> list[Shipment]:
    """Shipment lines from an upload (columns order_number, line_no, quantity, batch_no,
    production_date, expiry_date): one shipment per order, all or nothing."""
    actor.require(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR, write=True, action="ship orders")
    grouped, errors = _parse_rows(rows)
    if errors:
        raise ShipmentUploadNotValid(errors=errors)
    shipments = []
    for number, items in grouped.items():
        order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == number))
        if order is None:
            raise UploadOrderNotFound(
                errors={f"row {items[0][0]}: order_number": [N_("unknown order")]}, number=number
            )
        by_no = {line.line_no: line.id for line in order.lines}
        lines = []
        for row_no, line_no, ship in items:
            if line_no not in by_no:
                raise UploadLineNotFound(
                    errors={f"row {row_no}: line_no": [N_("no such line")]},
                    number=number,
                    line_no=line_no,
                )
            lines.append(ShipLine(by_no[line_no], *ship))
        shipments.append(_ship(session, order.id, lines, now, actor))
    session.commit()
    return shipments


def _parse_rows(rows):
    grouped: dict[str, list] = defaultdict(list)
    errors: dict[str, list[str]] = {}
    for row_no, cells in rows:
        try:
            line_no, quantity = int(cells["line_no"]), int(cells["quantity"])
            produced = date.fromisoformat(cells["production_date"])
            expires = date.fromisoformat(cells["expiry_date"])
        except (KeyError, ValueError) as error:
            errors[f"row {row_no}"] = [Message("unreadable row: {error}", error=error)]
            continue
        grouped[cells["order_number"]].append(
            (row_no, line_no, (quantity, cells.get("batch_no", ""), produced, expires))
        )
    return grouped, errors


def get_shipment(session: Session, *, shipment_id: int, now: datetime, actor: Actor) -> Shipment:
    """One shipment the actor may see (through its order)."""
    query = order_scope(
        select(Shipment).join(PurchaseOrder, PurchaseOrder.id == Shipment.order_id),
        actor,
        business_date(now),
    ).where(Shipment.id == shipment_id)
    shipment = session.scalar(query)
    if shipment is None:
        raise ShipmentNotFound(shipment_id=shipment_id)
    return shipment


def list_shipments(
    session: Session, *, order_id: int, now: datetime, actor: Actor
) -> list[Shipment]:
    """The shipments of an order the actor may see."""
    order = load_order(session, order_id, actor, now=now)
    return list(order.shipments)
