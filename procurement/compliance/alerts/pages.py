"""Alerts and their escalation: the list, the check, escalate, resolve and respond."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _

from procurement.compliance import export, services
from procurement.compliance.web import OVERSIGHT, OWN, REGULATOR, act, bp, own_url
from procurement.web.auth import page_actor
from procurement.web.session import get_session


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
            ("id", "kind", "severity", "subject", "step", "status", "raised_at", "detail"),
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


@bp.post("/regulator/compliance/check")
@REGULATOR
def check():
    return act(services.evaluate_alerts, _("Alerts checked."), url_for("compliance_pages.alerts"))


@bp.post("/regulator/compliance/alerts/<int:alert_id>/escalate")
@REGULATOR
def escalate(alert_id: int):
    return act(
        services.escalate_alert,
        _("Alert escalated."),
        url_for("compliance_pages.alerts"),
        alert_id=alert_id,
        note=request.form.get("note", ""),
    )


@bp.post("/regulator/compliance/alerts/<int:alert_id>/resolve")
@REGULATOR
def resolve(alert_id: int):
    return act(
        services.resolve_alert,
        _("Alert resolved."),
        url_for("compliance_pages.alerts"),
        alert_id=alert_id,
        note=request.form.get("note", ""),
    )


@bp.post("/compliance/alerts/<int:alert_id>/respond")
@OWN
def respond(alert_id: int):
    return act(
        services.respond_to_alert,
        _("Response sent."),
        own_url(),
        alert_id=alert_id,
        note=request.form.get("note", ""),
    )
