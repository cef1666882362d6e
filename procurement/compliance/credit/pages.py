"""Supplier credit: levels and events, appeals, decisions and credit repair."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _

from procurement.compliance import services
from procurement.compliance.web import OVERSIGHT, OWN, REGULATOR, act, bp, own_url
from procurement.web.auth import page_actor
from procurement.web.session import get_session, now


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
    return act(
        services.decide_appeal,
        _("Appeal decided."),
        url_for("compliance_pages.credit"),
        appeal_id=appeal_id,
        decision=request.form.get("decision", ""),
        note=request.form.get("note", ""),
    )


@bp.post("/regulator/compliance/credit/repairs")
@REGULATOR
def repair():
    return act(
        services.repair_credit,
        _("Credit repaired."),
        url_for("compliance_pages.credit"),
        manufacturer_id=int(request.form.get("manufacturer_id") or 0),
        note=request.form.get("note", ""),
    )


@bp.post("/manufacturer/compliance/events/<int:event_id>/appeal")
@OWN
def appeal(event_id: int):
    return act(
        services.appeal_credit_event,
        _("Appeal filed."),
        own_url(),
        event_id=event_id,
        reason=request.form.get("reason", ""),
    )
