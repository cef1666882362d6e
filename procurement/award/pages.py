"""Pages: the regulator's award page (runs, per-lot results, fallbacks, compare, confirm) and
the public results (no login)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.award import services
from procurement.award.services.inputs import FALLBACKS, GRANULARITIES
from procurement.catalog import services as catalog
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import SmallestUnit
from procurement.core.errors import DomainError
from procurement.jobs.pages import after_asking, outcome_page
from procurement.jobs.services import recent_jobs
from procurement.web.auth import page_actor, portal_required
from procurement.web.pages import add_nav
from procurement.web.session import get_session

bp = Blueprint("award_pages", __name__, template_folder="templates")
REGULATOR = portal_required(OrgKind.REGULATOR)
AWARD_STATES = (
    TenderStatus.OPENED,
    TenderStatus.AWARDED,
    TenderStatus.IN_FORCE,
    TenderStatus.CLOSED,
)

add_nav(OrgKind.REGULATOR, _l("Award"), "award_pages.regulator_tenders", order=40)
outcome_page(
    "award_run",
    lambda job: url_for("award_pages.tender_award", tender_id=job.subject_id, run=job.outcome_id),
)


@bp.get("/regulator/award")
@REGULATOR
def regulator_tenders():
    actor = page_actor()
    tenders = [
        t
        for t in catalog.list_tenders(get_session(), actor=actor)
        if t.created_by_org_id == actor.org_id and t.status in AWARD_STATES
    ]
    return render_template("award/regulator_tenders.html", tenders=tenders)


@bp.get("/regulator/award/tenders/<int:tender_id>")
@REGULATOR
def tender_award(tender_id: int):
    session, actor = get_session(), page_actor()
    tender = services.owned_tender(session, tender_id, actor, "see the award runs")
    runs = services.list_award_runs(session, tender_id=tender_id, actor=actor)
    chosen = request.args.get("run", type=int)
    run = next((r for r in runs if r.id == chosen), runs[0] if runs else None)
    return render_template(
        "award/tender_award.html",
        tender=tender,
        runs=runs,
        run=run,
        granularities=GRANULARITIES,
        fallbacks=FALLBACKS,
        default_granularity=catalog.rules_of(tender).allocation.granularity,
        jobs=recent_jobs(session, actor=actor, kind="award.run", subject=("tender", tender_id)),
    )


@bp.post("/regulator/award/tenders/<int:tender_id>/runs")
@REGULATOR
def start_run(tender_id: int):
    session = get_session()
    options = services.RunOptions(
        granularity=request.form.get("granularity") or None,
        fallback=request.form.get("fallback") or "none",
    )
    back = url_for("award_pages.tender_award", tender_id=tender_id)
    try:
        job = services.ask_award_run(
            session, tender_id=tender_id, options=options, actor=page_actor()
        )
    except DomainError as error:
        session.rollback()
        flash(error.detail, "error")
        return redirect(back)
    return after_asking(job, back=back)


@bp.get("/regulator/award/runs/<int:run_id>/compare")
@REGULATOR
def compare(run_id: int):
    other = request.args.get("other", type=int) or run_id
    comparison = services.compare_award_runs(
        get_session(), run_id=run_id, other_id=other, actor=page_actor()
    )
    return render_template("award/compare.html", c=comparison)


@bp.get("/public/results")
def public_index():
    return render_template(
        "award/public_index.html", tenders=services.published_tenders(get_session())
    )


@bp.get("/public/results/<int:tender_id>")
def public_tender(tender_id: int):
    results = services.public_results(get_session(), tender_id=tender_id)
    return render_template("award/public_results.html", r=results, units=SmallestUnit)
