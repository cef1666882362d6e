"""Trace pages: a shipment's codes (the shipper uploads each line's code file; errors beside
the upload field), the public code lookup (no login, phone-sized, rate-limited like the
anonymous API) and a package's history (the regulator and the fund; the holder)."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.catalog.tabular import TableError
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.core.limits import INLINE_UPLOAD_BYTES
from procurement.core.messages import translated
from procurement.jobs.pages import after_asking
from procurement.orders import services as orders
from procurement.orders.models import ShipmentLine
from procurement.trace import services
from procurement.trace.codes import MAX_CODE_LENGTH
from procurement.trace.files import read_codes
from procurement.trace.services.code_jobs import ask_codes_import
from procurement.web.auth import page_actor, portal_required
from procurement.web.pages import add_nav
from procurement.web.security import check_api_rate
from procurement.web.session import get_session, now

bp = Blueprint("trace_pages", __name__, template_folder="templates")
ROW = re.compile(r"row ([0-9]+): (.*)", re.DOTALL)
CODE_SENDERS = portal_required(
    OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR, OrgKind.REGULATOR, OrgKind.FUND
)
ANY_PORTAL = portal_required()

for _kind in (OrgKind.REGULATOR, OrgKind.FUND):
    add_nav(_kind, _l("Package history"), "trace_pages.history", order=80)


@bp.get("/trace/shipments/<int:shipment_id>/codes")
@CODE_SENDERS
def shipment_codes(shipment_id: int):
    return _codes_page(shipment_id)


def _codes_page(shipment_id: int, errors: dict | None = None, status: int = 200):
    session, actor = get_session(), page_actor()
    shipment = orders.get_shipment(session, shipment_id=shipment_id, now=now(), actor=actor)
    coded = {
        line.id: services.line_codes(session, shipment_line_id=line.id, actor=actor)
        for line in shipment.lines
    }
    return (
        render_template(
            "trace/shipment_codes.html",
            shipment=shipment,
            coded=coded,
            errors=errors or {},
            may_send=actor.org_kind in (OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR),
        ),
        status,
    )


@bp.post("/trace/shipment-lines/<int:line_id>/codes")
@CODE_SENDERS
def upload_codes(line_id: int):
    """A shipment line's code file; refusals are shown beside its upload field."""
    session = get_session()
    line = session.get(ShipmentLine, line_id)
    if line is None:
        return redirect(url_for("orders_pages.supplier_shipments"))
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise TableError([])
        content = upload.read()
        if len(content) > INLINE_UPLOAD_BYTES:  # a large file is attached by a job
            job = ask_codes_import(
                session,
                shipment_line_id=line_id,
                filename=upload.filename,
                content=content,
                actor=page_actor(),
            )
            return after_asking(job, back=url_for(".shipment_codes", shipment_id=line.shipment_id))
        rows = read_codes(upload.filename, content)
        done = services.attach_codes(
            session, shipment_line_id=line_id, rows=rows, now=now(), actor=page_actor()
        )
    except TableError as error:
        messages = [f"{_where(e.key)}: {e.message}" for e in error.errors]
        messages = messages or [_("Choose a file.")]
        return _codes_page(line.shipment_id, {line_id: (None, messages)}, 422)
    except DomainError as error:
        session.rollback()
        fields = error.extra.get("errors") or {}
        messages = [f"{_where(k)}: {translated(m)}" for k, ms in fields.items() for m in ms]
        return _codes_page(line.shipment_id, {line_id: (error.detail, messages)}, 422)
    flash(_("%(n)s codes stored.", n=done.boxes + done.cases), "success")
    return redirect(url_for(".shipment_codes", shipment_id=line.shipment_id))


def _where(key: str) -> str:
    """A refusal's place (``row 3: <code>``, ``line``) in the page's language."""
    row = ROW.fullmatch(key)
    if row:
        return _("row %(n)s: %(code)s", n=row.group(1), code=row.group(2))
    return _("this line") if key == "line" else key


@bp.get("/trace/lookup")
def lookup():
    """Anyone: type or scan a code and see what the package is (never where it is)."""
    check_api_rate()
    code = request.args.get("code", "").strip()
    result, error = None, None
    if "code" in request.args:
        if not code:
            error = _("Enter or scan a code.")
        elif len(code) > MAX_CODE_LENGTH:
            error = _("A traceability code has at most 100 characters.")
        else:
            result = services.public_lookup(get_session(), code=code)
    return render_template(
        "trace/lookup.html", code=code, result=result, error=error, today=business_date(now())
    ), (422 if error else 200)


@bp.get("/trace/packages")
@ANY_PORTAL
def history():
    """A package's history: its events in order."""
    code = request.args.get("code", "").strip()
    found, error = None, None
    if code:
        try:
            found = services.package_history(get_session(), code=code, actor=page_actor())
        except DomainError as refused:
            error = refused.detail
    page = render_template("trace/history.html", code=code, found=found, error=error)
    return page, (404 if error else 200)


from procurement.trace import scan_pages  # noqa: E402, F401  (receiving by scan, stock)
