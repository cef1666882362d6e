"""Pages: the fund office's portal (its to-do list, advances, settlement runs with progress and
payment files, payables, overdue payables, statements, reconciliation), payable and payment
pages with the printable payment notice (付款通知), the manufacturer's payment statement and
the hospital's statement, with CSV and XLSX downloads; and a contract's orders and progress
(shown on the contract's page: orders are downstream of contracts)."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import OrgKind
from procurement.contracts import services as contracts
from procurement.core.clock import business_date
from procurement.core.errors import Conflict, DomainError
from procurement.core.limits import INLINE_EXPORT_LINES
from procurement.core.messages import N_
from procurement.jobs.pages import after_asking, outcome_page
from procurement.jobs.services import recent_jobs
from procurement.settlement import export, queries, services
from procurement.settlement.errors import CutOffMissing, NotADate, NotANumber
from procurement.settlement.models import SettlementRun
from procurement.settlement.pages.listings import (
    CONTRACT_ORDERS,
    PAYABLES,
    PAYMENT_PAYABLES,
    RUNS,
    STATEMENT_LINES,
    STATEMENT_WORDS,
)
from procurement.settlement.services.export_jobs import ask_statement_export, statement_file_name
from procurement.settlement.services.run_jobs import ask_run
from procurement.web.auth import page_actor, portal_required
from procurement.web.fieldnames import column_headings, field_label
from procurement.web.pages import add_nav, set_portal_home
from procurement.web.session import get_session, now

bp = Blueprint("settlement_pages", __name__, template_folder="../templates")
FUND = portal_required(OrgKind.FUND)
OVERSIGHT = portal_required(OrgKind.FUND, OrgKind.REGULATOR)
PARTIES = portal_required(OrgKind.FUND, OrgKind.REGULATOR, OrgKind.HOSPITAL, OrgKind.MANUFACTURER)

add_nav(OrgKind.FUND, _l("To do"), "settlement_pages.fund_home", order=5)
add_nav(OrgKind.FUND, _l("Advances"), "settlement_pages.fund_advances", order=10)
add_nav(OrgKind.FUND, _l("Payables"), "settlement_pages.payables", order=25)
add_nav(OrgKind.FUND, _l("Settlement runs"), "settlement_pages.fund_runs", order=20)
add_nav(OrgKind.FUND, _l("Overdue"), "settlement_pages.fund_overdue", order=30)
add_nav(OrgKind.FUND, _l("Statements"), "settlement_pages.statements", order=40)
add_nav(OrgKind.FUND, _l("Reconciliation"), "settlement_pages.reconciliation", order=50)
add_nav(OrgKind.MANUFACTURER, _l("Payments"), "settlement_pages.own_statement", order=70)
add_nav(OrgKind.MANUFACTURER, _l("Receivables"), "settlement_pages.payables", order=71)
add_nav(OrgKind.HOSPITAL, _l("Settlement"), "settlement_pages.own_statement", order=70)
set_portal_home(OrgKind.FUND, "settlement_pages.fund_home")


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


outcome_page(
    "settlement_run", lambda job: url_for("settlement_pages.fund_run", run_id=job.outcome_id)
)


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


@bp.get("/fund")
@FUND
def fund_home():
    """The fund office's to-do list: is a run due, overdue payables (oldest first, each a
    link), runs that did not finish."""
    todo = queries.fund_todo(get_session(), actor=page_actor(), now=now())
    return render_template("settlement/fund_home.html", todo=todo, form_key=uuid.uuid4().hex)


@bp.get("/fund/runs")
@FUND
def fund_runs():
    """Settlement runs (filtered, paged) and the form to start one for a cut-off date."""
    session, actor = get_session(), page_actor()
    page = RUNS.paginate(
        session, select(SettlementRun).where(SettlementRun.fund_org_id == actor.org_id)
    )
    return render_template(
        "settlement/runs.html",
        page=page,
        today=business_date(now()),
        form_key=uuid.uuid4().hex,
        jobs=recent_jobs(session, actor=actor, kind="settlement.run"),
    )


@bp.post("/fund/runs")
@FUND
def start_run():
    """Ask for (or resume, with the form's key) a run as a job: inline, shows the run; with a
    queue, the job's progress. With nothing due, says so and records nothing."""
    try:
        cut_off = _date("cut_off")
        if cut_off is None:
            raise CutOffMissing(errors={"cut_off": [N_("Required.")]})
        job = ask_run(
            get_session(),
            cut_off=cut_off,
            idempotency_key=request.form.get("run_key") or uuid.uuid4().hex,
            now=now(),
            actor=page_actor(),
        )
    except Conflict as error:
        get_session().rollback()
        if error.code != "nothing-due":
            raise
        flash(
            _(
                "Nothing is due up to %(day)s: every delivery accepted by then is paid. No run "
                "was recorded.",
                day=format_date(cut_off, "long"),
            ),
            "info",
        )
        return redirect(url_for(".fund_runs"))
    except DomainError as error:
        _refused(error)
        return redirect(url_for(".fund_runs"))
    return after_asking(job, back=url_for(".fund_runs"))


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


@bp.get("/settlement/payables")
@portal_required(OrgKind.FUND, OrgKind.REGULATOR, OrgKind.MANUFACTURER)
def payables():
    """Payables (the fund office, the regulator) or receivables (a manufacturer), paged."""
    actor = page_actor()
    page = PAYABLES.paginate(get_session(), queries.payables(actor))
    return render_template("settlement/payables.html", page=page, now=now())


@bp.get("/settlement/payables/<int(max=9223372036854775807):payable_id>")
@PARTIES
def payable(payable_id: int):
    """One payable: the order line and receipt it pays for, amounts, due date, the run and
    payment that paid it, and the statement it appears in."""
    detail = queries.payable_detail(
        get_session(), payable_id=payable_id, actor=page_actor(), now=now()
    )
    period = queries.statement_period(detail.payable.paid_at or detail.payable.accepted_at)
    return render_template("settlement/payable.html", d=detail, period=period)


@bp.get("/settlement/payments/<int(max=9223372036854775807):payment_id>")
@portal_required(OrgKind.FUND, OrgKind.REGULATOR, OrgKind.MANUFACTURER)
def payment(payment_id: int):
    """One payment of a run to a manufacturer and the payables it paid (paged)."""
    session = get_session()
    paid = queries.get_payment(session, payment_id=payment_id, actor=page_actor())
    page = PAYMENT_PAYABLES.paginate(session, queries.payment_payables(paid), payment_id=payment_id)
    period = queries.statement_period(paid.paid_at)
    return render_template("settlement/payment.html", p=paid, page=page, period=period)


@bp.get("/settlement/payments/<int(max=9223372036854775807):payment_id>/notice")
@portal_required(OrgKind.FUND, OrgKind.REGULATOR, OrgKind.MANUFACTURER)
def payment_notice(payment_id: int):
    """The payment notice (付款通知) to print: the payment, per contract."""
    session = get_session()
    paid = queries.get_payment(session, payment_id=payment_id, actor=page_actor())
    lines = queries.payment_notice(session, paid)
    return render_template("settlement/payment_notice.html", p=paid, lines=lines, printed_at=now())


@bp.get("/contracts/<int:contract_id>/orders")
@PARTIES
def contract_orders(contract_id: int):
    """A contract's progress and its orders (paged); the contract page loads it in place."""
    session, actor = get_session(), page_actor()
    contract = contracts.get_contract(session, contract_id=contract_id, actor=actor)
    progress = queries.contract_progress(session, contract, now())
    page = CONTRACT_ORDERS.paginate(
        session, queries.contract_lines(contract.id), contract_id=contract_id
    )
    template = (
        "settlement/_contract_orders.html"
        if request.headers.get("HX-Request")
        else "settlement/contract_orders.html"
    )
    side = actor.org_kind.value
    return render_template(template, c=contract, progress=progress, page=page, side=side)


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
    """The manufacturer's payment statement or the hospital's statement (own organization; a
    county medical community also its members')."""
    return _statement_page(_int("party_id") or page_actor().org_id)


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
    page = STATEMENT_LINES.page_of(result.lines) if result is not None else None
    return render_template(
        "settlement/statement.html", parties=parties, st=result, page=page, words=STATEMENT_WORDS
    )


@bp.get("/settlement/statement.<any(csv, xlsx):fmt>")
@PARTIES
def statement_file(fmt: str):
    """The statement as CSV or XLSX (same rights as the page); one of more than
    INLINE_EXPORT_LINES lines is made by a job, downloaded from the job's page."""
    session, actor = get_session(), page_actor()
    result = services.statement(
        session,
        party_id=_int("party_id") or actor.org_id,
        period_from=_date("from"),
        period_to=_date("to"),
        now=now(),
        actor=actor,
    )
    if len(result.lines) > INLINE_EXPORT_LINES:  # a large file is made by a job
        job = ask_statement_export(
            session,
            party_id=result.party_id,
            period_from=result.period_from,
            period_to=result.period_to,
            fmt=fmt,
            actor=actor,
        )
        return after_asking(job, back=url_for(".own_statement"))
    name = statement_file_name(result, fmt)
    if fmt == "csv":
        return _file(export.statement_csv(result, column_headings), name, "text/csv")
    return _file(export.statement_xlsx(result, column_headings), name, export.XLSX_MIMETYPE)


def _file(content: bytes, name: str, mimetype: str) -> Response:
    disposition = f'attachment; filename="{name}"'
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})


# The monthly reconciliation and invoices add their pages to this blueprint.
from procurement.settlement import monthly_pages  # noqa: E402,F401
