"""Pages: confirming a run and putting contracts in force (regulator), the hospital's and the
manufacturer's contracts, and the hospital's contract page with its explanation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.award.models import AwardRun
from procurement.contracts import services
from procurement.core.errors import DomainError
from procurement.web.auth import page_actor, portal_required
from procurement.web.pages import add_nav
from procurement.web.session import get_session, now

bp = Blueprint("contracts_pages", __name__, template_folder="templates")
REGULATOR = portal_required(OrgKind.REGULATOR)
HOSPITAL = portal_required(OrgKind.HOSPITAL)
MANUFACTURER = portal_required(OrgKind.MANUFACTURER)
READERS = portal_required(OrgKind.HOSPITAL, OrgKind.MANUFACTURER, OrgKind.REGULATOR, OrgKind.FUND)

add_nav(OrgKind.HOSPITAL, _l("Contracts"), "contracts_pages.hospital_contracts", order=40)
add_nav(OrgKind.MANUFACTURER, _l("Contracts"), "contracts_pages.manufacturer_contracts", order=40)


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


@bp.get("/hospital/contracts")
@HOSPITAL
def hospital_contracts():
    contracts = services.list_contracts(get_session(), actor=page_actor())
    return render_template("contracts/list.html", contracts=contracts, side="hospital")


@bp.get("/manufacturer/contracts")
@MANUFACTURER
def manufacturer_contracts():
    contracts = services.list_contracts(get_session(), actor=page_actor())
    return render_template("contracts/list.html", contracts=contracts, side="manufacturer")


@bp.get("/contracts/<int:contract_id>")
@READERS
def contract(contract_id: int):
    why = services.contract_explanation(get_session(), contract_id=contract_id, actor=page_actor())
    return render_template("contracts/detail.html", c=why.contract, why=why)
