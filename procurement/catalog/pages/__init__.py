"""Pages: the regulator's tenders and demand totals, the hospital's demand form, the
manufacturer's products. Each view parses the form, calls one service, renders or redirects."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from procurement.auth.models import OrgKind
from procurement.catalog import forms, services
from procurement.catalog.errors import FileMissing, ProductFieldsNotValid, TenderFieldsNotValid
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import (
    DosageClass,
    Product,
    QualityRequirement,
    SmallestUnit,
    Tender,
    TenderCategory,
)
from procurement.catalog.schemas import LotWriteSchema
from procurement.catalog.services.lot_import_jobs import ask_lot_import
from procurement.catalog.services.transitions import MANUAL_TARGETS
from procurement.core.errors import DomainError
from procurement.core.limits import INLINE_UPLOAD_BYTES
from procurement.jobs.pages import after_asking
from procurement.web.auth import page_actor, portal_required
from procurement.web.fieldnames import field_label
from procurement.web.forms import PageForm
from procurement.web.labels import label
from procurement.web.listing import Choice, Listing, Sort, Text
from procurement.web.pages import add_nav, set_portal_home
from procurement.web.session import get_session, now

bp = Blueprint("catalog_pages", __name__, template_folder="../templates")

REGULATOR, HOSPITAL, MANUFACTURER = OrgKind.REGULATOR, OrgKind.HOSPITAL, OrgKind.MANUFACTURER
CHOICES = {
    "dosage_classes": list(DosageClass),
    "smallest_units": list(SmallestUnit),
    "quality_requirements": list(QualityRequirement),
    "categories": list(TenderCategory),
}


def _flash_error(error: DomainError) -> None:
    flash(error.detail, "error")
    for key, messages in (error.extra.get("errors") or {}).items():
        flash(f"{field_label(key)}: {'; '.join(messages)}", "error")


def _upload() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise FileMissing(errors={"file": [_("required")]})
    return upload.filename, upload.read()


# ---- regulator -----------------------------------------------------------------------------


TENDERS = Listing(
    filters=(
        Choice("status", _l("Status"), TenderStatus, lambda q, v: q.where(Tender.status == v)),
        Text(
            "q",
            _l("Code or name"),
            lambda q, v: q.where(or_(Tender.code.ilike(f"%{v}%"), Tender.name.ilike(f"%{v}%"))),
        ),
    ),
    sorts=(
        Sort("created", _l("Created"), Tender.created_at),
        Sort("bid_deadline", _l("Bid deadline"), Tender.bid_deadline),
    ),
    default_sort="-created",
    tiebreak=Tender.id,
)
PRODUCTS = Listing(
    filters=(
        Text(
            "q",
            _l("Drug or approval number"),
            lambda q, v: q.where(
                or_(
                    Product.generic_name.ilike(f"%{v}%"),
                    Product.approval_number.ilike(f"%{v}%"),
                    Product.trade_name.ilike(f"%{v}%"),
                )
            ),
        ),
    ),
    sorts=(
        Sort("name", _l("Generic name"), Product.generic_name, Product.approval_number),
        Sort("approval", _l("Approval number"), Product.approval_number),
    ),
    default_sort="name",
    tiebreak=Product.id,
)


@bp.get("/regulator/tenders")
@portal_required(REGULATOR)
def regulator_tenders():
    """Tenders (the regulator's drafts and every published one), filtered and paged."""
    page = TENDERS.paginate(get_session(), services.tenders_query(page_actor()))
    return render_template("catalog/regulator_tenders.html", page=page)


@bp.route("/regulator/tenders/new", methods=["GET", "POST"])
@portal_required(REGULATOR)
def tender_new():
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = forms.tender_from_form(request.form)
        try:
            if errors:
                raise TenderFieldsNotValid(errors=errors)
            tender = services.create_tender(
                get_session(), data=values, now=now(), actor=page_actor()
            )
        except DomainError as error:
            flash(error.detail, "error")
            errors = error.extra.get("errors") or errors
        else:
            flash(_("Tender %(code)s created as a draft.", code=tender.code), "success")
            return redirect(url_for(".tender_detail", tender_id=tender.id))
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "catalog/tender_form.html", form=request.form, errors=errors, choices=CHOICES
    )
    return page, status


LOT_DEFAULTS = {"strength_unit": "mg", "dosage_class": "oral_solid", "smallest_unit": "tablet"}
LOT_ENUMS = {
    "dosage_class": DosageClass,
    "smallest_unit": SmallestUnit,
    "quality_requirement": QualityRequirement,
}


def lot_choices() -> dict[str, list[tuple[str, str]]]:
    """The lot form's choices with their labels in the page's language (so: per request)."""
    return {name: [(m.value, label(m)) for m in enum] for name, enum in LOT_ENUMS.items()}


@bp.get("/regulator/tenders/<int:tender_id>")
@portal_required(REGULATOR)
def tender_detail(tender_id: int):
    return _tender_page(tender_id, PageForm(LotWriteSchema(), initial=LOT_DEFAULTS))


def _tender_page(tender_id: int, lot_form: PageForm):
    tender = services.get_tender(get_session(), tender_id=tender_id, actor=page_actor())
    manual = [s for s in tender.allowed_next if s in MANUAL_TARGETS]
    return render_template(
        "catalog/tender_detail.html",
        tender=tender,
        moves=manual,
        choices=CHOICES,
        lot_form=lot_form,
        lot_choices=lot_choices(),
    ), lot_form.status


@bp.post("/regulator/tenders/<int:tender_id>/lots")
@portal_required(REGULATOR)
def lot_add(tender_id: int):
    """Add a lot (the lot API's schema); refused, the form comes back as typed with each error
    beside its field."""
    form = PageForm(LotWriteSchema())
    form.values.setdefault("antimicrobial_restricted", "off")
    if form.validate():
        try:
            lot = services.add_lot(
                get_session(), tender_id=tender_id, data=form.data, now=now(), actor=page_actor()
            )
        except DomainError as error:
            form.refuse(error)
        else:
            flash(_("Lot %(code)s added.", code=lot.code), "success")
            return redirect(url_for(".tender_detail", tender_id=tender_id))
    return _tender_page(tender_id, form)


@bp.post("/regulator/tenders/<int:tender_id>/lots/import")
@portal_required(REGULATOR)
def lots_import(tender_id: int):
    """Import lots from a CSV/XLSX file (all or nothing); a file over INLINE_UPLOAD_BYTES is
    imported by a job."""
    back = url_for(".tender_detail", tender_id=tender_id)
    try:
        filename, content = _upload()
        if len(content) > INLINE_UPLOAD_BYTES:  # a large file is imported by a job
            job = ask_lot_import(
                get_session(),
                tender_id=tender_id,
                filename=filename,
                content=content,
                replace=request.form.get("replace") == "on",
                actor=page_actor(),
            )
            return after_asking(job, back=back)
        lots = services.import_lots(
            get_session(),
            tender_id=tender_id,
            filename=filename,
            content=content,
            replace=request.form.get("replace") == "on",
            now=now(),
            actor=page_actor(),
        )
        flash(_("%(n)d lots imported.", n=len(lots)), "success")
    except DomainError as error:
        get_session().rollback()
        _flash_error(error)
    return redirect(back)


@bp.post("/regulator/tenders/<int:tender_id>/transition")
@portal_required(REGULATOR)
def tender_transition(tender_id: int):
    try:
        tender = services.change_tender_status(
            get_session(),
            tender_id=tender_id,
            to=request.form.get("to", ""),
            now=now(),
            actor=page_actor(),
        )
        flash(_("The tender is now '%(status)s'.", status=tender.status.value), "success")
    except DomainError as error:
        _flash_error(error)
    return redirect(url_for(".tender_detail", tender_id=tender_id))


# ---- manufacturer --------------------------------------------------------------------------


@bp.route("/manufacturer/products", methods=["GET", "POST"])
@portal_required(MANUFACTURER)
def manufacturer_products():
    session, actor, errors = get_session(), page_actor(), {}
    if request.method == "POST":
        values, errors = forms.product_from_form(request.form)
        try:
            if errors:
                raise ProductFieldsNotValid(errors=errors)
            product = services.register_product(session, data=values, now=now(), actor=actor)
        except DomainError as error:
            flash(error.detail, "error")
            errors = error.extra.get("errors") or errors
        else:
            flash(_("Product %(n)s registered.", n=product.approval_number), "success")
            return redirect(url_for(".manufacturer_products"))
    page = PRODUCTS.paginate(session, services.products_query(actor))
    return render_template(
        "catalog/manufacturer_products.html",
        page=page,
        form=request.form,
        errors=errors,
        choices=CHOICES,
    ), (422 if errors else 200)


# The demand pages register their views on ``bp`` (a module of this package).
from procurement.catalog.pages import demand as _demand  # noqa: E402, F401

add_nav(REGULATOR, _l("Tenders"), "catalog_pages.regulator_tenders", order=10)
add_nav(HOSPITAL, _l("Demand reports"), "catalog_pages.hospital_demand_list", order=10)
add_nav(MANUFACTURER, _l("Products"), "catalog_pages.manufacturer_products", order=40)
set_portal_home(REGULATOR, "catalog_pages.regulator_tenders")
set_portal_home(HOSPITAL, "catalog_pages.hospital_demand_list")
set_portal_home(MANUFACTURER, "catalog_pages.manufacturer_products")

from procurement.catalog import rules_pages as _rules_pages  # noqa: E402, F401  (its views)
