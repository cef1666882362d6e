"""Pages: the hospital's contracts with progress, quick order, open orders and receiving; the
supplier's (manufacturer or distributor) incoming orders, confirm/reject, shipping, upload."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import OrgKind
from procurement.catalog.tabular import TableError, read_table
from procurement.contracts import services as contracts
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.orders import services
from procurement.orders.models import OrderLine, PurchaseOrder
from procurement.web.auth import page_actor, portal_required
from procurement.web.fieldnames import field_label
from procurement.web.pages import add_nav, set_portal_home
from procurement.web.session import get_session, now

bp = Blueprint("orders_pages", __name__, template_folder="templates")
HOSPITAL = portal_required(OrgKind.HOSPITAL)
SUPPLIER = portal_required(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR)
OPEN = ("placed", "confirmed", "partly_shipped", "shipped", "received")
IMPORT_COLUMNS = (
    "order_number",
    "line_no",
    "quantity",
    "batch_no",
    "production_date",
    "expiry_date",
)

add_nav(OrgKind.HOSPITAL, _l("Order"), "orders_pages.hospital_contracts", order=45)
add_nav(OrgKind.HOSPITAL, _l("My orders"), "orders_pages.hospital_orders", order=46)
add_nav(OrgKind.MANUFACTURER, _l("Incoming orders"), "orders_pages.supplier_orders", order=45)
add_nav(OrgKind.DISTRIBUTOR, _l("Incoming orders"), "orders_pages.supplier_orders", order=45)
set_portal_home(OrgKind.DISTRIBUTOR, "orders_pages.supplier_orders")


def _refused(error: DomainError) -> None:
    get_session().rollback()
    fields = error.extra.get("errors") or {}
    details = "; ".join(f"{field_label(k)}: {', '.join(v)}" for k, v in fields.items())
    flash(f"{error.detail} {details}".strip(), "error")


@bp.get("/hospital/orders/new")
@HOSPITAL
def hospital_contracts():
    """Active contracts with remaining volume and progress; a quick order form per contract."""
    session, actor, query = get_session(), page_actor(), request.args.get("q", "").strip()
    today = business_date(now())
    mine = [
        c
        for c in contracts.list_contracts(session, actor=actor, status="active")
        if c.period_start <= today <= c.period_end
    ]
    if query:
        mine = [c for c in mine if query.lower() in c.lot.generic_name.lower()]
    volumes = services.volumes_of(session, mine)
    last = session.scalar(
        select(PurchaseOrder)
        .where(PurchaseOrder.hospital_id == actor.org_id)
        .order_by(PurchaseOrder.placed_at.desc(), PurchaseOrder.id.desc())
        .limit(1)
    )
    return render_template(
        "orders/hospital_contracts.html",
        contracts=mine,
        volumes=volumes,
        q=query,
        last=last,
        today=today,
    )


@bp.post("/hospital/orders")
@HOSPITAL
def place():
    """Quick order: packs per contract from the form (contract_<id> fields)."""
    lines = [
        services.LineRequest(packs=int(value), contract_id=int(name.removeprefix("packs_")))
        for name, value in request.form.items()
        if name.startswith("packs_")
        and value.strip() not in ("", "0")
        and value.strip().lstrip("-").isdigit()
    ]
    wanted = request.form.get("wanted_by") or None
    order = services.OrderRequest(
        lines=lines,
        wanted_by=date.fromisoformat(wanted) if wanted else None,
        delivery_address=request.form.get("delivery_address", ""),
        emergency=bool(request.form.get("emergency")),
    )
    try:
        placed = services.place_order(
            get_session(),
            request=order,
            now=now(),
            actor=page_actor(),
            idempotency_key=request.form.get("form_key") or None,
        )
    except DomainError as error:
        _refused(error)
        return redirect(url_for(".hospital_contracts"))
    flash(_("Order %(n)s placed.", n=placed.body["number"]), "success")
    return redirect(url_for(".hospital_orders"))


@bp.post("/hospital/orders/repeat")
@HOSPITAL
def repeat_last():
    """Place the last order again (its contract lines, same packs)."""
    session, actor = get_session(), page_actor()
    last = services.list_orders(session, now=now(), actor=actor, limit=1)
    lines = [
        services.LineRequest(packs=ln.packs, contract_id=ln.contract_id)
        for order in last
        for ln in order.lines
        if ln.contract_id is not None
    ]
    try:
        placed = services.place_order(
            session, request=services.OrderRequest(lines=lines), now=now(), actor=actor
        )
    except DomainError as error:
        _refused(error)
        return redirect(url_for(".hospital_contracts"))
    flash(_("Order %(n)s placed.", n=placed.body["number"]), "success")
    return redirect(url_for(".hospital_orders"))


@bp.get("/hospital/orders")
@HOSPITAL
def hospital_orders():
    """Open orders and their shipments waiting for receipt."""
    rows = services.list_orders(get_session(), now=now(), actor=page_actor())
    return render_template("orders/hospital_orders.html", orders=rows, open_states=OPEN)


@bp.post("/hospital/orders/<int:order_id>/cancel")
@HOSPITAL
def cancel(order_id: int):
    try:
        services.cancel_order(get_session(), order_id=order_id, now=now(), actor=page_actor())
        flash(_("Order cancelled."), "success")
    except DomainError as error:
        _refused(error)
    return redirect(url_for(".hospital_orders"))


@bp.route("/hospital/shipments/<int:shipment_id>/receive", methods=["GET", "POST"])
@HOSPITAL
def receive(shipment_id: int):
    """Receiving check (入库验收): accepted and rejected per shipment line."""
    session, actor = get_session(), page_actor()
    shipment = services.get_shipment(session, shipment_id=shipment_id, now=now(), actor=actor)
    if request.method == "POST":
        form = request.form
        lines = [
            services.ReceiveLine(
                line.id,
                _int(form.get(f"accepted_{line.id}")),
                _int(form.get(f"rejected_{line.id}")),
                form.get(f"reason_{line.id}") or None,
            )
            for line in shipment.lines
        ]
        try:
            services.record_receipt(
                session, shipment_id=shipment_id, lines=lines, now=now(), actor=actor
            )
        except DomainError as error:
            _refused(error)
            return redirect(url_for(".receive", shipment_id=shipment_id))
        flash(_("Receipt recorded."), "success")
        return redirect(url_for(".hospital_orders"))
    return render_template("orders/receive.html", shipment=shipment)


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return -1


@bp.get("/supplier/orders")
@SUPPLIER
def supplier_orders():
    """Incoming orders, by region (province) if chosen."""
    region = request.args.get("region") or None
    rows = services.list_orders(get_session(), now=now(), actor=page_actor(), region_code=region)
    regions = sorted({o.province_code for o in rows})
    return render_template(
        "orders/supplier_orders.html",
        orders=rows,
        region=region,
        regions=regions,
        today=business_date(now()),
    )


@bp.post("/supplier/orders/<int:order_id>/<any(confirm, reject):step>")
@SUPPLIER
def supplier_step(order_id: int, step: str):
    session, actor = get_session(), page_actor()
    try:
        if step == "confirm":
            services.confirm_order(session, order_id=order_id, now=now(), actor=actor)
        else:
            services.reject_order(
                session,
                order_id=order_id,
                now=now(),
                actor=actor,
                reason=request.form.get("reason", ""),
            )
        flash(_("Order updated."), "success")
    except DomainError as error:
        _refused(error)
    return redirect(url_for(".supplier_orders"))


@bp.post("/supplier/orders/<int:order_id>/ship")
@SUPPLIER
def ship(order_id: int):
    """Ship every line's quantity from the form (quantity_<line id>), one batch per line."""
    session, actor, form = get_session(), page_actor(), request.form
    ids = session.scalars(select(OrderLine.id).where(OrderLine.order_id == order_id)).all()
    try:
        lines = [
            services.ShipLine(
                i,
                _int(form.get(f"quantity_{i}")),
                form.get(f"batch_{i}", ""),
                date.fromisoformat(form.get(f"produced_{i}", "")),
                date.fromisoformat(form.get(f"expires_{i}", "")),
            )
            for i in ids
            if _int(form.get(f"quantity_{i}")) != 0
        ]
        services.create_shipment(session, order_id=order_id, lines=lines, now=now(), actor=actor)
        flash(_("Shipment recorded."), "success")
    except ValueError:
        flash(_("Give production and expiry dates as YYYY-MM-DD."), "error")
    except DomainError as error:
        _refused(error)
    return redirect(url_for(".supplier_orders"))


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
        _refused(error)
    return redirect(url_for(".supplier_orders"))
