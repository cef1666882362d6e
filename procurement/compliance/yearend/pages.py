"""The year-end check: run it (regulator), read it (oversight and each hospital its own)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import Organization, OrgKind
from procurement.catalog.models import Tender
from procurement.compliance import export, services
from procurement.compliance.common_pages import (
    OVERSIGHT,
    bp,
    int_arg,
    provinces,
    region_text,
    type_choices,
)
from procurement.compliance.job_services import ask_year_end
from procurement.compliance.progress.queries import buyer_type_ids
from procurement.compliance.yearend.models import YearEndResult, YearEndRun
from procurement.compliance.yearend.queries import visible_results
from procurement.compliance.yearend.report_services import with_arithmetic
from procurement.compliance.yearend.services import get_year_end_run
from procurement.core.errors import DomainError
from procurement.jobs.pages import after_asking, outcome_page
from procurement.web.auth import page_actor, portal_required
from procurement.web.listing import Choice, Listing, Number, Sort, Text
from procurement.web.session import get_session, now

outcome_page(
    "year_end_run",
    lambda job: url_for(
        "compliance_pages.year_end", tender=job.args["tender_id"], year=job.args["contract_year"]
    ),
)


@bp.route("/regulator/compliance/year-end", methods=["GET", "POST"])
@OVERSIGHT
def year_end():
    session, tender, year = get_session(), int_arg("tender"), int_arg("year") or 1
    if request.method == "POST":
        tender = int(request.form.get("tender") or 0)
        year = int(request.form.get("year") or 1)
        back = url_for("compliance_pages.year_end", tender=tender, year=year)
        try:
            job = ask_year_end(
                session, tender_id=tender, contract_year=year, now=now(), actor=page_actor()
            )
        except DomainError as error:
            session.rollback()
            flash(error.detail, "error")
            return redirect(back)
        return after_asking(job, back=back)
    return _year_end_page(session, tender, year, "regulator")


def _hospital_named(statement, text: str):
    named = select(Organization.id).where(Organization.name.contains(text, autoescape=True))
    return statement.where(YearEndResult.hospital_id.in_(named))


def _region_choices():
    return [(code, region_text(code)) for code in provinces(get_session())]


def _of_type(statement, value: str):
    return statement.where(YearEndResult.hospital_id.in_(buyer_type_ids(value)))


def _in_province(statement, province: str):
    return statement.where(YearEndResult.region_code.startswith(province[:2]))


def _short(statement, value: str):
    if value == "deducted":
        return statement.where(YearEndResult.deduction > 0)
    if value == "retained":
        return statement.where(YearEndResult.retained > 0)
    return statement


HOSPITALS_A_PAGE = 10  # each hospital is a section: its lots and its arithmetic
OUTCOMES = (("deducted", _l("Budget deducted")), ("retained", _l("Savings retained")))


def _tenders_checked():
    rows = get_session().execute(
        select(Tender.id, Tender.code, Tender.name)
        .where(Tender.id.in_(select(YearEndRun.tender_id)))
        .order_by(Tender.id.desc())
    )
    return [(tender_id, f"{code} {name}") for tender_id, code, name in rows]


def _chosen(statement, _value):
    """The run is chosen by the view (tender and year); in the form they stay with the
    other filters."""
    return statement


RESULTS = Listing(
    filters=(
        Choice("tender", _l("Tender"), _tenders_checked, _chosen),
        Number("year", _l("Contract year"), _chosen),
        Text("hospital", _l("Hospital"), _hospital_named),
        Choice("region", _l("Region"), _region_choices, _in_province),
        Choice("type", _l("Institution type"), type_choices, _of_type),
        Choice("outcome", _l("Outcome"), lambda: OUTCOMES, _short),
    ),
    sorts=(
        Sort("hospital", _l("Hospital"), YearEndResult.hospital_id),
        Sort("completion", _l("Completion"), YearEndResult.completion),
        Sort("deduction", _l("Budget deduction"), YearEndResult.deduction),
        Sort("retained", _l("Retained savings"), YearEndResult.retained),
    ),
    default_sort="hospital",
    tiebreak=YearEndResult.id,
    size=HOSPITALS_A_PAGE,
)


def _year_end_page(session, tender, year, side):
    run = None
    if tender:
        try:
            run = get_year_end_run(
                session, tender_id=tender, contract_year=year, actor=page_actor()
            )
        except DomainError as error:
            flash(error.detail, "info")
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx") and run is not None:
        narrowed, _typed, _errors = RESULTS.narrow(visible_results(run, page_actor()))
        results = session.scalars(narrowed.order_by(YearEndResult.hospital_id))
        return export.table_response(
            "year-end", export.YEAR_END_HEADER, export.year_end_rows(results), fmt
        )
    page = None
    if run is not None:
        page = RESULTS.paginate(session, visible_results(run, page_actor()))
        with_arithmetic(run, page.items)
    runs = services.list_year_ends(session, actor=page_actor())
    return render_template(
        "compliance/year_end.html",
        run=run,
        page=page,
        runs=runs,
        tender=tender,
        year=year,
        side=side,
    )


@bp.get("/hospital/compliance/year-end")
@portal_required(OrgKind.HOSPITAL)
def own_year_end():
    return _year_end_page(get_session(), int_arg("tender"), int_arg("year") or 1, "hospital")
