"""Pages: the organization's jobs (paged) and one job (status, progress done of total, result
or failure, attempts), refreshing itself while it runs (a meta refresh: no script needed).
``after_asking`` is how a page that asked for work answers: the result at once when it ran
inline, else the job."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.core.messages import translate
from procurement.jobs.models import Job, JobStatus
from procurement.jobs.registry import get_task
from procurement.jobs.services import get_job, jobs_of
from procurement.web.auth import page_actor, portal_required
from procurement.web.listing import Choice, Listing, Sort
from procurement.web.messages import translate_message
from procurement.web.pages import add_nav
from procurement.web.session import get_session

bp = Blueprint("jobs_pages", __name__, template_folder="templates")
ANY_PORTAL = portal_required()
# Seconds between a running job's page reloads.
REFRESH_SECONDS = 3

for _kind in (OrgKind.REGULATOR, OrgKind.FUND):
    add_nav(_kind, _l("Jobs"), "jobs_pages.jobs", order=90)

JOBS = Listing(
    filters=(Choice("status", _l("Status"), JobStatus, lambda q, v: q.where(Job.status == v)),),
    sorts=(Sort("created", _l("Asked"), Job.created_at),),
    default_sort="-created",
    tiebreak=Job.id,
)


def job_title(job: Job) -> str:
    spec = get_task(job.kind)
    return translate(spec.title if spec else "Job")


# What a job made -> its page: each area registers its own (``outcome_page``).
OUTCOME_PAGES: dict[str, Callable[[Job], str]] = {}


def outcome_page(kind: str, url: Callable[[Job], str]) -> None:
    """Link jobs that made a ``kind`` (``ctx.produced(kind, id)``) to ``url(job)``."""
    OUTCOME_PAGES[kind] = url


def outcome_url(job: Job) -> str | None:
    """The page of what the job made (an award run, a settlement run), if any."""
    if job.outcome_id is None or job.outcome_type not in OUTCOME_PAGES:
        return None
    return OUTCOME_PAGES[job.outcome_type](job)


def after_asking(job: Job, *, back: str):
    """Answer a page that asked for ``job``: what it made when it already ran (inline), its
    failure on the page it was asked from, else the job's page with its progress."""
    get_session().refresh(job)
    if job.status == JobStatus.SUCCEEDED:
        flash(translate_message(job.result) if job.result else _("Done."), "success")
        return redirect(outcome_url(job) or back)
    if job.status == JobStatus.FAILED:
        flash(translate_message(job.error or ""), "error")
        return redirect(back)
    flash(_("Queued as job %(id)s; this page shows its progress.", id=job.id), "info")
    return redirect(url_for("jobs_pages.job", job_id=job.id))


@bp.record_once
def _template_helpers(state) -> None:
    """Globals, so every page importing ``jobs/_status.html`` can show a job."""
    state.app.jinja_env.globals.update(job_title=job_title, job_outcome_url=outcome_url)


@bp.get("/jobs")
@ANY_PORTAL
def jobs():
    """The organization's jobs, newest first: status, progress, result or failure."""
    page = JOBS.paginate(get_session(), jobs_of(page_actor()))
    running = any(not j.status.finished for j in page.items)
    return render_template(
        "jobs/jobs.html", page=page, refresh=REFRESH_SECONDS if running else None
    )


@bp.get("/jobs/<int(max=9223372036854775807):job_id>")
@ANY_PORTAL
def job(job_id: int):
    """One job; reloads every few seconds until it has finished."""
    found = get_job(get_session(), job_id=job_id, actor=page_actor())
    refresh = None if found.status.finished else REFRESH_SECONDS
    return render_template("jobs/job.html", job=found, refresh=refresh)
