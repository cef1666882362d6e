"""The supplier's (manufacturer or distributor) order pages: incoming orders (all of them, 50 a
page), an order's page with confirm, reject (with a reason) and ship, shipments, upload."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from procurement.catalog.tabular import TableError, read_table
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.orders import queries, services
from procurement.orders.pages import SUPPLIER, bp, filled, refuse_rows, validate_rows
from procurement.orders.pages import lists as L
from procurement.orders.pages.documents import order_page, shipment_page
from procurement.orders.schemas import ReasonSchema, ShipmentInSchema
from procurement.web.auth import page_actor
from procurement.web.forms import PageForm
from procurement.web.session import get_session, now

IMPORT_COLUMNS = (
    "order_number",
    "line_no",
    "quantity",
    "batch_no",
    "production_date",
    "expiry_date",
)


def _today():
    return business_date(now())


@bp.get("/supplier/orders")
@SUPPLIER
def supplier_orders():
    """Incoming orders: by status (pending = still to confirm or ship), drug, hospital, region
    and date; search by number or drug; 50 a page with the total."""
    page = L.SUPPLIER_ORDERS.paginate(get_session(), queries.orders(page_actor(), _today()))
    return render_template("orders/orders.html", page=page, side="supplier")


@bp.get("/supplier/orders/<int:order_id>")
@SUPPLIER
def supplier_order(order_id: int):
    """One incoming order: lines by drug, deadlines, confirm/reject/ship, shipments."""
    return order_page(order_id, "supplier")


@bp.post("/supplier/orders/<int:order_id>/<any(confirm, reject):step>")
@SUPPLIER
def supplier_step(order_id: int, step: str):
    """Confirm the order, or reject it with a reason (the hospital and regulator see it)."""
    form = PageForm(ReasonSchema())
    if not form.validate():
        return order_page(order_id, "supplier", forms={step: form})
    session, actor = get_session(), page_actor()
    try:
        if step == "confirm":
            services.confirm_order(session, order_id=order_id, now=now(), actor=actor)
        else:
            services.reject_order(
                session, order_id=order_id, now=now(), actor=actor, reason=form.data["reason"]
            )
    except DomainError as error:
        form.refuse(error)
        return order_page(order_id, "supplier", forms={step: form})
    flash(_("Order confirmed.") if step == "confirm" else _("Order rejected."), "success")
    return redirect(url_for(".supplier_order", order_id=order_id))


@bp.post("/supplier/orders/<int:order_id>/ship")
@SUPPLIER
def ship(order_id: int):
    """Ship the lines given a quantity, each with its batch number and dates."""
    form = PageForm(ShipmentInSchema())
    rows = filled(form, "quantity")
    if not rows:
        form.errors = {"_form": [_("Enter a quantity to ship on at least one line.")]}
        return order_page(order_id, "supplier", forms={"ship": form})
    if not validate_rows(form, rows, ()):
        return order_page(order_id, "supplier", forms={"ship": form})
    lines = [services.ShipLine(**line) for line in form.data["lines"]]
    try:
        shipment = services.create_shipment(
            get_session(), order_id=order_id, lines=lines, now=now(), actor=page_actor()
        )
    except DomainError as error:
        refuse_rows(form, error, rows, ())
        return order_page(order_id, "supplier", forms={"ship": form})
    flash(_("Shipment %(n)s recorded.", n=shipment.number), "success")
    return redirect(url_for(".supplier_shipment", shipment_id=shipment.id))


@bp.get("/supplier/shipments")
@SUPPLIER
def supplier_shipments():
    """Shipments made on the supplier's orders: by receipt state (rejections), date, hospital."""
    page = L.SUPPLIER_SHIPMENTS.paginate(get_session(), queries.shipments(page_actor(), _today()))
    return render_template("orders/shipments.html", page=page, side="supplier")


@bp.get("/supplier/shipments/<int:shipment_id>")
@SUPPLIER
def supplier_shipment(shipment_id: int):
    return shipment_page(shipment_id, "supplier")


@bp.post("/supplier/shipments/upload")
@SUPPLIER
def upload():
    """Shipment lines from a CSV/XLSX upload; all or nothing."""
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise TableError([])
        table = read_table(upload.filename, upload.read(), required=IMPORT_COLUMNS)
        made = services.import_shipments(
            get_session(), rows=table.rows, now=now(), actor=page_actor()
        )
        flash(_("%(n)s shipments imported.", n=len(made)), "success")
    except TableError as error:
        flash(
            "; ".join(f"{e.key}: {e.message}" for e in error.errors) or _("Choose a file."), "error"
        )
    except DomainError as error:
        get_session().rollback()
        fields = error.extra.get("errors") or {}
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in fields.items())
        flash(f"{error.detail} {details}".strip(), "error")
    return redirect(url_for(".supplier_orders"))
