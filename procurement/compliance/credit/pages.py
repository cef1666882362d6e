"""Supplier credit: levels and events, appeals, decisions and credit repair."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import Organization, OrgKind
from procurement.compliance import services
from procurement.compliance.common_pages import OVERSIGHT, OWN, REGULATOR, act, bp, own_url
from procurement.compliance.credit.models import CreditEvent, CreditEventKind, CreditEventStatus
from procurement.compliance.credit.queries import visible_credit_events
from procurement.web.auth import page_actor, portal_required
from procurement.web.listing import Choice, DateFrom, DateTo, Listing, Sort, Text
from procurement.web.session import get_session, now

RECENT = 10  # credit events a manufacturer's own page shows before "all my events"


def _maker_named(statement, text: str):
    named = select(Organization.id).where(Organization.name.contains(text, autoescape=True))
    return statement.where(CreditEvent.manufacturer_id.in_(named))


def _event_filters(with_maker: bool):
    maker = (Text("manufacturer", _l("Manufacturer"), _maker_named),) if with_maker else ()
    return (
        *maker,
        Choice("kind", _l("Kind"), CreditEventKind, lambda q, v: q.where(CreditEvent.kind == v)),
        Choice(
            "status", _l("Status"), CreditEventStatus, lambda q, v: q.where(CreditEvent.status == v)
        ),
        DateFrom("from", _l("From"), CreditEvent.occurred_at),
        DateTo("to", _l("Until"), CreditEvent.occurred_at),
    )


EVENT_SORTS = (
    Sort("when", _l("When"), CreditEvent.occurred_at),
    Sort("points", _l("Points"), CreditEvent.points),
    Sort("kind", _l("Kind"), CreditEvent.kind),
)
EVENTS = Listing(
    filters=_event_filters(with_maker=True),
    sorts=EVENT_SORTS,
    default_sort="-when",
    tiebreak=CreditEvent.id,
)
OWN_EVENTS = Listing(
    filters=_event_filters(with_maker=False),
    sorts=EVENT_SORTS,
    default_sort="-when",
    tiebreak=CreditEvent.id,
)
LEVELS = Listing(
    sorts=(
        Sort("points", _l("Points"), lambda standing: standing.points),
        Sort("name", _l("Manufacturer"), lambda standing: standing.name),
    ),
)


@bp.get("/regulator/compliance/credit")
@OVERSIGHT
def credit():
    session, actor = get_session(), page_actor()
    levels = LEVELS.page_of(services.credit_levels(session, now=now(), actor=actor))
    return render_template(
        "compliance/credit.html",
        levels=levels,
        regulator=actor.org_kind == OrgKind.REGULATOR,
    )


@bp.get("/regulator/compliance/credit/events")
@OVERSIGHT
def credit_events():
    actor = page_actor()
    page = EVENTS.paginate(get_session(), visible_credit_events(actor))
    return render_template(
        "compliance/credit_events.html",
        page=page,
        side="regulator" if actor.org_kind == OrgKind.REGULATOR else "fund",
    )


@bp.get("/manufacturer/compliance/credit")
@portal_required(OrgKind.MANUFACTURER)
def manufacturer_credit():
    page = OWN_EVENTS.paginate(get_session(), visible_credit_events(page_actor()))
    return render_template("compliance/credit_events.html", page=page, side="manufacturer")


def recent_credit_events() -> list[CreditEvent]:
    """A manufacturer's newest credit events (its own page)."""
    query = visible_credit_events(page_actor()).order_by(
        CreditEvent.occurred_at.desc(), CreditEvent.id.desc()
    )
    return list(get_session().scalars(query.limit(RECENT)))


@bp.post("/regulator/compliance/credit/appeals/<int:appeal_id>/decide")
@REGULATOR
def decide(appeal_id: int):
    return act(
        services.decide_appeal,
        _("Appeal decided."),
        url_for("compliance_pages.credit_events"),
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
