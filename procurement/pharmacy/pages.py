"""Pharmacy pages: the public medicine finder (no login, phone-sized), a pharmacy's sign-up,
prices, sales and stock, and the regulator's watch. Errors beside their fields, input kept."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import OrgKind
from procurement.auth.regions import region_name
from procurement.auth.roles import PHARMACIES
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.core.errors import DomainError
from procurement.core.messages import translated
from procurement.pharmacy import services
from procurement.pharmacy.errors import PharmacyFormNotValid
from procurement.web.auth import page_actor, portal_required
from procurement.web.listing import Listing, Page, page_number
from procurement.web.pages import add_nav
from procurement.web.security import check_api_rate
from procurement.web.session import get_session, now

bp = Blueprint("pharmacy_pages", __name__, template_folder="templates")
BUYER = portal_required(OrgKind.HOSPITAL)
OVERSIGHT = portal_required(OrgKind.REGULATOR, OrgKind.FUND)

add_nav(OrgKind.HOSPITAL, _l("Pharmacy"), "pharmacy_pages.home", order=62, types=PHARMACIES)
for _kind in (OrgKind.REGULATOR, OrgKind.FUND):
    add_nav(_kind, _l("Pharmacies"), "pharmacy_pages.oversight", order=82)


def _errors(error: DomainError) -> dict[str, list[str]]:
    fields = error.extra.get("errors") or {}
    found = {k: [translated(m) for m in v] for k, v in fields.items()}
    return found or {"_": [error.detail]}


@bp.get("/finder")
def finder():
    """Anyone: type a generic name (characters or pinyin), choose a district, see the VBP
    products and the district's pharmacies and primary care clinics selling them."""
    check_api_rate()
    session = get_session()
    q, district = request.args.get("q", ""), request.args.get("district", "")
    found, errors = None, {}
    if "q" in request.args:
        try:
            found = services.search(
                session,
                q=q,
                district=district or None,
                cache_seconds=float(current_app.config.get("FINDER_CACHE_SECONDS", 0)),
            )
        except DomainError as error:
            errors = _errors(error)
    districts = [(c, region_name(c) or c) for c in services.districts(session)]
    page = render_template(
        "pharmacy/finder.html",
        q=q,
        district=district,
        districts=districts,
        found=found,
        errors=errors,
    )
    return page, (422 if errors else 200)


def _tenders():
    return (
        get_session()
        .scalars(
            select(Tender).where(Tender.status == TenderStatus.IN_FORCE).order_by(Tender.id.desc())
        )
        .all()
    )


@bp.route("/pharmacy/sign-up", methods=["GET", "POST"])
@BUYER
def sign_up():
    """Choose the generic names to sign up for, against the rules' minimum."""
    session = get_session()
    tenders = _tenders()
    tender_id = request.values.get("tender_id", type=int) or (tenders[0].id if tenders else None)
    chosen = request.form.getlist("generic_names")
    errors: dict = {}
    if request.method == "POST":
        try:
            services.sign_up(
                session,
                tender_id=tender_id or 0,
                generic_names=chosen,
                now=now(),
                actor=page_actor(),
            )
            flash(_("Signed up."), "success")
            return redirect(url_for("pharmacy_pages.home"))
        except DomainError as error:
            session.rollback()
            errors = _errors(error)
    offer = None
    if tender_id:
        try:
            offer = services.offer(session, tender_id=tender_id, now=now(), actor=page_actor())
        except DomainError as error:
            errors = errors or _errors(error)
    page = render_template(
        "pharmacy/sign_up.html",
        tenders=tenders,
        tender_id=tender_id,
        offer=offer,
        chosen=set(chosen),
        errors=errors,
    )
    return page, (422 if errors else 200)


@bp.route("/pharmacy", methods=["GET", "POST"])
@BUYER
def home():
    """Stock on hand per store and product; set a price; report a sale."""
    session = get_session()
    errors: dict = {}
    if request.method == "POST":
        try:
            _post(session, request.form)
            return redirect(url_for("pharmacy_pages.home"))
        except DomainError as error:
            session.rollback()
            errors = _errors(error)
    everything = services.stock(session, actor=page_actor())
    store_id = request.args.get("store", type=int)
    name = request.args.get("q", "")[: services.MAX_NAME_FILTER]
    rows = (
        services.stock(session, actor=page_actor(), store_id=store_id, name=name)
        if store_id or name.strip()
        else everything
    )
    page = render_template(
        "pharmacy/home.html",
        rows=rows,
        total=len(everything),
        products=list({r.product.id: r.product for r in everything}.values()),
        stores=list({r.store.id: r.store for r in everything}.values()),
        store_id=store_id,
        q=name,
        errors=errors,
        form=request.form,
    )
    return page, (422 if errors else 200)


def _number(form, name: str, kind):
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except (InvalidOperation, ValueError):
        raise PharmacyFormNotValid(errors={name: [_("a number")]}) from None


def _post(session, form) -> None:
    action = form.get("action")
    product_id = _number(form, "product_id", int) or 0
    store_id = _number(form, "store_id", int)
    if action == "price":
        price = _number(form, "price", Decimal)
        if price is None:
            raise PharmacyFormNotValid(errors={"price": [_("give a price")]})
        services.set_price(
            session,
            product_id=product_id,
            price=price,
            store_id=store_id,
            now=now(),
            actor=page_actor(),
        )
        flash(_("Price saved."), "success")
    elif action == "codes":
        codes = (form.get("codes") or "").split()
        result = services.sell_by_codes(session, codes=codes, now=now(), actor=page_actor())
        flash(_("%(n)s boxes recorded.", n=result.recorded), "success")
    else:
        services.sell_by_quantity(
            session,
            product_id=product_id,
            quantity=_number(form, "quantity", int) or 0,
            store_id=store_id,
            now=now(),
            actor=page_actor(),
        )
        flash(_("Sale recorded."), "success")


@bp.get("/pharmacy/oversight")
@OVERSIGHT
def oversight():
    """Enrolled stores: coverage, prices charged above the cap, stock-outs; filtered by store
    name and by problem, a page of OVERSIGHT_PAGE stores at a time."""
    views = services.overview(get_session(), now=now(), actor=page_actor())
    q = request.args.get("q", "").strip()[: services.MAX_NAME_FILTER]
    problem = request.args.get("problem", "")
    problem = problem if problem in PROBLEMS else ""
    shown = [
        v
        for v in views
        if (not q or q in v.store.name) and (not problem or PROBLEMS[problem][1](v))
    ]
    size = OVERSIGHT_PAGE
    number = min(page_number(), max(1, math.ceil(len(shown) / size)))
    page = Page(
        shown[(number - 1) * size : number * size],
        len(shown),
        number,
        size,
        {"q": q, "problem": problem},
        {},
        "",
        Listing(),
        request.endpoint or "",
    )
    return render_template(
        "pharmacy/oversight.html",
        page=page,
        total=len(views),
        problems=[(k, label) for k, (label, _test) in PROBLEMS.items()],
    )


OVERSIGHT_PAGE = 50  # stores a page of the regulator's pharmacy list
PROBLEMS = {  # the problem filter: its label and test
    "coverage": (_l("Too few generic names stocked"), lambda v: v.coverage_short),
    "stockout": (_l("Out of stock"), lambda v: bool(v.out_of_stock)),
    "price": (_l("Prices above the cap"), lambda v: bool(v.breaches)),
    "any": (_l("Any problem"), lambda v: v.coverage_short or v.out_of_stock or v.breaches),
}
