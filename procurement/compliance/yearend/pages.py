"""The year-end check: run it (regulator), read it (oversight and each hospital its own)."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _

from procurement.auth.models import OrgKind
from procurement.compliance import export, services
from procurement.compliance.web import OVERSIGHT, act, bp, int_arg
from procurement.compliance.yearend.services import with_arithmetic
from procurement.core.errors import DomainError
from procurement.web.auth import page_actor, portal_required
from procurement.web.session import get_session


@bp.route("/regulator/compliance/year-end", methods=["GET", "POST"])
@OVERSIGHT
def year_end():
    session, tender, year = get_session(), int_arg("tender"), int_arg("year") or 1
    if request.method == "POST":
        tender = int(request.form.get("tender") or 0)
        year = int(request.form.get("year") or 1)
        return act(
            services.run_year_end,
            _("Year-end check done."),
            url_for("compliance_pages.year_end", tender=tender, year=year),
            tender_id=tender,
            contract_year=year,
        )
    return _year_end_page(session, tender, year, "regulator")


def _year_end_page(session, tender, year, side):
    run, results = None, []
    if tender:
        try:
            run, results = services.get_year_end(
                session, tender_id=tender, contract_year=year, actor=page_actor()
            )
        except DomainError as error:
            flash(error.detail, "info")
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx") and run is not None:
        return export.table_response(
            "year-end", export.YEAR_END_HEADER, export.year_end_rows(results), fmt
        )
    runs = services.list_year_ends(session, actor=page_actor())
    return render_template(
        "compliance/year_end.html",
        run=run,
        results=with_arithmetic(run, results) if run else [],
        runs=runs,
        tender=tender,
        year=year,
        side=side,
    )


@bp.get("/hospital/compliance/year-end")
@portal_required(OrgKind.HOSPITAL)
def own_year_end():
    return _year_end_page(get_session(), int_arg("tender"), int_arg("year") or 1, "hospital")
