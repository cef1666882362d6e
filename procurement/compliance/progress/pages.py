"""Progress drill-down tables (regulator and fund) and the own progress page of a hospital or a
manufacturer."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.compliance import export, services
from procurement.compliance.alerts.pages import recent_open_alerts
from procurement.compliance.common_pages import (
    OVERSIGHT,
    bp,
    buyer_types,
    int_arg,
    type_arg,
    type_choices,
)
from procurement.compliance.credit.pages import recent_credit_events
from procurement.compliance.dashboard.services import default_selection
from procurement.compliance.export_job_services import ask_progress_export
from procurement.compliance.progress.queries import GROUPS, Filters
from procurement.core.limits import INLINE_EXPORT_LINES
from procurement.jobs.pages import after_asking
from procurement.web.auth import page_actor, portal_required
from procurement.web.listing import Listing, Sort
from procurement.web.session import get_session, now


def _completion(row):
    return row.completion


GROUP_LABELS = {
    "total": _l("All together"),
    "tender": _l("By tender"),
    "lot": _l("By lot"),
    "region": _l("By region"),
    "hospital": _l("By hospital"),
    "manufacturer": _l("By supplier"),
    "contract": _l("By contract"),
    "hospital_lot": _l("By hospital and lot"),
}

PROGRESS_LISTING = Listing(
    sorts=(
        Sort("completion", _l("Completion"), _completion),
        Sort("name", _l("Name"), lambda row: row.label),
        Sort("agreed", _l("Agreed"), lambda row: row.agreed),
        Sort("accepted", _l("Accepted"), lambda row: row.accepted),
        Sort("behind", _l("Contracts behind"), lambda row: row.behind),
    ),
)


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
        institution_type=type_arg(),
    )


def progress_link(filters: Filters, **extra) -> str:
    args = {
        "tender": filters.tender_id,
        "year": filters.contract_year,
        "type": filters.institution_type,
        **extra,
    }
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
    if fmt in ("csv", "xlsx") and len(report.rows) > INLINE_EXPORT_LINES:  # made by a job
        job = ask_progress_export(
            get_session(), filters=filters, group_by=group_by, fmt=fmt, actor=page_actor()
        )
        return after_asking(job, back=progress_link(filters))
    if fmt in ("csv", "xlsx"):
        return export.table_response(
            f"progress-{group_by}", export.PROGRESS_HEADER, export.progress_rows(report.rows), fmt
        )
    kept = {k: v for k, v in request.args.items() if k not in ("page", "sort", "format")}
    page = PROGRESS_LISTING.page_of(report.rows, **kept)
    return render_template(
        "compliance/progress.html",
        page=page,
        report=report,
        f=filters,
        groups=GROUPS,
        group_labels=GROUP_LABELS,
        link=progress_link,
        args=request.args,
        types=buyer_types(get_session(), [r.key for r in page.items])
        if group_by == "hospital"
        else {},
        type_choices=type_choices(),
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
    context = {
        "report": report,
        "page": PROGRESS_LISTING.page_of(report.rows),
        "alerts": recent_open_alerts(),
        "case_endpoint": f"compliance_pages.{actor.org_kind.value}_alert",
    }
    if actor.org_kind == OrgKind.MANUFACTURER:
        context["levels"] = services.credit_levels(session, now=now(), actor=actor)
        context["events"] = recent_credit_events()
    else:
        context["runs"] = services.list_year_ends(session, actor=actor)
    return render_template("compliance/own.html", side=actor.org_kind.value, **context)
