"""Pages: receiving by scan (a scanner's keyboard wedge types a code and Enter; the form posts
each code and the page keeps the scanned list, so it works without JavaScript; with it the
counts update in place and the cursor stays in the field), dispensing and returns by code,
the stock ledger with no-code stock, and the regulator's traceability alerts. Routes on the
trace blueprint (``trace/pages.py`` imports this module)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.catalog.tabular import TableError
from procurement.core.errors import Conflict, DomainError, Forbidden, NotFound
from procurement.core.messages import translated
from procurement.trace.files import read_codes
from procurement.trace.pages import bp
from procurement.trace.scan_models import AlertKind
from procurement.trace.services import accepting, alerts, scanning, stock_ledger
from procurement.trace.services import dispensing as moves
from procurement.web.auth import page_actor, portal_required
from procurement.web.pages import add_nav
from procurement.web.session import get_session, now

HOSPITAL = portal_required(OrgKind.HOSPITAL)
OVERSIGHT = portal_required(OrgKind.REGULATOR, OrgKind.FUND)
STOCK_READERS = portal_required(OrgKind.HOSPITAL, OrgKind.REGULATOR, OrgKind.FUND)

add_nav(OrgKind.HOSPITAL, _l("Dispensing"), "trace_pages.dispensing", order=60)
add_nav(OrgKind.HOSPITAL, _l("Stock"), "trace_pages.stock", order=61)
for _kind in (OrgKind.REGULATOR, OrgKind.FUND):
    add_nav(_kind, _l("Traceability alerts"), "trace_pages.alert_list", order=81)


def _field_errors(error: DomainError) -> dict[str, list[str]]:
    fields = error.extra.get("errors") or {}
    return {key: [translated(m) for m in messages] for key, messages in fields.items()}


def _scan_page(shipment_id: int, errors: dict | None = None, code: str = "", status: int = 200):
    found = scanning.draft(get_session(), shipment_id=shipment_id, now=now(), actor=page_actor())
    page = render_template(
        "trace/receive_scan.html", draft=found, errors=errors or {}, code=code, form=request.form
    )
    return page, status


@bp.route("/hospital/shipments/<int:shipment_id>/scan", methods=["GET", "POST"])
@HOSPITAL
def receive_scan(shipment_id: int):
    """The receipt draft; a POST adds one code (a refusal shown beside the field)."""
    session = get_session()
    if request.method == "GET":
        return _scan_page(shipment_id)
    code = request.form.get("code", "")
    try:
        scanning.scan_code(
            session, shipment_id=shipment_id, code=code, now=now(), actor=page_actor()
        )
    except DomainError as error:
        session.rollback()
        if isinstance(error, Forbidden | NotFound):
            raise
        reasons = _field_errors(error).get("code") or [error.detail]
        errors = {"code": [f"{code.strip()[:100]}: {reason}" for reason in reasons]}
        return _scan_page(shipment_id, errors, code, 422)
    return redirect(url_for(".receive_scan", shipment_id=shipment_id), 303)


@bp.post("/hospital/shipments/<int:shipment_id>/scan/remove")
@HOSPITAL
def unscan(shipment_id: int):
    scanning.unscan_code(
        get_session(),
        shipment_id=shipment_id,
        code=request.form.get("code", ""),
        now=now(),
        actor=page_actor(),
    )
    return redirect(url_for(".receive_scan", shipment_id=shipment_id), 303)


def _decisions(draft) -> list[accepting.LineDecision]:
    out = []
    for count in draft.counts:
        base = f"lines.{count.line.id}."
        raw = (request.form.get(base + "without_code") or "0").strip()
        out.append(
            accepting.LineDecision(
                count.line.id,
                without_code=int(raw) if raw.isdigit() else -1,
                without_code_reason=request.form.get(base + "without_code_reason"),
                rejection_reason=request.form.get(base + "rejection_reason"),
            )
        )
    return out


@bp.post("/hospital/shipments/<int:shipment_id>/scan/accept")
@HOSPITAL
def accept_scan(shipment_id: int):
    """Accept what was scanned; the rest is rejected (or received without a code) with a
    reason. Refusals are shown beside the line's fields."""
    session, actor = get_session(), page_actor()
    found = scanning.draft(session, shipment_id=shipment_id, now=now(), actor=actor)
    try:
        accepting.accept_scanned(
            session, shipment_id=shipment_id, decisions=_decisions(found), now=now(), actor=actor
        )
    except DomainError as error:
        session.rollback()
        if isinstance(error, Forbidden | NotFound | Conflict):
            raise
        return _scan_page(shipment_id, _field_errors(error), status=422)
    flash(_("Receipt recorded."), "success")
    return redirect(url_for("orders_pages.hospital_shipment", shipment_id=shipment_id), 303)


@bp.route("/trace/dispensing", methods=["GET", "POST"])
@HOSPITAL
def dispensing():
    """Boxes dispensed (or returned) by code: typed or scanned one a line, or a file."""
    result, errors, status = None, {}, 200
    movement = request.form.get("movement", moves.Movement.DISPENSE.value)
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is not None and upload.filename:
                codes = [row.code for row in read_codes(upload.filename, upload.read())]
            else:
                codes = request.form.get("codes", "").splitlines()
            result = moves.record_movements(
                get_session(),
                codes=codes,
                movement=moves.Movement(movement),
                now=now(),
                actor=page_actor(),
            )
        except TableError as error:
            errors, status = {"file": [f"{e.key}: {e.message}" for e in error.errors]}, 422
        except (DomainError, ValueError) as error:
            get_session().rollback()
            detail = _field_errors(error) if isinstance(error, DomainError) else {}
            errors, status = detail or {"codes": [str(error)]}, 422
    page = render_template(
        "trace/dispensing.html", result=result, errors=errors, movement=movement, form=request.form
    )
    return page, status


def _stock_page(errors: dict | None = None, status: int = 200):
    session, actor = get_session(), page_actor()
    org_id = request.args.get("org", type=int)
    found = stock_ledger.ledger(session, now=now(), actor=actor, org_id=org_id)
    products = stock_ledger.products_for(session, org_id=found.org_id)
    page = render_template(
        "trace/stock.html",
        ledger=found,
        products=products,
        errors=errors or {},
        form=request.form,
        may_declare=actor.org_kind == OrgKind.HOSPITAL,
    )
    return page, status


@bp.get("/trace/stock")
@STOCK_READERS
def stock():
    """The stock ledger per product and batch with expiry alerts; no-code stock apart."""
    return _stock_page()


@bp.post("/trace/stock/no-code")
@HOSPITAL
def declare_no_code():
    form = request.form
    try:
        stock_ledger.declare_no_code(
            get_session(),
            product_id=form.get("product_id", type=int),
            batch_no=form.get("batch_no", ""),
            expiry_date=_date(form.get("expiry_date", "")),
            quantity=form.get("quantity", type=int),
            reason=form.get("reason", ""),
            now=now(),
            actor=page_actor(),
        )
    except DomainError as error:
        get_session().rollback()
        return _stock_page(_field_errors(error), 422)
    flash(_("No-code stock declared."), "success")
    return redirect(url_for(".stock"), 303)


def _date(raw: str):
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@bp.get("/trace/alerts")
@OVERSIGHT
def alert_list():
    """Traceability alerts, newest first: where and when the package was seen now and before."""
    raw = request.args.get("kind") or None
    kind = AlertKind(raw) if raw in set(AlertKind) else None
    rows = alerts.list_alerts(get_session(), actor=page_actor(), kind=kind)
    return render_template("trace/alerts.html", rows=rows, kind=kind, kinds=list(AlertKind))


@bp.before_app_request
def _coded_deliveries_are_scanned():
    """The orders area's quantity form (``orders_pages.receive``, which cannot know about
    codes) would accept a delivery whose codes must be scanned, and the fund would then hold
    its payment: send the hospital to the scan page instead, with a notice."""
    if request.endpoint != "orders_pages.receive" or page_actor() is None:
        return None
    shipment_id = (request.view_args or {}).get("shipment_id")
    actor = page_actor()
    if actor.org_kind != OrgKind.HOSPITAL or not scanning.must_scan(
        get_session(), shipment_id=shipment_id, now=now(), actor=actor
    ):
        return None
    flash(
        _(
            "This delivery carries traceability codes: receive it by scanning them. "
            "The fund does not pay packages accepted without scanning their codes."
        ),
        "warning",
    )
    return redirect(url_for("trace_pages.receive_scan", shipment_id=shipment_id), 303)
