"""Reading jobs: an organization sees the jobs it asked for (a job the system asked for, with
no organization, is seen by nobody's pages but the operator's CLI)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from procurement.jobs.errors import JobNotFound
from procurement.jobs.models import Job

# Jobs shown where the work was asked for (the tender's award page, the fund's runs page).
RECENT_JOBS = 5


def jobs_of(actor: Any) -> Select:
    """The actor's organization's jobs (for a paged listing)."""
    actor.require(write=False, action="see jobs")
    return select(Job).where(Job.org_id == actor.org_id)


def get_job(session: Session, *, job_id: int, actor: Any) -> Job:
    """One job of the actor's organization (404 for others)."""
    actor.require(write=False, action="see jobs")
    job = session.get(Job, job_id)
    if job is None or job.org_id != actor.org_id:
        raise JobNotFound(job_id=job_id)
    return job


def recent_jobs(
    session: Session, *, actor: Any, kind: str, subject: tuple[str, int] | None = None
) -> list[Job]:
    """The organization's latest jobs of ``kind`` (for ``subject``), newest first."""
    query = jobs_of(actor).where(Job.kind == kind)
    if subject is not None:
        query = query.where(Job.subject_type == subject[0], Job.subject_id == subject[1])
    return list(session.scalars(query.order_by(Job.id.desc()).limit(RECENT_JOBS)))
