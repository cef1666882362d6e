"""Pages: a manufacturer files listing requests and follows them; the regulator reviews each
with its checks' results and approves or rejects it with a reason; anyone reads the active
listings (search by generic name; CSV/XLSX)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from procurement.auth.models import OrgKind
from procurement.auth.regions import region_name
from procurement.catalog.models import Product
from procurement.catalog.services.products import list_products
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.core.money import plain
from procurement.listing import export, services
from procurement.listing.api import current_rules
from procurement.listing.models import Listing, ListingRequest, RequestStatus
from procurement.listing.presenting import region_text, summary
from procurement.listing.rules import FLAG
from procurement.listing.schemas import ListingDecisionSchema, ListingRequestInSchema
from procurement.web.auth import page_actor, portal_required
from procurement.web.forms import PageForm
from procurement.web.labels import label
from procurement.web.listing import Choice, Sort, Text
from procurement.web.listing import Listing as ListPage
from procurement.web.pages import add_nav
from procurement.web.session import get_session, now

bp = Blueprint("listing_pages", __name__, template_folder="templates")
MANUFACTURER = portal_required(OrgKind.MANUFACTURER)
REGULATOR = portal_required(OrgKind.REGULATOR)
READERS = portal_required(OrgKind.MANUFACTURER, OrgKind.REGULATOR)
EXPORT_ROWS = 50_000  # rows an export of the active listings holds at most

add_nav(OrgKind.MANUFACTURER, _l("Listing requests"), "listing_pages.manufacturer_requests", 45)
add_nav(OrgKind.REGULATOR, _l("Listing review"), "listing_pages.regulator_requests", 47)

CHECK_LABELS = {
    "lowest_on_record": _l("One price across the regions (the lowest on record)"),
    "unsupplied_region": _l("A winner where it does not supply (at most the multiple)"),
    "non_winning": _l("A non-winning product of a VBP generic name (flag above the multiple)"),
}
CHECK_SHORT = {
    "lowest_on_record": _l("Lowest on record"),
    "unsupplied_region": _l("Unsupplied region"),
    "non_winning": _l("Non-winning"),
}
STATUS_LABELS = {
    "pass": _l("Pass"),
    "fail": _l("Fail"),
    "flag": _l("Flagged"),
    "not_applicable": _l("Not applicable"),
}
BADGES = {"pass": "ok", "fail": "bad", "flag": "warn", "not_applicable": ""}


def provinces() -> list[tuple[str, str]]:
    """Province-level codes with their names (GB/T 2260), by code."""
    codes = [f"{p}0000" for p in range(11, 83)]
    return [(c, name) for c in codes if (name := region_name(c))]


def _search(q, v):
    like = f"%{v}%"
    return q.where(or_(Product.generic_name.ilike(like), Product.approval_number == v))


REQUESTS = ListPage(
    filters=(
        Choice(
            "status", _l("Status"), RequestStatus, lambda q, v: q.where(ListingRequest.status == v)
        ),
        Text("q", _l("Generic name or approval number"), _search),
    ),
    sorts=(
        Sort("filed", _l("Filed"), ListingRequest.filed_at),
        Sort("price", _l("Unit price"), ListingRequest.unit_price),
    ),
    default_sort="-filed",
    tiebreak=ListingRequest.id,
)
PUBLIC = ListPage(
    filters=(
        Text(
            "q",
            _l("Generic or trade name"),
            lambda q, v: q.where(
                or_(Listing.generic_name.ilike(f"%{v}%"), Product.trade_name.ilike(f"%{v}%"))
            ),
        ),
        Choice(
            "region",
            _l("Region"),
            provinces,
            lambda q, v: q.where(or_(Listing.region_code == v, Listing.region_code.is_(None))),
        ),
    ),
    sorts=(
        Sort("name", _l("Generic name"), Listing.generic_name, Listing.unit_price),
        Sort("price", _l("Unit price"), Listing.unit_price),
        Sort("listed", _l("Listed"), Listing.listed_at),
    ),
    default_sort="name",
    tiebreak=Listing.id,
)


@bp.app_template_global()
def listing_check(check: dict) -> dict:
    """A stored check as a page shows it: its name, status label, badge and sentence."""
    return {
        "code": check["code"],
        "status": check["status"],
        "name": str(CHECK_LABELS.get(check["code"], check["code"])),
        "short": str(CHECK_SHORT.get(check["code"], check["code"])),
        "status_label": str(STATUS_LABELS.get(check["status"], check["status"])),
        "badge": BADGES.get(check["status"], ""),
        "summary": summary(check),
    }


bp.add_app_template_global(region_text, "listing_region")


def _requests_page(side: str, form: PageForm | None = None):
    session, actor = get_session(), page_actor()
    query = services.requests_query(actor).join(Product, Product.id == ListingRequest.product_id)
    page = REQUESTS.paginate(session, query)
    products = list_products(session, actor=actor) if side == "manufacturer" else []
    options = [
        (
            p.id,
            f"{p.generic_name} {plain(p.strength)} {p.strength_unit} x{p.pack_size} "
            f"({p.approval_number})",
        )
        for p in products
    ]
    return render_template(
        "listing/requests.html",
        page=page,
        side=side,
        form=form,
        product_options=options,
        provinces=provinces(),
    ), (form.status if form else 200)


@bp.route("/manufacturer/listing-requests", methods=["GET", "POST"])
@MANUFACTURER
def manufacturer_requests():
    """Your listing requests and their status; file a new one (the API's schema)."""
    form = PageForm(ListingRequestInSchema())
    if request.method == "POST" and form.validate():
        try:
            filed = services.file_listing_request(
                get_session(), rules=current_rules(), now=now(), actor=page_actor(), **form.data
            )
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Listing request #%(id)s filed.", id=filed.id), "success")
            return redirect(url_for(".request_detail", request_id=filed.id))
    return _requests_page("manufacturer", form)


@bp.get("/regulator/listing-requests")
@REGULATOR
def regulator_requests():
    """Every listing request, filtered and paged; pending ones are reviewed on their page."""
    return _requests_page("regulator")


def _detail(request_id: int, form: PageForm):
    r = services.get_request(get_session(), request_id=request_id, actor=page_actor())
    flagged = any(c["status"] == FLAG for c in r.checks)
    return render_template(
        "listing/request_detail.html", r=r, form=form, flagged=flagged
    ), form.status


@bp.get("/listing-requests/<int:request_id>")
@READERS
def request_detail(request_id: int):
    """A request: product, price, region, evidence, each check's result with its figures and,
    for the regulator while pending, the decision."""
    return _detail(request_id, PageForm(ListingDecisionSchema()))


@bp.post("/listing-requests/<int:request_id>/decision")
@REGULATOR
def decide(request_id: int):
    """Approve or reject (button ``decision``) with the reason typed; a refusal comes back on
    the request's page beside the reason."""
    verb = request.form.get("decision")
    form = PageForm(
        ListingDecisionSchema(), {k: v for k, v in request.form.items() if k != "decision"}
    )
    if verb not in ("approve", "reject"):
        abort(400)
    if form.validate():
        decide_fn = services.approve_request if verb == "approve" else services.reject_request
        try:
            decide_fn(
                get_session(),
                request_id=request_id,
                rules=current_rules(),
                now=now(),
                actor=page_actor(),
                **form.data,
            )
        except DomainError as error:
            form.refuse(error)
        else:
            done = _("approved") if verb == "approve" else _("rejected")
            flash(_("Listing request #%(id)s %(done)s.", id=request_id, done=done), "success")
            return redirect(url_for(".request_detail", request_id=request_id))
    return _detail(request_id, form)


@bp.get("/public/listings")
def public_listings():
    """The active listings (no login): search by generic or trade name, region."""
    query = services.active_listings_query().order_by(None)
    page = PUBLIC.paginate(get_session(), query)
    return render_template("listing/public.html", page=page)


@bp.get("/public/listings/export.<fmt>")
def public_listings_export(fmt: str):
    """The active listings the page's filters choose, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    statement, _typed, _errors = PUBLIC.narrow(services.active_listings_query())
    rows = get_session().scalars(
        statement.order_by(Listing.generic_name, Listing.unit_price, Listing.id).limit(EXPORT_ROWS)
    )
    if fmt == "csv":
        body, mimetype = export.listings_csv(rows, label), "text/csv; charset=utf-8"
    else:
        body, mimetype = export.listings_xlsx(rows, label), export.XLSX_MIMETYPE
    name = f"listings-{business_date(now()):%Y%m%d}.{fmt}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )
