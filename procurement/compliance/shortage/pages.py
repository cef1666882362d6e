"""Pages of shortage monitoring (RULES.md 14): the manufacturer's reporting duties and its
monthly report form; the regulator's and the fund's shortages by level, and one shortage with
its level history, its backup supplier and the orders the backup received."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.compliance.alerts.models import Alert, AlertStatus
from procurement.compliance.common_pages import REGULATOR, act, bp
from procurement.compliance.shortage import backup_services, services
from procurement.compliance.shortage import rules as r
from procurement.compliance.shortage.schemas import ShortageReportCreateSchema
from procurement.core.errors import DomainError
from procurement.web.auth import page_actor, portal_required
from procurement.web.forms import PageForm
from procurement.web.labels import label
from procurement.web.listing import Choice, Listing, Sort
from procurement.web.pages import add_nav
from procurement.web.problems import status_for
from procurement.web.session import get_session, now

MAKER = portal_required(OrgKind.MANUFACTURER)
READERS = portal_required(OrgKind.REGULATOR, OrgKind.FUND, OrgKind.MANUFACTURER)

add_nav(OrgKind.MANUFACTURER, _l("Shortage reports"), "compliance_pages.shortage_reports", 62)
add_nav(OrgKind.REGULATOR, _l("Shortages"), "compliance_pages.shortages", order=82)
add_nav(OrgKind.FUND, _l("Shortages"), "compliance_pages.shortages", order=82)


@bp.app_template_filter("shortage_level")
def level_label(code: str | None) -> str:
    return label(r.Level(code)) if code else "–"


@bp.app_template_global("shortage_region")
def level_region(code: str | None) -> str:
    from procurement.web.regions import region_label

    return _("Nationwide") if code == r.NATION else region_label(code)


@bp.route("/compliance/shortage-reports", methods=["GET", "POST"])
@MAKER
def shortage_reports():
    """The manufacturer's reports owed (this month's and missing ones) and the report form."""
    session, actor = get_session(), page_actor()
    form = PageForm(ShortageReportCreateSchema())
    if form.submitted and form.validate():
        try:
            services.submit_report(
                session, data=services.ReportInput(**form.data), now=now(), actor=actor
            )
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Report for %(period)s recorded.", period=form.data["period"]), "success")
            return redirect(url_for(".shortage_reports"))
    duties = services.reporting_duties(session, now=now(), actor=actor)
    reports = services.list_reports(session, actor=actor)[:50]
    products = {(d.product_id, d.product) for d in duties.rows}
    options = [("", _("Choose…")), *sorted(products, key=lambda p: p[1])]
    if not form.submitted and request.args.get("product"):
        form.values.update(product_id=request.args["product"], period=request.args.get("period"))
    return render_template(
        "compliance/shortage_reports.html",
        duties=duties,
        reports=reports,
        form=form,
        options=options,
        rules=r.RULES,
    ), form.status


SHORTAGES = Listing(
    filters=(
        Choice("level", _l("Level"), r.Level, lambda q, v: q.where(Alert.level == v.value)),
        Choice("status", _l("Status"), AlertStatus, lambda q, v: q.where(Alert.status == v)),
    ),
    sorts=(
        Sort("level", _l("Level"), services.level_rank(), Alert.raised_at),
        Sort("raised", _l("Raised"), Alert.raised_at),
    ),
    default_sort="level",
    tiebreak=Alert.id,
)


@bp.get("/compliance/shortages")
@READERS
def shortages():
    """Shortages, the highest level first, filtered by level and status."""
    page = SHORTAGES.paginate(get_session(), services.shortages_query(page_actor()))
    return render_template("compliance/shortages.html", page=page)


@bp.get("/compliance/shortages/<int:alert_id>")
@READERS
def shortage(alert_id: int, errors: dict | None = None, reason: str = ""):
    """One shortage: facts, level history, backup and the orders it received."""
    case = services.get_shortage(get_session(), alert_id=alert_id, actor=page_actor())
    return render_template(
        "compliance/shortage.html",
        case=case,
        a=case.alert,
        backup_region=backup_services.backup_region(case.alert),
        can_activate=services.is_open_shortage(case.alert) and case.activation is None,
        errors=errors or {},
        reason=reason,
    )


@bp.post("/compliance/shortages/<int:alert_id>/backup")
@REGULATOR
def activate_backup(alert_id: int):
    """Activate the award's backup supplier for the shortage's region."""
    return act(
        backup_services.activate_backup,
        _("Backup supplier activated."),
        url_for(".shortage", alert_id=alert_id),
        alert_id=alert_id,
    )


@bp.post("/compliance/shortages/<int:alert_id>/backup/end")
@REGULATOR
def end_backup(alert_id: int):
    """End the backup supply with a reason; a refusal is shown beside the field, input kept."""
    session = get_session()
    reason = request.form.get("reason", "")
    try:
        backup_services.end_backup(
            session, alert_id=alert_id, reason=reason, now=now(), actor=page_actor()
        )
    except DomainError as error:
        session.rollback()
        fields = error.extra.get("errors") or {"_": [error.detail]}
        return shortage(alert_id, errors=fields, reason=reason), status_for(error)
    flash(_("Backup supply ended."), "success")
    return redirect(url_for(".shortage", alert_id=alert_id))


@bp.post("/compliance/shortages/check")
@REGULATOR
def check_shortages():
    """Run the compliance check now (every alert, shortages included) and come back here."""
    from procurement.compliance.alerts.services import evaluate_alerts

    return act(evaluate_alerts, _("Alerts checked."), url_for(".shortages"))
