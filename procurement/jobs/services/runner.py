"""Run one job: mark it running (committed, so pages see it), call its task with a session of
its own, then commit the task's work together with the job's success; on an exception record
the reason (queued again when the task's retry policy allows another attempt, failed
otherwise). A job that already succeeded is not run again (a redelivered queue job does
nothing)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from procurement.core.errors import DomainError
from procurement.core.messages import Message
from procurement.jobs.context import JobContext
from procurement.jobs.models import Job, JobStatus
from procurement.jobs.registry import TaskSpec, get_task
from procurement.jobs.services.queue import runtime

log = logging.getLogger(__name__)

# How much of an unexpected exception's text is kept as the job's reason.
REASON_CHARS = 300

OpenSession = Callable[[], Session]
Report = Callable[[int, int], None]


class JobFailed(Exception):
    """The task raised; the queue retries it when its policy says so (``retry``)."""

    def __init__(self, reason: str, *, retry: bool, attempt: int) -> None:
        super().__init__(reason)
        self.retry, self.attempt = retry, attempt


def run_inline(bind: Engine | Connection, job_id: int) -> JobStatus:
    """Run a job in this process (no queue), after the caller's commit; a failure is recorded
    on the job, never raised into the caller."""

    def open_session() -> Session:
        return Session(bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint")

    try:
        return run_job(open_session, job_id, attempt_limit=1)
    except JobFailed:
        return JobStatus.FAILED


def run_job(
    open_session: OpenSession,
    job_id: int,
    *,
    attempt_limit: int | None = None,
    report: Callable[[int], Report] | None = None,
) -> JobStatus:
    """Run job ``job_id`` once. ``report(job_id)`` gives a progress writer visible to others
    while the task runs (the worker's own connection); without one, progress is stored with
    the result. ``attempt_limit`` caps the attempts (inline: 1). Raises :class:`JobFailed`."""
    started = _start(open_session, job_id)
    if started is None:
        return JobStatus.SUCCEEDED
    job, spec = started
    with open_session() as session:
        ctx = JobContext(
            session=session,
            job_id=job.id,
            kind=job.kind,
            attempt=job.attempts,
            now=runtime().now(),
            actor=_actor(job.actor),
        )
        ctx.report = report(job.id) if report else _stored_progress(session, job.id)
        try:
            result = spec.func(ctx, **job.args)
        except Exception as exc:
            session.rollback()
            reason = _reason(exc)
            retry = spec.retry is not None and spec.retry.retries_after(job.attempts)
            retry = retry and (attempt_limit is None or job.attempts < attempt_limit)
            _finish(open_session, job.id, error=reason, retry=retry)
            log.warning("job %s (%s) failed on attempt %s: %s", job.id, job.kind, job.attempts, exc)
            raise JobFailed(reason, retry=retry, attempt=job.attempts) from exc
        _succeed(session, job.id, ctx, result)
        session.commit()
    return JobStatus.SUCCEEDED


def _start(open_session: OpenSession, job_id: int) -> tuple[Job, TaskSpec] | None:
    with open_session() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.status == JobStatus.SUCCEEDED:
            return None
        spec = get_task(job.kind)
        now = runtime().now()
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.updated_at = now
        job.finished_at = None
        if spec is None:
            job.status, job.finished_at = JobStatus.FAILED, now
            job.error = Message("No task runs jobs of kind '{kind}'.", kind=job.kind)
            session.commit()
            return None
        session.commit()
        return job, spec


def _succeed(session: Session, job_id: int, ctx: JobContext, result: Any) -> None:
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    now = runtime().now()
    job.status = JobStatus.SUCCEEDED
    job.result = str(result) if result is not None else None
    job.error = None
    if job.total is not None:
        job.done = job.total
    job.outcome_type, job.outcome_id = ctx.outcome_type, ctx.outcome_id
    if ctx.output is not None:
        job.output_name, job.output_file = ctx.output
    job.finished_at = job.updated_at = now


def _finish(open_session: OpenSession, job_id: int, *, error: str, retry: bool) -> None:
    with open_session() as session:
        job = session.get(Job, job_id, with_for_update=True)
        assert job is not None
        now = runtime().now()
        job.status = JobStatus.QUEUED if retry else JobStatus.FAILED
        job.error = error
        job.updated_at = now
        job.finished_at = None if retry else now
        session.commit()


def _stored_progress(session: Session, job_id: int) -> Report:
    def report(done: int, total: int) -> None:
        stmt = update(Job).where(Job.id == job_id).values(done=done, total=total)
        session.execute(stmt.execution_options(synchronize_session=False))

    return report


def _reason(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        detail = Message(exc.template, **exc.params)
        if not exc.errors:
            return detail
        shown = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.errors.items())
        return Message("{detail} {errors}", detail=detail, errors=shown[:REASON_CHARS])
    detail = str(exc)[:REASON_CHARS]
    return Message(
        "The job stopped on an error: {error}: {detail}", error=type(exc).__name__, detail=detail
    )


def _actor(record: dict[str, Any] | None) -> Any:
    if not record:
        return None
    from procurement.auth.actor import Actor
    from procurement.auth.roles import OrgKind, Role

    values = dict(record)
    values["org_kind"] = OrgKind(values["org_kind"])
    values["role"] = Role(values["role"])
    values["member_ids"] = tuple(values.get("member_ids") or ())
    return Actor(**values)
