"""Progress drill-down tables (regulator and fund) and the own progress page of a hospital or a
manufacturer."""

from __future__ import annotations

from flask import render_template, request, url_for

from procurement.auth.models import OrgKind
from procurement.compliance import export, services
from procurement.compliance.dashboard.services import default_selection
from procurement.compliance.progress.queries import GROUPS, Filters
from procurement.compliance.web import OVERSIGHT, bp, int_arg
from procurement.web.auth import page_actor, portal_required
from procurement.web.session import get_session, now


def _filters() -> Filters:
    tender, year = int_arg("tender"), int_arg("year")
    if tender is None and not request.args.get("all"):
        tender, year = default_selection(get_session(), now())
    return Filters(
        tender_id=tender,
        contract_year=year,
        lot_id=int_arg("lot"),
        region_code=request.args.get("region") or None,
        hospital_id=int_arg("hospital"),
        manufacturer_id=int_arg("manufacturer"),
    )


def progress_link(filters: Filters, **extra) -> str:
    args = {"tender": filters.tender_id, "year": filters.contract_year, **extra}
    return url_for("compliance_pages.progress", **{k: v for k, v in args.items() if v})


@bp.get("/regulator/compliance/progress")
@OVERSIGHT
def progress():
    filters = _filters()
    group_by = request.args.get("group_by", "lot")
    report = services.progress_report(
        get_session(), filters=filters, group_by=group_by, now=now(), actor=page_actor()
    )
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return export.table_response(
            f"progress-{group_by}", export.PROGRESS_HEADER, export.progress_rows(report.rows), fmt
        )
    return render_template(
        "compliance/progress.html",
        report=report,
        f=filters,
        groups=GROUPS,
        link=progress_link,
        args=request.args,
    )


@bp.get("/hospital/compliance")
@portal_required(OrgKind.HOSPITAL)
def hospital_own():
    return _own()


@bp.get("/manufacturer/compliance")
@portal_required(OrgKind.MANUFACTURER)
def manufacturer_own():
    return _own()


def _own():
    session, actor = get_session(), page_actor()
    report = services.progress_report(
        session, filters=Filters(), group_by="contract", now=now(), actor=actor
    )
    context = {"report": report, "alerts": services.list_alerts(session, actor=actor)}
    if actor.org_kind == OrgKind.MANUFACTURER:
        context["events"] = services.list_credit_events(session, actor=actor)
        context["levels"] = services.credit_levels(session, now=now(), actor=actor)
    else:
        context["runs"] = services.list_year_ends(session, actor=actor)
    return render_template("compliance/own.html", side=actor.org_kind.value, **context)
