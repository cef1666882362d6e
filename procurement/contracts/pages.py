"""Pages: confirming a run and putting contracts in force (regulator); the contracts list of
each party (filtered, paged); a contract's page with its explanation, and the contract as a
printable document (采购协议). The contract's orders and progress come from the settlement
area's fragment (orders are downstream of contracts)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.orm import aliased

from procurement.auth.models import Organization, OrgKind
from procurement.award.models import AwardRun
from procurement.catalog.models import Lot
from procurement.contracts import services
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.errors import DomainError
from procurement.web.auth import page_actor, portal_required
from procurement.web.listing import Choice, Listing, Number, Sort, Text
from procurement.web.pages import add_nav
from procurement.web.session import get_session, now

bp = Blueprint("contracts_pages", __name__, template_folder="templates")
REGULATOR = portal_required(OrgKind.REGULATOR)
HOSPITAL = portal_required(OrgKind.HOSPITAL)
MANUFACTURER = portal_required(OrgKind.MANUFACTURER)
READERS = portal_required(OrgKind.HOSPITAL, OrgKind.MANUFACTURER, OrgKind.REGULATOR, OrgKind.FUND)
OVERSIGHT = portal_required(OrgKind.REGULATOR, OrgKind.FUND)

add_nav(OrgKind.HOSPITAL, _l("Contracts"), "contracts_pages.hospital_contracts", order=40)
add_nav(OrgKind.MANUFACTURER, _l("Contracts"), "contracts_pages.manufacturer_contracts", order=40)
add_nav(OrgKind.REGULATOR, _l("Contracts"), "contracts_pages.all_contracts", order=45)
add_nav(OrgKind.FUND, _l("Contracts"), "contracts_pages.all_contracts", order=60)

# The binding constraint of "why this supplier", in words (services.BINDING's names).
BINDING_LABELS = {
    "none": _l("none: the cheapest eligible winner"),
    "eligibility": _l("regions: the only winner committed to this region"),
    "capacity": _l("capacity of a cheaper winner"),
    "max_share": _l("maximum share of a cheaper winner"),
    "min_share": _l("minimum share of this winner"),
    "one_region_each": _l("every winner supplies at least one region"),
    "granularity": _l("whole hospitals (single sourcing)"),
    "reserve": _l("reserve bidder taken on by the fallback"),
    "brand": _l("brand report: the hospital named this product"),
}

HOSPITAL_ORG = aliased(Organization, name="hospital_org")
MAKER_ORG = aliased(Organization, name="maker_org")


def _like(column, text: str):
    return column.ilike(f"%{text}%")


FILTERS = {
    "status": Choice(
        "status", _l("Status"), ContractStatus, lambda q, v: q.where(Contract.status == v)
    ),
    "lot": Text(
        "lot",
        _l("Lot or drug"),
        lambda q, v: q.where(or_(Lot.code == v.upper(), _like(Lot.generic_name, v))),
    ),
    "hospital": Text(
        "hospital",
        _l("Hospital"),
        lambda q, v: q.where(or_(HOSPITAL_ORG.code == v, _like(HOSPITAL_ORG.name, v))),
    ),
    "manufacturer": Text(
        "manufacturer",
        _l("Manufacturer"),
        lambda q, v: q.where(or_(MAKER_ORG.code == v, _like(MAKER_ORG.name, v))),
    ),
    "region": Text(
        "region",
        _l("Region code"),
        lambda q, v: q.where(Contract.region_code.startswith(v.rstrip("0") or v)),
    ),
    "year": Number("year", _l("Contract year"), lambda q, v: q.where(Contract.contract_year == v)),
}
SORTS = (
    Sort("lot", _l("Lot"), Contract.tender_id, Lot.code),
    Sort("hospital", _l("Hospital"), HOSPITAL_ORG.name),
    Sort("manufacturer", _l("Supplier"), MAKER_ORG.name),
    Sort("period", _l("Period"), Contract.period_start),
    Sort("price", _l("Unit price"), Contract.unit_price),
    Sort("volume", _l("Agreed volume"), Contract.agreed_volume),
)
HIDDEN = {"hospital": ("hospital", "region"), "manufacturer": ("manufacturer",), "all": ()}
LISTINGS = {
    side: Listing(
        filters=tuple(f for name, f in FILTERS.items() if name not in hidden),
        sorts=SORTS,
        default_sort="lot",
        tiebreak=Contract.id,
    )
    for side, hidden in HIDDEN.items()
}


def _contracts_page(side: str):
    session, actor = get_session(), page_actor()
    query = (
        services.scoped_contracts(actor)
        .join(Lot, Lot.id == Contract.lot_id)
        .join(HOSPITAL_ORG, HOSPITAL_ORG.id == Contract.hospital_id)
        .join(MAKER_ORG, MAKER_ORG.id == Contract.manufacturer_id)
    )
    page = LISTINGS[side].paginate(session, query)
    return render_template("contracts/list.html", page=page, side=side)


@bp.get("/hospital/contracts")
@HOSPITAL
def hospital_contracts():
    return _contracts_page("hospital")


@bp.get("/manufacturer/contracts")
@MANUFACTURER
def manufacturer_contracts():
    return _contracts_page("manufacturer")


@bp.get("/contracts")
@OVERSIGHT
def all_contracts():
    """Every contract (procurement office, fund office), filtered and paged."""
    return _contracts_page("all")


@bp.post("/regulator/award/runs/<int:run_id>/confirm")
@REGULATOR
def confirm_run(run_id: int):
    session = get_session()
    run = session.get(AwardRun, run_id)
    tender_id = run.tender_id if run is not None else None
    try:
        result = services.confirm_award_run(session, run_id=run_id, now=now(), actor=page_actor())
    except DomainError as error:
        session.rollback()
        if tender_id is None:
            raise
        flash(error.detail, "error")
        return redirect(url_for("award_pages.tender_award", tender_id=tender_id, run=run_id))
    flash(
        _(
            "Run #%(n)s confirmed: %(c)s contracts drafted; the tender is awarded.",
            n=result.run.number,
            c=result.contracts,
        ),
        "success",
    )
    return redirect(url_for("award_pages.tender_award", tender_id=tender_id, run=run_id))


@bp.post("/regulator/award/tenders/<int:tender_id>/in-force")
@REGULATOR
def in_force(tender_id: int):
    session = get_session()
    try:
        contracts = services.put_in_force(
            session, tender_id=tender_id, now=now(), actor=page_actor()
        )
    except DomainError as error:
        session.rollback()
        flash(error.detail, "error")
    else:
        flash(_("%(n)s contracts are now active.", n=len(contracts)), "success")
    return redirect(url_for("award_pages.tender_award", tender_id=tender_id))


@bp.get("/contracts/<int:contract_id>")
@READERS
def contract(contract_id: int):
    """A contract: its parties, lot, drug, price, volume and period; its orders and progress
    (loaded from the settlement area); why this supplier."""
    why = services.contract_explanation(get_session(), contract_id=contract_id, actor=page_actor())
    return render_template(
        "contracts/detail.html", c=why.contract, why=why, binding_labels=BINDING_LABELS
    )


@bp.get("/contracts/<int:contract_id>/print")
@READERS
def contract_print(contract_id: int):
    """The contract as a document to print or save as PDF (采购协议)."""
    c = services.get_contract(get_session(), contract_id=contract_id, actor=page_actor())
    return render_template("contracts/print.html", c=c, printed_at=now())
