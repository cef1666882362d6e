"""Pages: the fund office's portal (advances, settlement runs with progress and payment files,
overdue payables, statements, reconciliation), the manufacturer's payment statement and the
hospital's statement, with CSV and XLSX downloads."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.core.messages import N_
from procurement.settlement import export, services
from procurement.settlement.errors import CutOffMissing, NotADate, NotANumber
from procurement.web.auth import page_actor, portal_required
from procurement.web.fieldnames import column_headings, field_label
from procurement.web.pages import add_nav, set_portal_home
from procurement.web.session import get_session, now

bp = Blueprint("settlement_pages", __name__, template_folder="templates")
FUND = portal_required(OrgKind.FUND)
OVERSIGHT = portal_required(OrgKind.FUND, OrgKind.REGULATOR)
PARTIES = portal_required(OrgKind.FUND, OrgKind.REGULATOR, OrgKind.HOSPITAL, OrgKind.MANUFACTURER)

add_nav(OrgKind.FUND, _l("Advances"), "settlement_pages.fund_advances", order=10)
add_nav(OrgKind.FUND, _l("Settlement runs"), "settlement_pages.fund_runs", order=20)
add_nav(OrgKind.FUND, _l("Overdue"), "settlement_pages.fund_overdue", order=30)
add_nav(OrgKind.FUND, _l("Statements"), "settlement_pages.statements", order=40)
add_nav(OrgKind.FUND, _l("Reconciliation"), "settlement_pages.reconciliation", order=50)
add_nav(OrgKind.MANUFACTURER, _l("Payments"), "settlement_pages.own_statement", order=70)
add_nav(OrgKind.HOSPITAL, _l("Settlement"), "settlement_pages.own_statement", order=70)
set_portal_home(OrgKind.FUND, "settlement_pages.fund_advances")


def _refused(error: DomainError) -> None:
    get_session().rollback()
    fields = error.extra.get("errors") or {}
    details = "; ".join(f"{field_label(k)}: {', '.join(v)}" for k, v in fields.items())
    flash(f"{error.detail} {details}".strip(), "error")


def _date(name: str) -> date | None:
    value = request.values.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NotADate(errors={name: [N_("Not a date (YYYY-MM-DD).")]}, name=name) from None


def _int(name: str) -> int | None:
    value = request.values.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise NotANumber(errors={name: [N_("Not a number.")]}, name=name)
    return int(value)


@bp.get("/fund/advances")
@FUND
def fund_advances():
    """Advances per tender and contract year, with a button to pay the missing ones."""
    rows = services.advance_overview(get_session(), actor=page_actor())
    return render_template("settlement/advances.html", rows=rows)


@bp.post("/fund/advances")
@FUND
def pay_advances():
    try:
        result = services.run_advances(
            get_session(),
            tender_id=_int("tender_id") or 0,
            contract_year=_int("contract_year") or 1,
            now=now(),
            actor=page_actor(),
        )
        flash(
            _(
                "Advances paid to %(n)s hospitals (%(total)s); %(skip)s already paid.",
                n=len(result.created),
                total=result.total,
                skip=result.already_paid,
            ),
            "success",
        )
    except DomainError as error:
        _refused(error)
    return redirect(url_for(".fund_advances"))


@bp.get("/fund/runs")
@FUND
def fund_runs():
    """Settlement runs and the form to start one for a cut-off date."""
    runs = services.list_runs(get_session(), actor=page_actor())
    return render_template(
        "settlement/runs.html", runs=runs, today=business_date(now()), form_key=uuid.uuid4().hex
    )


@bp.post("/fund/runs")
@FUND
def start_run():
    """Start (or resume, with the form's key) a run; runs inline and shows its detail."""
    try:
        cut_off = _date("cut_off")
        if cut_off is None:
            raise CutOffMissing(errors={"cut_off": [N_("Required.")]})
        run = services.start_run(
            get_session(),
            cut_off=cut_off,
            idempotency_key=request.form.get("form_key") or uuid.uuid4().hex,
            now=now(),
            actor=page_actor(),
        )
    except DomainError as error:
        _refused(error)
        return redirect(url_for(".fund_runs"))
    flash(_("Run %(ref)s: %(status)s.", ref=run.reference, status=run.status.value), "success")
    return redirect(url_for(".fund_run", run_id=run.id))


@bp.get("/fund/runs/<int(max=9223372036854775807):run_id>")
@OVERSIGHT
def fund_run(run_id: int):
    """A run's progress (batches done of total), its payments and the payment file link."""
    run = services.get_run(get_session(), run_id=run_id, actor=page_actor())
    return render_template("settlement/run.html", run=run)


@bp.get("/fund/runs/<int(max=9223372036854775807):run_id>/payment-file")
@FUND
def payment_file(run_id: int):
    name, content = services.payment_file(get_session(), run_id=run_id, actor=page_actor())
    return _file(content, name, "text/csv")


@bp.get("/fund/overdue")
@OVERSIGHT
def fund_overdue():
    """Unpaid payables past their due date, oldest first, with days overdue."""
    items = services.overdue_payables(get_session(), now=now(), actor=page_actor())
    return render_template("settlement/overdue.html", items=items)


@bp.get("/fund/reconciliation")
@OVERSIGHT
def reconciliation():
    report = services.reconcile(get_session(), actor=page_actor())
    return render_template("settlement/reconciliation.html", report=report)


@bp.get("/fund/statements")
@OVERSIGHT
def statements():
    """Any party's statement (fund office, regulator): choose the party and period."""
    return _statement_page(_int("party_id"))


@bp.get("/settlement/statement")
@PARTIES
def own_statement():
    """The manufacturer's payment statement or the hospital's statement (own organization)."""
    return _statement_page(page_actor().org_id)


def _statement_page(party_id: int | None):
    session, actor = get_session(), page_actor()
    parties = services.statement_parties(session, actor=actor)
    result = None
    if party_id is not None:
        result = services.statement(
            session,
            party_id=party_id,
            period_from=_date("from"),
            period_to=_date("to"),
            now=now(),
            actor=actor,
        )
    return render_template("settlement/statement.html", parties=parties, st=result)


@bp.get("/settlement/statement.<any(csv, xlsx):fmt>")
@PARTIES
def statement_file(fmt: str):
    """The statement as CSV or XLSX (same rights as the page)."""
    result = services.statement(
        get_session(),
        party_id=_int("party_id") or page_actor().org_id,
        period_from=_date("from"),
        period_to=_date("to"),
        now=now(),
        actor=page_actor(),
    )
    name = f"statement-{result.party_code}-{result.period_from}-{result.period_to}.{fmt}"
    if fmt == "csv":
        return _file(export.statement_csv(result, column_headings), name, "text/csv")
    return _file(export.statement_xlsx(result, column_headings), name, export.XLSX_MIMETYPE)


def _file(content: bytes, name: str, mimetype: str) -> Response:
    disposition = f'attachment; filename="{name}"'
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})
