"""Pages of the monthly reconciliation (对账) and invoices (两票制).

The hospital confirms a reconciliation or disputes a line with the reason beside the line; the
manufacturer confirms and sees (and corrects) the disputes; the fund office and the regulator
see every reconciliation's status and why each line is held; manufacturers and distributors
record invoices. A refused form is shown again with its error beside the field."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import Organization, OrgKind
from procurement.catalog.models import Lot
from procurement.contracts.models import Contract
from procurement.core.errors import DomainError
from procurement.orders.models import ReceiptLine, Shipment, ShipmentLine
from procurement.settlement import monthly_schemas as s
from procurement.settlement.monthly_models import HeldReason
from procurement.settlement.pages import PARTIES, bp
from procurement.settlement.services import invoices
from procurement.settlement.services import monthly_reconciliation as recon
from procurement.web.auth import page_actor, portal_required
from procurement.web.forms import PageForm
from procurement.web.pages import add_nav
from procurement.web.session import get_session, now

ID = "int(max=9223372036854775807)"
INVOICERS = portal_required(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR)
LATEST_LINES = 200  # deliveries offered in the invoice form

for _kind in (OrgKind.FUND, OrgKind.REGULATOR, OrgKind.HOSPITAL, OrgKind.MANUFACTURER):
    add_nav(_kind, _l("Monthly reconciliation"), "settlement_pages.reconciliations", order=72)
for _kind in (OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR):
    add_nav(_kind, _l("Invoices"), "settlement_pages.invoice_list", order=73)


def _names(ids) -> dict[int, str]:
    rows = get_session().execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(set(ids)))
    )
    return dict(rows.all())


@bp.get("/settlement/reconciliations")
@PARTIES
def reconciliations():
    """Every reconciliation you may see, newest month first, with its status and deadline."""
    session, actor = get_session(), page_actor()
    items = recon.list_reconciliations(session, actor=actor)
    names = _names([r.hospital_id for r in items] + [r.manufacturer_id for r in items])
    held = recon.held_totals(recon.held_lines(session, actor=actor))
    return render_template(
        "settlement/reconciliations.html", items=items, names=names, held=held, reasons=HeldReason
    )


def _lots_of(contract_ids: set[int]) -> dict[int, Lot]:
    """{contract id: its lot} (the line's generic name and smallest unit)."""
    rows = get_session().execute(
        select(Contract.id, Lot)
        .join(Lot, Lot.id == Contract.lot_id)
        .where(Contract.id.in_(sorted(contract_ids)))
    )
    return {contract_id: lot for contract_id, lot in rows}


def _detail(reconciliation_id: int, forms: dict | None = None, status: int = 200):
    """The reconciliation's page; ``forms`` holds a refused form by (kind, line id)."""
    session, actor = get_session(), page_actor()
    found = recon.get_reconciliation(session, reconciliation_id=reconciliation_id, actor=actor)
    invoiced = invoices.hospital_invoices(session, [x.receipt_line_id for x in found.lines])
    page = render_template(
        "settlement/reconciliation_month.html",
        rec=found,
        lots=_lots_of({x.contract_id for x in found.lines}),
        names=_names([found.hospital_id, found.manufacturer_id]),
        invoiced=invoiced,
        forms=forms or {},
        blank_dispute=PageForm(s.DisputeInSchema()),
        blank_resolve=PageForm(s.ResolveInSchema()),
        side=actor.org_kind.value if actor.org_kind in recon.PARTIES else None,
        actor=actor,
        now=now(),
    )
    return page, status


@bp.get(f"/settlement/reconciliations/<{ID}:reconciliation_id>")
@PARTIES
def reconciliation_month(reconciliation_id: int):
    return _detail(reconciliation_id)


def _back(reconciliation_id: int):
    return redirect(url_for(".reconciliation_month", reconciliation_id=reconciliation_id))


@bp.post(f"/settlement/reconciliations/<{ID}:reconciliation_id>/confirm")
@PARTIES
def reconciliation_confirm(reconciliation_id: int):
    form = PageForm(s.ConfirmInSchema())
    try:
        recon.confirm(
            get_session(), reconciliation_id=reconciliation_id, now=now(), actor=page_actor()
        )
    except DomainError as error:
        form.refuse(error)
        return _detail(reconciliation_id, {("confirm", 0): form}, form.status)
    flash(_("Your confirmation is recorded."), "success")
    return _back(reconciliation_id)


def _line_step(reconciliation_id: int, line_id: int, kind: str, schema, step, done: str):
    """Dispute or resolve one line: done, back to the page; refused, the page again with the
    error beside that line's field."""
    form = PageForm(schema)
    if form.validate():
        try:
            step(
                get_session(),
                reconciliation_id=reconciliation_id,
                line_id=line_id,
                now=now(),
                actor=page_actor(),
                **form.data,
            )
        except DomainError as error:
            form.refuse(error)
        else:
            flash(done, "success")
            return _back(reconciliation_id)
    return _detail(reconciliation_id, {(kind, line_id): form}, form.status)


@bp.post(f"/settlement/reconciliations/<{ID}:reconciliation_id>/lines/<{ID}:line_id>/dispute")
@PARTIES
def reconciliation_dispute(reconciliation_id: int, line_id: int):
    done = _("The line is disputed; it waits until the dispute is resolved.")
    schema = s.DisputeInSchema()
    return _line_step(reconciliation_id, line_id, "dispute", schema, recon.dispute_line, done)


@bp.post(f"/settlement/reconciliations/<{ID}:reconciliation_id>/lines/<{ID}:line_id>/resolve")
@PARTIES
def reconciliation_resolve(reconciliation_id: int, line_id: int):
    done = _("The dispute is resolved.")
    schema = s.ResolveInSchema()
    return _line_step(reconciliation_id, line_id, "resolve", schema, recon.resolve_line, done)


def _invoice_choices(actor) -> dict[str, list]:
    """Your latest deliveries and whom you may invoice for them (hospital or distributor)."""
    rows = (
        get_session()
        .execute(
            select(ReceiptLine, Shipment.shipper_id)
            .join(ShipmentLine, ShipmentLine.id == ReceiptLine.shipment_line_id)
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(
                ReceiptLine.contract_id.is_not(None),
                (ReceiptLine.manufacturer_id == actor.org_id)
                | (Shipment.shipper_id == actor.org_id),
            )
            .order_by(ReceiptLine.id.desc())
            .limit(LATEST_LINES)
        )
        .all()
    )
    recipients = {line.hospital_id for line, shipper in rows if shipper == actor.org_id}
    recipients |= {shipper for line, shipper in rows if shipper != actor.org_id}
    names = _names(recipients | {line.hospital_id for line, _ in rows})
    choose = [("", _("Choose…"))]
    lines = [
        (
            line.id,
            f"#{line.id} {names.get(line.hospital_id, '')} · {line.accepted_quantity} · "
            f"{line.accepted_amount}",
        )
        for line, _shipper in rows
    ]
    return {
        "lines": choose + lines,
        "recipients": choose
        + sorted(((i, names.get(i, str(i))) for i in recipients), key=lambda x: x[1]),
    }


@bp.route("/settlement/invoices", methods=["GET", "POST"])
@INVOICERS
def invoice_list():
    """Your invoices and the form to record one (one delivery line per invoice here; the API
    takes many)."""
    session, actor = get_session(), page_actor()
    form = PageForm(s.InvoiceFormSchema())
    if form.submitted and form.validate():
        try:
            invoice = invoices.record_invoice(session, now=now(), actor=actor, **form.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Invoice %(number)s recorded.", number=invoice.number), "success")
            return redirect(url_for(".invoice_list"))
    items = invoices.list_invoices(session, actor=actor)
    names = _names([i.issuer_id for i in items] + [i.recipient_id for i in items])
    page = render_template(
        "settlement/invoices.html",
        form=form,
        items=items,
        names=names,
        choices=_invoice_choices(actor),
    )
    return page, form.status


@bp.post(f"/settlement/invoices/<{ID}:invoice_id>/void")
@INVOICERS
def invoice_void(invoice_id: int):
    """Void (红冲) one of your invoices; the refusal is shown on the invoices page."""
    try:
        invoice = invoices.void_invoice(
            get_session(), invoice_id=invoice_id, now=now(), actor=page_actor()
        )
    except DomainError as error:
        get_session().rollback()
        flash(error.detail, "error")
    else:
        flash(_("Invoice %(number)s voided.", number=invoice.number), "success")
    return redirect(url_for(".invoice_list"))
