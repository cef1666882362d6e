"""Demand pages: the regulator's totals (brand-named share per lot, reports below the demand
floor to confirm), the hospital's demand form (brand lines added and removed without
JavaScript, the floor beside each quantity) and its upload with the template to fill in."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

from procurement.auth.models import Organization
from procurement.auth.services.scope import acting_for, members_of
from procurement.catalog import forms, services
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import DemandBrandLine, DemandReport, Lot, SmallestUnit, Tender
from procurement.catalog.pages import HOSPITAL, REGULATOR, _flash_error, _upload, bp
from procurement.catalog.services.demand_upload import ask_demand_import, brand_products
from procurement.core.errors import DomainError
from procurement.core.limits import INLINE_UPLOAD_BYTES
from procurement.jobs.pages import after_asking
from procurement.web.auth import page_actor, portal_required
from procurement.web.listing import Listing, Sort, Text
from procurement.web.session import get_session, now
from procurement.web.tabular_export import XLSX_MIMETYPE, xlsx_bytes

REPORTER = aliased(Organization, name="reporter")
DEMAND_REPORTS = Listing(
    filters=(
        Text(
            "lot",
            _l("Lot or drug"),
            lambda q, v: q.where(or_(Lot.code == v.upper(), Lot.generic_name.ilike(f"%{v}%"))),
        ),
        Text(
            "hospital",
            _l("Hospital"),
            lambda q, v: q.where(or_(REPORTER.code == v, REPORTER.name.ilike(f"%{v}%"))),
        ),
    ),
    sorts=(
        Sort("lot", _l("Lot"), Lot.code, REPORTER.name),
        Sort("hospital", _l("Hospital"), REPORTER.name, Lot.code),
        Sort("quantity", _l("Reported"), DemandReport.quantity),
    ),
    default_sort="lot",
    tiebreak=DemandReport.id,
)


@bp.get("/regulator/tenders/<int:tender_id>/demand")
@portal_required(REGULATOR)
def demand_totals(tender_id: int):
    session, actor = get_session(), page_actor()
    tender = services.get_tender(session, tender_id=tender_id, actor=actor)
    totals = services.demand_totals(session, tender_id=tender_id, actor=actor)
    reports = (
        services.demand_query(session, tender_id=tender_id, actor=actor)
        .join(REPORTER, REPORTER.id == DemandReport.hospital_id)
        .options(selectinload(DemandReport.brand_lines).selectinload(DemandBrandLine.product))
    )
    page = DEMAND_REPORTS.paginate(session, reports, tender_id=tender_id)
    low = session.scalars(
        services.demand_query(session, tender_id=tender_id, actor=actor)
        .where(DemandReport.floor_reason.is_not(None))
        .order_by(Lot.code, DemandReport.id)
    ).all()
    return render_template(
        "catalog/demand_totals.html",
        tender=tender,
        totals=totals,
        page=page,
        low=low,
        units=SmallestUnit,
    )


@bp.post("/regulator/tenders/<int:tender_id>/demand/confirm")
@portal_required(REGULATOR)
def demand_confirm(tender_id: int):
    try:
        services.confirm_demand(get_session(), tender_id=tender_id, now=now(), actor=page_actor())
        flash(_("Demand confirmed as reported."), "success")
    except DomainError as error:
        _flash_error(error)
    return redirect(url_for(".demand_totals", tender_id=tender_id))


@bp.post("/regulator/demand-reports/<int:report_id>/floor-confirmation")
@portal_required(REGULATOR)
def demand_floor_confirm(report_id: int):
    session = get_session()
    try:
        report = services.confirm_low_report(
            session, report_id=report_id, now=now(), actor=page_actor()
        )
        flash(
            _(
                "The reason of %(hospital)s for lot %(lot)s is confirmed.",
                hospital=report.hospital.name,
                lot=report.lot.code,
            ),
            "success",
        )
        tender_id = report.tender_id
    except DomainError as error:
        _flash_error(error)
        tender_id = session.scalar(
            select(DemandReport.tender_id).where(DemandReport.id == report_id)
        )
        if tender_id is None:
            return redirect(url_for("catalog_pages.regulator_tenders"))
    return redirect(url_for(".demand_totals", tender_id=tender_id) + "#below-floor")


# ---- hospital ------------------------------------------------------------------------------


@bp.get("/hospital/demand")
@portal_required(HOSPITAL)
def hospital_demand_list():
    tenders = services.list_tenders(
        get_session(), actor=page_actor(), status=TenderStatus.DEMAND_OPEN
    )
    return render_template("catalog/hospital_demand_list.html", tenders=tenders, now=now())


@bp.route("/hospital/demand/<int:tender_id>", methods=["GET", "POST"])
@portal_required(HOSPITAL)
def hospital_demand(tender_id: int):
    """The hospital's demand report; refused, it comes back as typed with each error beside
    its box. "Add a product" and "remove" buttons redraw the form as typed, saving nothing."""
    session, me = get_session(), page_actor()
    # a county medical community reports for one of its members (RULES.md 12)
    members = members_of(session, me)
    buyer_id = request.values.get("buyer", type=int) if members else None
    actor = acting_for(session, me, buyer_id)
    tender = services.get_tender(session, tender_id=tender_id, actor=actor)
    codes = [lot.code for lot in tender.lots]
    reports = {  # the acting buyer's own (a community also sees its members' reports)
        r.lot_id: r
        for r in services.list_demand(session, tender_id=tender_id, actor=actor)
        if r.hospital_id == actor.org_id
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and not _edits_brands():
        rows, errors = forms.demand_from_form(request.form, codes)
        errors = {
            name: [
                _("Enter a whole number, 1 or more.")
                if name.startswith("brand_")
                else _("Enter a whole number, 0 or more.")
            ]
            for name in errors
        }
        if not errors:
            try:
                services.submit_demand(
                    session,
                    tender_id=tender_id,
                    lines=rows,
                    now=now(),
                    actor=me,
                    source="page",
                    buyer_id=buyer_id,
                )
            except DomainError as error:
                session.rollback()
                errors = _demand_errors(error, rows)
            else:
                flash(_("Demand saved."), "success")
                return redirect(url_for(".hospital_demand", tender_id=tender_id, buyer=buyer_id))
    page = render_template(
        "catalog/hospital_demand.html",
        tender=tender,
        rules=services.rules_of(tender).demand,
        reports=reports,
        brands=_brand_boxes(tender, reports),
        products=_products(session, tender),
        floors=services.demand_floors(session, tender_id=tender_id, actor=actor),
        editable=tender.status == TenderStatus.DEMAND_OPEN and now() < tender.demand_deadline,
        typed=request.form if request.method == "POST" else None,
        errors=errors,
        members=members,
        buyer_id=actor.org_id,
        own_id=me.org_id,
    )
    return page, 422 if errors else 200


def _edits_brands() -> bool:
    return bool(request.form.get("add_brand") or request.form.get("remove_brand"))


def _brand_boxes(tender: Tender, reports: dict) -> dict[str, list[tuple[str, str]]]:
    """Each lot's brand line boxes: as typed (with a box added or removed on request), else as
    saved."""
    if request.method != "POST":
        return {
            lot.code: [
                (b.product.approval_number, str(b.quantity))
                for b in (reports[lot.id].brand_lines if lot.id in reports else [])
            ]
            for lot in tender.lots
        }
    boxes = {lot.code: forms.brand_slots(request.form, lot.code) for lot in tender.lots}
    add, remove = request.form.get("add_brand", ""), request.form.get("remove_brand", "")
    if add in boxes and len(boxes[add]) < forms.MAX_BRAND_SLOTS:
        boxes[add].append(("", ""))
    code, _sep, slot = remove.rpartition(":")
    if code in boxes and slot.isdigit() and int(slot) < len(boxes[code]):
        del boxes[code][int(slot)]
    return boxes


def _products(session, tender: Tender) -> dict[str, list]:
    """The products each lot's brand lines may name (for the boxes' suggestions)."""
    if not services.rules_of(tender).demand.brand_reporting:
        return {}
    return {lot.code: brand_products(session, lot) for lot in tender.lots}


DEMAND_BOX = {"quantity": "quantity", "last_year_usage": "usage", "floor_reason": "reason"}


def _demand_errors(error: DomainError, rows: list[dict]) -> dict[str, list[str]]:
    """A service's refusal by box: ``rows.2.quantity`` is the quantity box of the third row's
    lot, ``rows.2.brand_lines.1.product`` the product box of its second brand line; anything
    else is shown above the table."""
    out: dict[str, list[str]] = {}
    for name, messages in (error.extra.get("errors") or {}).items():
        box = _box(name.split("."), rows)
        out.setdefault(box or "_form", []).extend(messages)
    return out or {"_form": [str(error.detail)]}


def _box(parts: list[str], rows: list[dict]) -> str | None:
    if len(parts) < 3 or parts[0] != "rows" or not parts[1].isdigit() or int(parts[1]) >= len(rows):
        return None
    row = rows[int(parts[1])]
    code = row["lot_code"]
    if parts[2] == "brand_lines" and len(parts) == 5 and parts[3].isdigit():
        slots = row.get("brand_slots") or []
        index = int(parts[3])
        if index < len(slots):
            return f"brand_{code}_{slots[index]}_{parts[4]}"
    if parts[2] == "brand_lines":
        return f"quantity_{code}"
    return f"{DEMAND_BOX.get(parts[2], 'quantity')}_{code}"


@bp.post("/hospital/demand/<int:tender_id>/upload")
@portal_required(HOSPITAL)
def hospital_demand_upload(tender_id: int):
    """Import the hospital's demand from a CSV/XLSX file (all or nothing); a file over
    INLINE_UPLOAD_BYTES is imported by a job."""
    back = url_for(".hospital_demand", tender_id=tender_id)
    try:
        filename, content = _upload()
        if len(content) > INLINE_UPLOAD_BYTES:  # a large file is imported by a job
            job = ask_demand_import(
                get_session(),
                tender_id=tender_id,
                filename=filename,
                content=content,
                now=now(),
                actor=page_actor(),
            )
            return after_asking(job, back=back)
        reports = services.import_demand(
            get_session(),
            tender_id=tender_id,
            filename=filename,
            content=content,
            now=now(),
            actor=page_actor(),
        )
        flash(_("%(n)d demand rows imported.", n=len(reports)), "success")
    except DomainError as error:
        get_session().rollback()
        _flash_error(error)
    return redirect(back)


@bp.get("/hospital/demand/<int:tender_id>/template.xlsx")
@portal_required(HOSPITAL)
def hospital_demand_template(tender_id: int):
    """The upload template: the demand sheet to fill in, the lots' products a brand line may
    name, and how to fill it in (in the page's language)."""
    sheets = services.demand_template(get_session(), tender_id=tender_id, actor=page_actor())
    body = xlsx_bytes(
        [
            (_("demand"), sheets["demand"]),
            (_("products"), sheets["products"]),
            (_("how to fill in"), [[str(line)] for line in TEMPLATE_NOTES]),
        ]
    )
    return Response(
        body,
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="demand-{tender_id}.xlsx"'},
    )


TEMPLATE_NOTES = (
    _l(
        "One row per lot: lot_code, quantity (the whole annual demand) and last_year_usage, in "
        "the lot's smallest units. A row with only its lot code is not reported."
    ),
    _l(
        "By brand: name a product in brand_approval_number with its part of the quantity in "
        "brand_quantity. Each further product of the same lot is one more row with the lot code, "
        "quantity and last_year_usage empty, and the product's approval number and quantity."
    ),
    _l(
        "The brand quantities of a lot add up to at most its quantity; the rest is reported by "
        "generic name. The products sheet lists the products each lot may name."
    ),
    _l(
        "floor_reason: why the quantity is below the demand floor, where the tender takes such "
        "reports with a reason for the regulator to confirm."
    ),
)
