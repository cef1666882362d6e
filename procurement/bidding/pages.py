"""Pages: the manufacturer's bidding portal and the regulator's opening and results."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import OrgKind
from procurement.bidding import services
from procurement.bidding.api import export_response
from procurement.bidding.costs import FIGURES, in_time
from procurement.bidding.errors import BidFieldsNotNumbers
from procurement.bidding.export import COLUMNS
from procurement.bidding.models import Bid, BidStatus
from procurement.bidding.schemas import CostBreakdownSchema
from procurement.bidding.seal import sealer_from_settings
from procurement.bidding.services.common import is_opened
from procurement.catalog import services as catalog
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.catalog.services import rules_of
from procurement.core.errors import DomainError
from procurement.core.messages import translated
from procurement.core.money import UNIT_PRICE_DECIMALS, fixed
from procurement.web.auth import page_actor, portal_required
from procurement.web.fieldnames import column_headings
from procurement.web.forms import PageForm
from procurement.web.listing import Choice, Listing, Sort, Text
from procurement.web.pages import add_nav, set_portal_home
from procurement.web.problems import status_for
from procurement.web.session import get_session, now

bp = Blueprint("bidding_pages", __name__, template_folder="templates")
MANUFACTURER = portal_required(OrgKind.MANUFACTURER)
REGULATOR = portal_required(OrgKind.REGULATOR)

add_nav(OrgKind.MANUFACTURER, _l("Bidding"), "bidding_pages.open_tenders", order=20)
add_nav(OrgKind.MANUFACTURER, _l("My bids"), "bidding_pages.my_bids", order=21)
add_nav(OrgKind.REGULATOR, _l("Bid opening"), "bidding_pages.regulator_tenders", order=30)
set_portal_home(OrgKind.MANUFACTURER, "bidding_pages.open_tenders")


def _sealer():
    return sealer_from_settings(current_app.config)


@bp.get("/manufacturer/bidding")
@MANUFACTURER
def open_tenders():
    """The manufacturer's bidding to-do list: tenders open for bids with their deadlines, the
    lots it has bid on and those it has not, and its bids that can still be changed."""
    session, actor = get_session(), page_actor()
    tenders = catalog.list_tenders(session, actor=actor, status="bidding_open")
    tenders.sort(key=lambda t: (t.bid_deadline, t.id))
    open_ids = {t.id for t in tenders}
    mine = [b for b in services.my_bids(session, actor=actor) if b.tender_id in open_ids]
    bid_lots = {b.lot_id for b in mine if b.is_live}
    due = services.due_cost_disclosures(session, now=now(), actor=actor)
    return render_template(
        "bidding/open_tenders.html",
        tenders=tenders,
        mine=mine,
        bid_lots=bid_lots,
        due=due,
        now=now(),
    )


@bp.get("/manufacturer/bidding/tenders/<int:tender_id>")
@MANUFACTURER
def tender_lots(tender_id: int):
    session, actor = get_session(), page_actor()
    tender = catalog.get_tender(session, tender_id=tender_id, actor=actor)
    mine = {b.lot_id: b for b in services.my_bids(session, actor=actor)}
    return render_template(
        "bidding/tender_lots.html", tender=tender, mine=mine, rules=rules_of(tender), now=now()
    )


def _form_data(form) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Typed values of the bid form; unparseable fields become field errors."""
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {
        "regions": form.getlist("regions") or None,  # none ticked: the whole scope
        "note": form.get("note", ""),
        "revival_opt_in": form.get("revival_opt_in") == "on",
        "cost_commitment": form.get("cost_commitment") == "on",
    }
    for name, parse in (("product_id", int), ("capacity", int), ("price_per_pack", Decimal)):
        try:
            data[name] = parse(form.get(name, "").strip().replace(",", ""))
        except (ValueError, InvalidOperation):
            errors[name] = [_("Enter a number.")]
    return data, errors


def _form_context(lot, bid=None) -> dict[str, Any]:
    session, actor = get_session(), page_actor()
    products = [
        p
        for p in catalog.list_products(session, actor=actor)
        if p.generic_name == lot.generic_name and p.dosage_class == lot.dosage_class
    ]
    return {
        "lot": lot,
        "tender": lot.tender,
        "products": products,
        "factor": rules_of(lot.tender).selection.price_ratio_factor,
        "bid": bid,
    }


@bp.route("/manufacturer/bidding/lots/<int:lot_id>/bid", methods=["GET", "POST"])
@MANUFACTURER
def bid_form(lot_id: int):
    session, actor = get_session(), page_actor()
    lot = catalog.get_lot(session, lot_id=lot_id, actor=actor)
    bid = next((b for b in services.list_lot_bids(session, lot_id=lot.id, actor=actor)), None)
    live = bid if bid is not None and bid.is_live else None
    if request.method == "GET":
        return render_template("bidding/bid_form.html", **_form_context(lot, live), form={})
    data, errors = _form_data(request.form)
    try:
        if errors:
            raise BidFieldsNotNumbers(errors=errors)
        if live is None:
            result = services.submit_bid(
                session, lot_id=lot.id, data=data, now=now(), actor=actor, sealer=_sealer()
            )
        else:
            version = request.form.get("version", type=int)
            result = services.amend_bid(
                session,
                bid_id=live.id,
                data=data,
                expected_version=version,
                now=now(),
                actor=actor,
                sealer=_sealer(),
            )
    except DomainError as error:
        session.rollback()
        context = _form_context(lot, live)
        return render_template(
            "bidding/bid_form.html", **context, form=request.form, error=error
        ), status_for(error)
    for warning in result.warnings:
        flash(translated(warning), "warning")
    flash(_("Your bid is sealed. Keep the receipt to verify it after the opening."), "success")
    return redirect(url_for("bidding_pages.receipt", bid_id=result.bid.id))


MY_BIDS = Listing(
    filters=(
        Choice("status", _l("Status"), BidStatus, lambda q, v: q.where(Bid.status == v)),
        Text("tender", _l("Tender"), lambda q, v: q.where(Bid.tender.has(Tender.code == v))),
    ),
    sorts=(
        Sort("submitted", _l("Submitted"), Bid.submitted_at),
        Sort("updated", _l("Updated"), Bid.updated_at),
    ),
    default_sort="-submitted",
    tiebreak=Bid.id,
)


@bp.get("/manufacturer/bidding/bids")
@MANUFACTURER
def my_bids():
    """The manufacturer's bids, newest first, paged."""
    actor = page_actor()
    query = select(Bid).where(Bid.manufacturer_id == actor.org_id)
    page = MY_BIDS.paginate(get_session(), query)
    return render_template("bidding/my_bids.html", page=page)


@bp.get("/manufacturer/bidding/bids/<int:bid_id>")
@MANUFACTURER
def receipt(bid_id: int):
    session, actor = get_session(), page_actor()
    bid = services.get_bid(session, bid_id=bid_id, actor=actor)
    the_receipt = services.bid_receipt(session, bid_id=bid_id, actor=actor)
    can_change = bid.tender.status == TenderStatus.BIDDING_OPEN and now() < bid.tender.bid_deadline
    return render_template(
        "bidding/receipt.html",
        bid=bid,
        receipt=the_receipt,
        can_change=can_change,
        disclosure=services.bid_cost_disclosure(session, bid),
    )


@bp.get("/manufacturer/bidding/bids/<int:bid_id>/receipt.json")
@MANUFACTURER
def receipt_json(bid_id: int):
    the_receipt = services.bid_receipt(get_session(), bid_id=bid_id, actor=page_actor())
    body = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in vars(the_receipt).items()
    }
    response = Response(json.dumps(body, indent=2), mimetype="application/json")
    name = f"bid-{the_receipt.reference}-receipt-v{the_receipt.version}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/manufacturer/bidding/bids/<int:bid_id>/withdraw")
@MANUFACTURER
def withdraw(bid_id: int):
    services.withdraw_bid(
        get_session(),
        bid_id=bid_id,
        expected_version=request.form.get("version", type=int),
        now=now(),
        actor=page_actor(),
    )
    flash(_("Your bid was withdrawn. You may submit again before the deadline."), "success")
    return redirect(url_for("bidding_pages.receipt", bid_id=bid_id))


@bp.route("/manufacturer/bidding/bids/<int:bid_id>/cost-breakdown", methods=["GET", "POST"])
@MANUFACTURER
def cost_breakdown(bid_id: int):
    """File (or correct, until the deadline) the cost breakdown asked of your bid."""
    session, actor = get_session(), page_actor()
    disclosure = services.get_cost_breakdown(session, bid_id=bid_id, actor=actor)
    initial = {
        name: fixed(getattr(disclosure, name), UNIT_PRICE_DECIMALS)
        for name in FIGURES
        if disclosure.filed
    }
    form = PageForm(CostBreakdownSchema(), initial=initial | {"note": disclosure.note or ""})
    if form.submitted and form.validate():
        try:
            services.file_cost_breakdown(
                session, bid_id=bid_id, data=form.data, now=now(), actor=actor
            )
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Your cost breakdown is filed."), "success")
            return redirect(url_for("bidding_pages.cost_breakdown", bid_id=bid_id))
    page = render_template(
        "bidding/cost_breakdown.html",
        d=disclosure,
        bid=disclosure.bid,
        form=form,
        can_file=in_time(now(), disclosure.due_at),
    )
    return page, form.status


@bp.get("/regulator/bidding/bids/<int:bid_id>")
@REGULATOR
def regulator_bid(bid_id: int):
    """One opened bid as its tender's regulator reads it; before the opening a sealed bid is
    answered exactly like a missing one (404)."""
    bid = services.get_bid(get_session(), bid_id=bid_id, actor=page_actor())
    return render_template("bidding/bid.html", bid=bid, side="regulator")


@bp.get("/regulator/bidding")
@REGULATOR
def regulator_tenders():
    session, actor = get_session(), page_actor()
    tenders = [
        t
        for t in catalog.list_tenders(session, actor=actor)
        if t.created_by_org_id == actor.org_id and t.status != TenderStatus.DRAFT
    ]
    totals = {t.id: services.bid_summary(session, tender_id=t.id, actor=actor) for t in tenders}
    return render_template("bidding/regulator_tenders.html", tenders=tenders, totals=totals)


@bp.get("/regulator/bidding/tenders/<int:tender_id>")
@REGULATOR
def regulator_tender(tender_id: int):
    session, actor = get_session(), page_actor()
    summary = services.bid_summary(session, tender_id=tender_id, actor=actor)
    tender = catalog.get_tender(session, tender_id=tender_id, actor=actor)
    bids = services.opened_bids(session, tender_id=tender_id, actor=actor) if summary.opened else []
    return render_template(
        "bidding/regulator_tender.html",
        tender=tender,
        summary=summary,
        bids=bids,
        opened=is_opened(tender),
        can_open=now() >= tender.opening_at,
    )


@bp.post("/regulator/bidding/tenders/<int:tender_id>/open")
@REGULATOR
def open_tender(tender_id: int):
    services.open_bids(
        get_session(), tender_id=tender_id, now=now(), actor=page_actor(), sealer=_sealer()
    )
    flash(_("The bids are open, normalized and ranked."), "success")
    return redirect(url_for("bidding_pages.regulator_tender", tender_id=tender_id))


@bp.get("/regulator/bidding/tenders/<int:tender_id>/export.<fmt>")
@REGULATOR
def export(tender_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        return redirect(url_for("bidding_pages.regulator_tender", tender_id=tender_id))
    bids = services.opened_bids(get_session(), tender_id=tender_id, actor=page_actor())
    return export_response(bids, fmt, f"tender-{tender_id}-bids", column_headings(COLUMNS))


from procurement.bidding import groups_pages  # noqa: E402, F401  (its routes join bp)
