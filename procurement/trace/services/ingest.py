"""Codes on a shipment line: the manufacturer or distributor that shipped it sends one file (or
list) of its packages' codes, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.core.messages import N_, Message
from procurement.orders.models import Shipment, ShipmentLine
from procurement.trace.checks import MAX_CODE_REFUSALS, Checked, check_rows
from procurement.trace.codes import LineFacts, ProductFormats
from procurement.trace.errors import (
    CodesRefused,
    LineAlreadyCoded,
    NotTheShipper,
    ShipmentLineNotFound,
)
from procurement.trace.files import CodeRow
from procurement.trace.models import ProductCodeFormat, TracePackage
from procurement.trace.services.store import Shipped, incoming


@dataclass(frozen=True)
class CodesAttached:
    shipment_line_id: int
    boxes: int
    cases: int


def attach_codes(
    session: Session, *, shipment_line_id: int, rows: list[CodeRow], now: datetime, actor: Actor
) -> CodesAttached:
    """Attach the codes of a shipment line's packages (boxes, and cases standing for them).
    Refuses codes of another product, batch or expiry, malformed ones, repeats, codes shipped
    before and a count other than the line's packs, all at once; stores nothing then."""
    actor.require(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR, action="send traceability codes")
    line = _load_line(session, shipment_line_id, actor)
    shipment, order_line = line.shipment, line.order_line
    checked = check_rows(
        rows,
        product_formats(session, order_line.product),
        LineFacts(line.batch_no, line.expiry_date),
        packs=line.quantity // order_line.pack_size,
    )
    _refuse_if_any(checked, line)
    shipped = Shipped(
        order_line.product_id,
        line.batch_no,
        line.expiry_date,
        shipment.shipper_id,
        line.id,
        now,
    )
    count, before = incoming(session).store(checked, shipped, MAX_CODE_REFUSALS)
    if count:
        rows_of = checked.rows
        for code in before:
            checked.refuse(f"row {rows_of[code]}: {code}", N_("already shipped"))
        checked.refused += count - len(before)
        _refuse_if_any(checked, line)
    record(
        session,
        action="trace.codes_attached",
        subject_type="shipment",
        subject_id=shipment.id,
        now=now,
        actor=actor,
        payload={"line": line.id, "boxes": len(checked.keys), "cases": len(checked.cases)},
    )
    try:
        session.commit()
    except IntegrityError:  # another upload stored one of these codes meanwhile
        session.rollback()
        raise CodesRefused(
            errors={"line": [N_("a code was shipped by another upload meanwhile; send again")]},
            refused=1,
            shown=1,
            line_no=line.order_line.line_no,
            shipment=shipment.number,
        ) from None
    return CodesAttached(line.id, len(checked.keys), len(checked.cases))


def _load_line(session: Session, shipment_line_id: int, actor: Actor) -> ShipmentLine:
    line = session.scalar(
        select(ShipmentLine).where(ShipmentLine.id == shipment_line_id).with_for_update()
    )
    if line is None:
        raise ShipmentLineNotFound(shipment_line_id=shipment_line_id)
    shipment: Shipment = line.shipment
    if actor.org_id not in (shipment.shipper_id, shipment.order.manufacturer_id):
        raise NotTheShipper(shipment=shipment.number)
    if session.scalar(select(exists().where(TracePackage.shipment_line_id == line.id))):
        raise LineAlreadyCoded(
            line_no=line.order_line.line_no,
            shipment=shipment.number,
            boxes=line.quantity // line.order_line.pack_size,
        )
    return line


def _refuse_if_any(checked: Checked, line: ShipmentLine) -> None:
    if checked.refused:
        raise CodesRefused(
            errors=checked.refusals,
            refused=checked.refused,
            shown=min(checked.refused, MAX_CODE_REFUSALS),
            line_no=line.order_line.line_no,
            shipment=line.shipment.number,
        )


def product_formats(session: Session, product) -> ProductFormats:
    """The code formats registered for ``product`` (none: every code is refused)."""
    formats = session.get(ProductCodeFormat, product.id)
    name = Message(
        "{name} ({approval})", name=product.generic_name, approval=product.approval_number
    )
    if formats is None:
        return ProductFormats(name)
    return ProductFormats(name, formats.prefix, formats.gtin, formats.pattern)
