"""Alert cases: the list (filtered, sorted, 50 a page), the check, and one case's page where
the regulator escalates or closes it with a note and its subject replies."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import Organization, OrgKind
from procurement.catalog.models import Lot
from procurement.compliance import export, services
from procurement.compliance.alerts.models import Alert, AlertKind, AlertStatus, EscalationStep
from procurement.compliance.alerts.queries import alert_case, in_region, visible_alerts
from procurement.compliance.common_pages import (
    OVERSIGHT,
    OWN,
    REGULATOR,
    act,
    bp,
    provinces,
    region_text,
)
from procurement.compliance.export_job_services import ask_alerts_export
from procurement.compliance.schemas import AlertCloseSchema, AlertNoteSchema, AlertReplySchema
from procurement.core.errors import DomainError
from procurement.core.limits import INLINE_EXPORT_LINES
from procurement.jobs.pages import after_asking
from procurement.web.auth import page_actor, portal_required
from procurement.web.forms import PageForm
from procurement.web.listing import Choice, Listing, Sort, Text
from procurement.web.session import get_session, now

RECENT = 10  # open alerts an organization's own page shows before "all my alerts"


def _lots_with_alerts():
    rows = get_session().execute(
        select(Lot.id, Lot.code, Lot.generic_name)
        .where(Lot.id.in_(select(Alert.lot_id).where(Alert.lot_id.is_not(None))))
        .order_by(Lot.code, Lot.id)
    )
    return [(lot_id, f"{code} {name}") for lot_id, code, name in rows]


def _region_choices():
    return [(code, region_text(code)) for code in provinces(get_session())]


def _subject_named(statement, text: str):
    named = select(Organization.id).where(Organization.name.contains(text, autoescape=True))
    return statement.where(Alert.subject_org_id.in_(named))


LISTING = Listing(
    filters=(
        Choice("status", _l("Status"), AlertStatus, lambda q, v: q.where(Alert.status == v)),
        Choice("step", _l("Step"), EscalationStep, lambda q, v: q.where(Alert.step == v)),
        Choice("kind", _l("Kind"), AlertKind, lambda q, v: q.where(Alert.kind == v)),
        Text("subject", _l("Hospital or supplier"), _subject_named),
        Choice("region", _l("Region"), _region_choices, lambda q, v: q.where(in_region(v))),
        Choice("lot", _l("Lot"), _lots_with_alerts, lambda q, v: q.where(Alert.lot_id == int(v))),
    ),
    sorts=(
        Sort("raised", _l("Raised"), Alert.raised_at),
        Sort("updated", _l("Updated"), Alert.updated_at),
        Sort("step", _l("Step"), Alert.step),
        Sort("kind", _l("Kind"), Alert.kind),
        Sort("severity", _l("Severity"), Alert.severity),
    ),
    default_sort="-raised",
    tiebreak=Alert.id,
)
OWN_LISTING = Listing(
    filters=(Choice("status", _l("Status"), AlertStatus, lambda q, v: q.where(Alert.status == v)),),
    sorts=(Sort("raised", _l("Raised"), Alert.raised_at),),
    default_sort="-raised",
    tiebreak=Alert.id,
)


@bp.get("/regulator/compliance/alerts")
@OVERSIGHT
def alerts():
    session = get_session()
    statement = visible_alerts(page_actor())
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        narrowed, _typed, _errors = LISTING.narrow(statement)
        ordered = narrowed.order_by(Alert.raised_at.desc(), Alert.id.desc())
        ids = list(session.scalars(ordered.with_only_columns(Alert.id)))
        if len(ids) > INLINE_EXPORT_LINES:  # made by a job
            job = ask_alerts_export(session, ids=ids, fmt=fmt, actor=page_actor())
            return after_asking(job, back=url_for("compliance_pages.alerts"))
        rows = export.alert_rows(session.scalars(ordered))
        return export.table_response("alerts", export.ALERTS_HEADER, rows, fmt)
    page = LISTING.paginate(session, statement)
    regulator = page_actor().org_kind == OrgKind.REGULATOR
    return render_template("compliance/alerts.html", page=page, regulator=regulator)


def case_url(alert_id: int) -> str:
    """The case page in the viewer's portal."""
    kind = page_actor().org_kind
    if kind in (OrgKind.HOSPITAL, OrgKind.MANUFACTURER):
        return url_for(f"compliance_pages.{kind.value}_alert", alert_id=alert_id)
    return url_for("compliance_pages.alert", alert_id=alert_id)


def recent_open_alerts(limit: int = RECENT) -> list[Alert]:
    """The actor's newest open alerts (its own page lists them; the rest are one click on)."""
    query = visible_alerts(page_actor()).where(Alert.status == AlertStatus.OPEN)
    return list(get_session().scalars(query.order_by(Alert.raised_at.desc()).limit(limit)))


@bp.get("/regulator/compliance/alerts/<int:alert_id>")
@OVERSIGHT
def alert(alert_id: int):
    return _case(alert_id)


@bp.get("/hospital/compliance/alerts/<int:alert_id>")
@portal_required(OrgKind.HOSPITAL)
def hospital_alert(alert_id: int):
    return _case(alert_id)


@bp.get("/manufacturer/compliance/alerts/<int:alert_id>")
@portal_required(OrgKind.MANUFACTURER)
def manufacturer_alert(alert_id: int):
    return _case(alert_id)


@bp.get("/hospital/compliance/alerts")
@portal_required(OrgKind.HOSPITAL)
def hospital_alerts():
    return _own_list()


@bp.get("/manufacturer/compliance/alerts")
@portal_required(OrgKind.MANUFACTURER)
def manufacturer_alerts():
    return _own_list()


def _own_list():
    kind = page_actor().org_kind.value
    page = OWN_LISTING.paginate(get_session(), visible_alerts(page_actor()))
    return render_template(
        "compliance/own_alerts.html", page=page, case_endpoint=f"compliance_pages.{kind}_alert"
    )


def _case(alert_id: int, forms: dict[str, PageForm] | None = None, status: int = 200):
    case = alert_case(get_session(), alert_id=alert_id, actor=page_actor())
    forms = forms or {}
    for name, schema in (
        ("escalate", AlertNoteSchema()),
        ("resolve", AlertCloseSchema()),
        ("respond", AlertReplySchema()),
    ):
        forms.setdefault(name, PageForm(schema, {}))
    return render_template(
        "compliance/alert.html", case=case, forms=forms, actor=page_actor()
    ), status


def _step(alert_id: int, name: str, schema, service, done: str):
    """Run one step of a case from its page: on success back to the case, else the case
    re-shown with the note as typed and the error beside it."""
    form = PageForm(schema)
    if form.validate():
        try:
            service(get_session(), alert_id=alert_id, now=now(), actor=page_actor(), **form.data)
        except DomainError as error:
            form.refuse(error)
        else:
            flash(done, "success")
            return redirect(case_url(alert_id))
    return _case(alert_id, {name: form}, 422)


@bp.post("/regulator/compliance/check")
@REGULATOR
def check():
    return act(services.evaluate_alerts, _("Alerts checked."), url_for("compliance_pages.alerts"))


@bp.post("/regulator/compliance/alerts/<int:alert_id>/escalate")
@REGULATOR
def escalate(alert_id: int):
    return _step(
        alert_id, "escalate", AlertNoteSchema(), services.escalate_alert, _("Alert escalated.")
    )


@bp.post("/regulator/compliance/alerts/<int:alert_id>/resolve")
@REGULATOR
def resolve(alert_id: int):
    return _step(
        alert_id, "resolve", AlertCloseSchema(), services.resolve_alert, _("Alert resolved.")
    )


@bp.post("/compliance/alerts/<int:alert_id>/respond")
@OWN
def respond(alert_id: int):
    return _step(
        alert_id, "respond", AlertReplySchema(), services.respond_to_alert, _("Response sent.")
    )
