"""The problems the jobs area refuses requests with (see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import N_, Conflict, NotFound


class JobNotFound(NotFound):
    code = "job-not-found"
    title = N_("Job not found")
    when = N_("A job is asked for that does not exist or belongs to another organization.")
    template = N_("Job {job_id} was not found.")


class UnknownJobKind(Conflict):
    code = "unknown-job-kind"
    title = N_("Unknown job kind")
    when = N_("Work is asked for as a job of a kind no task is registered for.")
    template = N_("No task runs jobs of kind '{kind}'.")
