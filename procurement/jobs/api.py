"""API: the organization's jobs (paged, newest first), one job and the file it made. A job of
another organization is a 404 problem, as if it did not exist.

Areas whose API starts long work answer ``202 Accepted`` with :func:`accepted` when a queue is
configured (``queued()``); what a job made is linked through :func:`outcome_link`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Page
from sqlalchemy import func, select

from procurement.jobs.models import Job
from procurement.jobs.registry import get_task
from procurement.jobs.schemas import JobSchema
from procurement.jobs.services import get_job, job_output, jobs_of, runtime
from procurement.web.api import CSV, Blueprint, download_doc
from procurement.web.auth import api_actor
from procurement.web.messages import translate_message
from procurement.web.session import get_session
from procurement.web.tabular_export import XLSX_MIMETYPE

blp = Blueprint("jobs", __name__, description="Jobs: long work run by a queue, with progress")
PREFIX = "/api/v1"
ACCEPTED = "Queued as a job (a queue is configured): the job; Location is its address."

# What a job made -> its API address: each area registers its own (``outcome_link``).
OUTCOME_LINKS: dict[str, Callable[[Job], str]] = {}


def outcome_link(kind: str, url: Callable[[Job], str]) -> None:
    """Link jobs that made a ``kind`` (``ctx.produced(kind, id)``) to ``url(job)``."""
    OUTCOME_LINKS[kind] = url


def queued() -> bool:
    """Whether this app sends long work to a queue (else it runs inline, in the request)."""
    return runtime().queued


def job_url(job: Job) -> str:
    return f"{PREFIX}/jobs/{job.id}"


def accepted(job: Job) -> Response:
    """A view's answer for work asked for as a job: 202, the job, ``Location`` its address.
    A response of its own: the view's ``@blp.response`` schema is its 2xx result's, not the
    job's (declare this one with ``@blp.alt_response(202, schema=JobSchema, ...)``)."""
    answer = jsonify(JobSchema().dump(job_view(job)))
    answer.status_code = 202
    answer.headers["Location"] = job_url(job)
    return answer


def job_view(job: Job) -> dict[str, Any]:
    spec = get_task(job.kind)
    link = OUTCOME_LINKS.get(job.outcome_type or "")
    return {
        **{name: getattr(job, name) for name in JOB_FIELDS},
        "title": translate_message(spec.title if spec else "Job"),
        "result": translate_message(job.result) if job.result else None,
        "error": translate_message(job.error) if job.error else None,
        "links": {
            "self": job_url(job),
            "outcome": link(job) if link and job.outcome_id is not None else None,
            "file": f"{job_url(job)}/file" if job.output_name else None,
        },
    }


JOB_FIELDS = ("id", "kind", "status", "done", "total", "attempts", "subject_type", "subject_id")
JOB_FIELDS += ("outcome_type", "outcome_id", "created_at", "started_at", "finished_at")


class SelectPage(Page):
    """A page of a select (newest first), counted in the database."""

    @property
    def items(self):
        query, params = self.collection, self.page_params
        if params.first_item >= self.item_count:  # past the end (an offset SQL cannot hold, too)
            return []
        rows = query.order_by(Job.id.desc()).offset(params.first_item).limit(params.page_size)
        return [job_view(job) for job in get_session().scalars(rows)]

    @property
    def item_count(self):
        counted = select(func.count()).select_from(self.collection.order_by(None).subquery())
        return get_session().scalar(counted)


@blp.route("/jobs")
class Jobs(MethodView):
    @blp.response(200, JobSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """Your organization's jobs, newest first (``page``, ``page_size``; ``X-Pagination``)."""
        return jobs_of(api_actor())


@blp.route("/jobs/<int(max=9223372036854775807):job_id>")
class JobById(MethodView):
    @blp.response(200, JobSchema)
    def get(self, job_id):
        """One of your organization's jobs: status, done of total, result or failure,
        attempts, links to what it made and to its file."""
        return job_view(get_job(get_session(), job_id=job_id, actor=api_actor()))


@blp.route("/jobs/<int(max=9223372036854775807):job_id>/file")
class JobFile(MethodView):
    @blp.response(200, content_type=CSV)
    @blp.doc(**download_doc(CSV, XLSX_MIMETYPE))
    def get(self, job_id):
        """The file one of your organization's jobs made (a large export); 404 until made."""
        name, content = job_output(get_session(), job_id=job_id, actor=api_actor())
        mimetype = XLSX_MIMETYPE if name.endswith(".xlsx") else CSV
        disposition = f'attachment; filename="{name}"'
        return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})
