"""Pages both sides share: an order's page and a shipment's page (each side sees only its own,
another organization's is not found), and the printable delivery note (配送单) and receipt note
(验收单)."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.models import OrgKind
from procurement.core.clock import business_date
from procurement.core.money import line_total
from procurement.orders import queries
from procurement.orders.errors import ReceiptNotFound
from procurement.orders.pages import PARTIES, bp, payables_of
from procurement.orders.schemas import ReasonSchema, ShipmentInSchema
from procurement.web.auth import page_actor
from procurement.web.forms import PageForm
from procurement.web.session import get_session, now

ROWS_PER_TABLE = 100  # a long order's lines are shown in tables of at most this many rows


def _today():
    return business_date(now())


def ship_initial(order) -> dict[str, Any]:
    """The shipping form pre-filled with every open quantity (the batch is the shipper's)."""
    initial: dict[str, Any] = {}
    for i, line in enumerate(order.lines):
        if line.open_quantity:
            initial |= {
                f"lines.{i}.order_line_id": line.id,
                f"lines.{i}.quantity": line.open_quantity,
            }
    return initial


def order_page(order_id: int, side: str, forms: dict[str, PageForm] | None = None):
    """An order's page; ``forms`` are the step forms re-shown with errors (status 422)."""
    session = get_session()
    order = queries.one_order(session, order_id, page_actor(), _today())
    receipt_lines = [
        line.id for s in order.shipments if s.receipt is not None for line in s.receipt.lines
    ]
    shown = {
        "cancel": PageForm(ReasonSchema()),
        "close": PageForm(ReasonSchema()),
        "reject": PageForm(ReasonSchema()),
        "ship": PageForm(ShipmentInSchema(), initial=ship_initial(order)),
    }
    if forms:
        shown |= forms
    status = 422 if forms and any(f.errors for f in forms.values()) else 200
    return render_template(
        "orders/order.html",
        order=order,
        side=side,
        forms=shown,
        today=_today(),
        timeline=queries.timeline(order),
        payables=payables_of(session, receipt_lines),
        rows_per_table=ROWS_PER_TABLE,
    ), status


def shipment_page(shipment_id: int, side: str):
    shipment = queries.one_shipment(get_session(), shipment_id, page_actor(), _today())
    return render_template(
        "orders/shipment.html", shipment=shipment, side=side, rows_per_table=ROWS_PER_TABLE
    )


def _side() -> str:
    return "hospital" if current_user.actor.org_kind == OrgKind.HOSPITAL else "supplier"


def _print(documents: list[tuple[str, Any]], title: str, back: str):
    amounts = {
        line.id: line_total(line.quantity, line.order_line.unit_price)
        for _kind, shipment in documents
        for line in shipment.lines
    }
    return render_template(
        "orders/print.html", documents=documents, amounts=amounts, title=title, back=back
    )


def _back(shipment) -> str:
    return url_for(f".{_side()}_shipment", shipment_id=shipment.id)


@bp.get("/shipments/<int:shipment_id>/delivery-note")
@PARTIES
def delivery_note(shipment_id: int):
    """The delivery note (配送单) of a shipment, ready to print."""
    shipment = queries.one_shipment(get_session(), shipment_id, page_actor(), _today())
    return _print(
        [("delivery", shipment)], _("Delivery note %(n)s", n=shipment.number), _back(shipment)
    )


@bp.get("/shipments/<int:shipment_id>/receipt-note")
@PARTIES
def receipt_note(shipment_id: int):
    """The receipt note (验收单) of a received shipment, ready to print (404 before receipt)."""
    shipment = queries.one_shipment(get_session(), shipment_id, page_actor(), _today())
    if shipment.receipt is None:
        raise ReceiptNotFound(shipment_number=shipment.number)
    return _print(
        [("receipt", shipment)], _("Receipt note %(n)s", n=shipment.number), _back(shipment)
    )


@bp.get("/orders/<int:order_id>/documents")
@PARTIES
def order_documents(order_id: int):
    """Every delivery note and receipt note of an order, one a page."""
    order = queries.one_order(get_session(), order_id, page_actor(), _today())
    documents = []
    for shipment in order.shipments:
        documents.append(("delivery", shipment))
        if shipment.receipt is not None:
            documents.append(("receipt", shipment))
    back = url_for(f".{_side()}_order", order_id=order.id)
    return _print(documents, _("Documents of order %(n)s", n=order.number), back)
