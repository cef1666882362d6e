"""The hospital's order pages: find a drug and order (quick order), its orders and deliveries,
an order's page (cancel, close), and the receiving check (入库验收) with a scan field."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.services import scope
from procurement.contracts import services as contracts
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.orders import queries, services
from procurement.orders.pages import HOSPITAL, bp, filled, refuse_rows, validate_rows
from procurement.orders.pages import lists as L
from procurement.orders.pages.documents import order_page, shipment_page
from procurement.orders.schemas import OrderInSchema, ReasonSchema, ReceiptInSchema
from procurement.web.auth import page_actor
from procurement.web.forms import PageForm
from procurement.web.listing import Listing, Sort
from procurement.web.session import get_session, now

ORDER_FIELDS = ("wanted_by", "delivery_address", "emergency", "buyer_id")
CONTRACTS = Listing(
    sorts=(Sort("drug", _l("Drug"), lambda c: c.product.generic_name),),
    default_sort="drug",
)


def _today():
    return business_date(now())


def _buyer(form: PageForm):
    """(the members a county medical community orders for, the chosen buyer): the buyer is
    the actor's own organization unless the community chose a member (``buyer_id``)."""
    actor = page_actor()
    members = scope.members_of(get_session(), actor)
    wanted = form.value("buyer_id") or request.values.get("buyer_id")
    chosen = next((m for m in members if str(m.id) == str(wanted)), None)
    return members, chosen


def _contracts(query: str, buyer_id: int):
    """The buyer's contracts in force today whose drug's name contains ``query``."""
    session, actor, today = get_session(), page_actor(), _today()
    mine = [
        c
        for c in contracts.list_contracts(session, actor=actor, status="active")
        if c.period_start <= today <= c.period_end and c.hospital_id == buyer_id
    ]
    if query:
        text = query.lower()
        mine = [
            c
            for c in mine
            if text in c.product.generic_name.lower()
            or text in c.lot.generic_name.lower()
            or text in (c.product.trade_name or "").lower()
        ]
    return mine


def _quick_order(form: PageForm, status: int = 200):
    query = request.values.get("q", "").strip()
    members, chosen = _buyer(form)
    page = CONTRACTS.page_of(_contracts(query, chosen.id if chosen else page_actor().org_id))
    volumes = services.volumes_of(get_session(), page.items)
    return render_template(
        "orders/quick_order.html",
        page=page,
        volumes=volumes,
        q=query,
        form=form,
        today=_today(),
        members=members,
        buyer=chosen,
    ), status


@bp.get("/hospital/orders/new")
@HOSPITAL
def hospital_contracts():
    """Find a drug among the contracts in force (generic name, Chinese) and order packs of it."""
    return _quick_order(PageForm(OrderInSchema()))


@bp.post("/hospital/orders")
@HOSPITAL
def place():
    """Quick order: packs per contract; the page keeps what was typed after an error."""
    form = PageForm(OrderInSchema())
    rows = filled(form, "packs")
    if not rows:
        form.errors = {"_form": [_("Enter the number of packs for at least one drug.")]}
        return _quick_order(form, 422)
    if not validate_rows(form, rows, ORDER_FIELDS):
        return _quick_order(form, 422)
    data = form.data
    order = services.OrderRequest(
        lines=[services.LineRequest(**line) for line in data.pop("lines")], **data
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
        refuse_rows(form, error, rows, ORDER_FIELDS)
        return _quick_order(form, 422)
    flash(_("Order %(n)s placed.", n=placed.body["number"]), "success")
    return redirect(url_for(".hospital_order", order_id=placed.order_id))


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
    buyer_id = last[0].hospital_id if last else None  # a community's last may be a member's
    try:
        placed = services.place_order(
            session,
            request=services.OrderRequest(lines=lines, buyer_id=buyer_id),
            now=now(),
            actor=actor,
        )
    except DomainError as error:
        get_session().rollback()
        flash(str(error.detail), "error")
        return redirect(url_for(".hospital_contracts"))
    flash(_("Order %(n)s placed.", n=placed.body["number"]), "success")
    return redirect(url_for(".hospital_order", order_id=placed.order_id))


@bp.get("/hospital/orders")
@HOSPITAL
def hospital_orders():
    """The hospital's orders: filters, search by number or drug, sortable, 50 a page."""
    session, actor = get_session(), page_actor()
    page = L.HOSPITAL_ORDERS.paginate(session, queries.orders(actor, _today()))
    last = session.scalar(queries.last_order(actor, _today()))
    return render_template(
        "orders/orders.html", page=page, side="hospital", last=last, community=actor.member_ids
    )


@bp.get("/hospital/orders/<int:order_id>")
@HOSPITAL
def hospital_order(order_id: int):
    """One order: its lines by drug, shipments, receipts, payables and timeline."""
    return order_page(order_id, "hospital")


@bp.post("/hospital/orders/<int:order_id>/<any(cancel, close):step>")
@HOSPITAL
def cancel(order_id: int, step: str = "cancel"):
    """Cancel an order before the supplier confirms it (with an optional reason), or close a
    received one."""
    form = PageForm(ReasonSchema())
    if not form.validate():
        return order_page(order_id, "hospital", forms={step: form})
    session, actor = get_session(), page_actor()
    try:
        if step == "cancel":
            services.cancel_order(
                session, order_id=order_id, reason=form.data["reason"], now=now(), actor=actor
            )
        else:
            services.close_order(session, order_id=order_id, now=now(), actor=actor)
    except DomainError as error:
        form.refuse(error)
        return order_page(order_id, "hospital", forms={step: form})
    flash(_("Order cancelled.") if step == "cancel" else _("Order closed."), "success")
    return redirect(url_for(".hospital_order", order_id=order_id))


@bp.get("/hospital/shipments")
@HOSPITAL
def hospital_shipments():
    """Deliveries to the hospital; a scanned shipment or batch number opens its receiving."""
    session, actor = get_session(), page_actor()
    code = request.args.get("scan", "").strip()
    found = queries.scanned_shipments(session, actor, _today(), code) if code else []
    if len(found) == 1:
        target = ".receive" if found[0].received_at is None else ".hospital_shipment"
        return redirect(url_for(target, shipment_id=found[0].id))
    page = L.HOSPITAL_SHIPMENTS.paginate(session, queries.shipments(actor, _today()))
    return render_template(
        "orders/shipments.html",
        page=page,
        side="hospital",
        scan=code,
        not_found=bool(code) and not found,
    )


@bp.get("/hospital/shipments/<int:shipment_id>")
@HOSPITAL
def hospital_shipment(shipment_id: int):
    return shipment_page(shipment_id, "hospital")


@bp.route("/hospital/shipments/<int:shipment_id>/receive", methods=["GET", "POST"])
@HOSPITAL
def receive(shipment_id: int):
    """Receiving check (入库验收), pre-filled from the shipment: accepted and rejected per line,
    a reason for every rejection; a scan field finds a line by batch number or product code."""
    session, actor = get_session(), page_actor()
    shipment = queries.one_shipment(session, shipment_id, actor, _today())
    if shipment.received_at is not None:
        return redirect(url_for(".hospital_shipment", shipment_id=shipment.id))
    initial = {}
    for i, line in enumerate(shipment.lines):
        initial |= {
            f"lines.{i}.shipment_line_id": line.id,
            f"lines.{i}.accepted_quantity": line.quantity,
            f"lines.{i}.rejected_quantity": 0,
        }
    form = PageForm(ReceiptInSchema(), initial=initial)
    rows = [str(i) for i in range(len(shipment.lines))]
    if form.submitted and validate_rows(form, rows, ()):
        lines = [services.ReceiveLine(**line) for line in form.data["lines"]]
        try:
            services.record_receipt(
                session, shipment_id=shipment.id, lines=lines, now=now(), actor=actor
            )
        except DomainError as error:
            refuse_rows(form, error, rows, ())
        else:
            flash(_("Receipt recorded."), "success")
            return redirect(url_for(".hospital_shipment", shipment_id=shipment.id))
        shipment = queries.one_shipment(session, shipment_id, actor, _today())
    return render_template("orders/receive.html", shipment=shipment, form=form), form.status
