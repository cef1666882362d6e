"""Pages: the regulator's dashboard (its portal home) with drill-down tables and exports,
alerts and escalation, credit and year-end; the hospital's and the manufacturer's own pages."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.compliance import charts, export, services
from procurement.compliance.errors import NotWholeNumber
from procurement.compliance.queries import GROUPS, Filters, furthest_behind
from procurement.compliance.services.dashboard import dashboard as dashboard_data
from procurement.compliance.services.dashboard import default_selection
from procurement.compliance.services.yearend import with_arithmetic
from procurement.core.errors import DomainError
from procurement.core.messages import N_
from procurement.web.auth import page_actor, portal_required
from procurement.web.fieldnames import column_headings
from procurement.web.pages import add_nav, set_portal_home
from procurement.web.session import get_session, now

bp = Blueprint("compliance_pages", __name__, template_folder="templates")
REGULATOR = portal_required(OrgKind.REGULATOR)
OVERSIGHT = portal_required(OrgKind.REGULATOR, OrgKind.FUND)
OWN = portal_required(OrgKind.HOSPITAL, OrgKind.MANUFACTURER)

add_nav(OrgKind.REGULATOR, _l("Compliance"), "compliance_pages.dashboard", order=5)
add_nav(OrgKind.REGULATOR, _l("Alerts"), "compliance_pages.alerts", order=80)
add_nav(OrgKind.REGULATOR, _l("Credit"), "compliance_pages.credit", order=85)
add_nav(OrgKind.REGULATOR, _l("Year end"), "compliance_pages.year_end", order=90)
add_nav(OrgKind.HOSPITAL, _l("Progress"), "compliance_pages.hospital_own", order=60)
add_nav(
    OrgKind.MANUFACTURER, _l("Progress and credit"), "compliance_pages.manufacturer_own", order=60
)
set_portal_home(OrgKind.REGULATOR, "compliance_pages.dashboard")


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise NotWholeNumber(errors={name: [N_("not a number")]}, name=name)
    return int(value)


def _filters() -> Filters:
    tender, year = _int("tender"), _int("year")
    if tender is None and not request.args.get("all"):
        tender, year = default_selection(get_session(), now())
    return Filters(
        tender_id=tender,
        contract_year=year,
        lot_id=_int("lot"),
        region_code=request.args.get("region") or None,
        hospital_id=_int("hospital"),
        manufacturer_id=_int("manufacturer"),
    )


def _link(f: Filters, **extra) -> str:
    args = {"tender": f.tender_id, "year": f.contract_year, **extra}
    return url_for("compliance_pages.progress", **{k: v for k, v in args.items() if v})


def _bars(rows, f: Filters, group: str, arg: str):
    return [
        charts.Bar(
            str(r.key),
            r.label,
            r.completion,
            _link(f, group_by="hospital" if group != "hospital" else "lot", **{arg: r.key}),
            r.time_progress * Decimal("0.8"),
        )
        for r in rows
    ]


@bp.get("/regulator/compliance")
@OVERSIGHT
def dashboard():
    tender = _int("tender")
    data = dashboard_data(
        get_session(), tender_id=tender, year=_int("year"), now=now(), actor=page_actor()
    )
    f = Filters(tender_id=data.tender.id if data.tender else None, contract_year=data.year)
    groups = data.groups
    region_chart = charts.bar_chart(
        _bars(groups["region"], f, "region", "region"),
        testid="chart-region",
        title=_("Completion by region"),
    )
    lot_chart = charts.bar_chart(
        _bars(groups["lot"], f, "lot", "lot"), testid="chart-lot", title=_("Completion by lot")
    )
    curve = charts.line_chart(
        [
            charts.Point(day, done, tp, _link(f, group_by="hospital"))
            for day, done, tp in data.curve
        ],
        testid="chart-curve",
        title=_("Completion against time elapsed"),
    )
    return render_template(
        "compliance/dashboard.html",
        d=data,
        f=f,
        link=_link,
        region_chart=region_chart,
        lot_chart=lot_chart,
        curve=curve,
        hospitals=groups["hospital"],
        suppliers=furthest_behind(groups["manufacturer"]),
    )


@bp.get("/regulator/compliance/progress")
@OVERSIGHT
def progress():
    f = _filters()
    group_by = request.args.get("group_by", "lot")
    report = services.progress_report(
        get_session(), filters=f, group_by=group_by, now=now(), actor=page_actor()
    )
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return export.table_response(
            f"progress-{group_by}",
            column_headings(export.PROGRESS_HEADER),
            export.progress_rows(report.rows),
            fmt,
        )
    return render_template(
        "compliance/progress.html", report=report, f=f, groups=GROUPS, link=_link, args=request.args
    )


@bp.get("/regulator/compliance/alerts")
@OVERSIGHT
def alerts():
    rows = services.list_alerts(
        get_session(),
        actor=page_actor(),
        status=request.args.get("status") or "open",
        step=request.args.get("step") or None,
        kind=request.args.get("kind") or None,
    )
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return export.table_response(
            "alerts",
            column_headings(
                ("id", "kind", "severity", "subject", "step", "status", "raised_at", "detail")
            ),
            [
                [
                    a.id,
                    a.kind.value,
                    a.severity.value,
                    a.subject.name if a.subject else "",
                    a.step.value,
                    a.status.value,
                    a.raised_at.isoformat(),
                    a.detail,
                ]
                for a in rows
            ],
            fmt,
        )
    return render_template("compliance/alerts.html", alerts=rows, side="regulator")


def _act(fn, ok: str, target: str, **kwargs):
    session = get_session()
    try:
        fn(session, now=now(), actor=page_actor(), **kwargs)
    except DomainError as error:
        session.rollback()
        flash(error.detail, "error")
    else:
        flash(ok, "success")
    return redirect(target)


@bp.post("/regulator/compliance/check")
@REGULATOR
def check():
    return _act(services.evaluate_alerts, _("Alerts checked."), url_for(".alerts"))


@bp.post("/regulator/compliance/alerts/<int:alert_id>/escalate")
@REGULATOR
def escalate(alert_id: int):
    return _act(
        services.escalate_alert,
        _("Alert escalated."),
        url_for(".alerts"),
        alert_id=alert_id,
        note=request.form.get("note", ""),
    )


@bp.post("/regulator/compliance/alerts/<int:alert_id>/resolve")
@REGULATOR
def resolve(alert_id: int):
    return _act(
        services.resolve_alert,
        _("Alert resolved."),
        url_for(".alerts"),
        alert_id=alert_id,
        note=request.form.get("note", ""),
    )


@bp.post("/compliance/alerts/<int:alert_id>/respond")
@OWN
def respond(alert_id: int):
    return _act(
        services.respond_to_alert,
        _("Response sent."),
        _own_url(),
        alert_id=alert_id,
        note=request.form.get("note", ""),
    )


@bp.get("/regulator/compliance/credit")
@OVERSIGHT
def credit():
    session, actor = get_session(), page_actor()
    return render_template(
        "compliance/credit.html",
        side="regulator",
        events=services.list_credit_events(session, actor=actor),
        levels=services.credit_levels(session, now=now(), actor=actor),
    )


@bp.post("/regulator/compliance/credit/appeals/<int:appeal_id>/decide")
@REGULATOR
def decide(appeal_id: int):
    return _act(
        services.decide_appeal,
        _("Appeal decided."),
        url_for(".credit"),
        appeal_id=appeal_id,
        decision=request.form.get("decision", ""),
        note=request.form.get("note", ""),
    )


@bp.post("/regulator/compliance/credit/repairs")
@REGULATOR
def repair():
    return _act(
        services.repair_credit,
        _("Credit repaired."),
        url_for(".credit"),
        manufacturer_id=int(request.form.get("manufacturer_id") or 0),
        note=request.form.get("note", ""),
    )


@bp.post("/manufacturer/compliance/events/<int:event_id>/appeal")
@OWN
def appeal(event_id: int):
    return _act(
        services.appeal_credit_event,
        _("Appeal filed."),
        _own_url(),
        event_id=event_id,
        reason=request.form.get("reason", ""),
    )


@bp.route("/regulator/compliance/year-end", methods=["GET", "POST"])
@OVERSIGHT
def year_end():
    session, tender, year = get_session(), _int("tender"), _int("year") or 1
    if request.method == "POST":
        tender = int(request.form.get("tender") or 0)
        year = int(request.form.get("year") or 1)
        return _act(
            services.run_year_end,
            _("Year-end check done."),
            url_for(".year_end", tender=tender, year=year),
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
            "year-end", column_headings(export.YEAR_END_HEADER), export.year_end_rows(results), fmt
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


def _own_url() -> str:
    return url_for(f".{page_actor().org_kind.value}_own")


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


@bp.get("/hospital/compliance/year-end")
@portal_required(OrgKind.HOSPITAL)
def own_year_end():
    return _year_end_page(get_session(), _int("tender"), _int("year") or 1, "hospital")
