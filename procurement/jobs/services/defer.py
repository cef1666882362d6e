"""``defer``: write a job in the caller's transaction; with procrastinate, its queue row too
(through the same connection, so a rolled-back request leaves no job and a committed one always
has its job); without a queue, run it inline once the caller's transaction commits."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from procurement.jobs.errors import UnknownJobKind
from procurement.jobs.models import Job, JobStatus
from procurement.jobs.registry import get_task
from procurement.jobs.services.queue import QUEUE_NAME, runtime

PENDING = "procurement.jobs.pending"

# procrastinate's own defer function (its schema, applied by our migration on PostgreSQL).
DEFER_SQL = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, "
    "CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1]))"
)


def defer(
    session: Session,
    kind: str,
    *,
    actor: Any = None,
    subject: tuple[str, int] | None = None,
    **args: Any,
) -> Job:
    """Ask for the task ``kind`` to run with ``args`` (JSON values) on behalf of ``actor``
    (None: the system); ``subject`` names what it is for (``("tender", 12)``). The job is
    written in the caller's transaction and not committed here."""
    if get_task(kind) is None:
        raise UnknownJobKind(kind=kind)
    now = runtime().now()
    job = Job(
        kind=kind,
        args=json.loads(json.dumps(args)),
        status=JobStatus.QUEUED,
        done=0,
        attempts=0,
        org_id=getattr(actor, "org_id", None),
        user_id=getattr(actor, "user_id", None),
        actor=_actor_record(actor),
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    if runtime().queued:
        params = {"queue": QUEUE_NAME, "task": kind, "args": json.dumps({"job_id": job.id})}
        job.queue_job_id = session.execute(DEFER_SQL, params).scalar_one()
    else:
        _run_after_commit(session, job.id)
    return job


def _actor_record(actor: Any) -> dict[str, Any] | None:
    if actor is None:
        return None
    return {k: getattr(v, "value", v) for k, v in asdict(actor).items()}


def _run_after_commit(session: Session, job_id: int) -> None:
    pending = session.info.setdefault(PENDING, [])
    if not pending and not session.info.get(PENDING + ".hooked"):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)
        session.info[PENDING + ".hooked"] = True
    pending.append(job_id)


def _after_commit(session: Session) -> None:
    from procurement.jobs.services.runner import run_inline

    pending = session.info.pop(PENDING, [])
    for job_id in pending:
        run_inline(session.get_bind(), job_id)


def _after_rollback(session: Session, previous: Any) -> None:
    if not previous.nested:  # a savepoint's rollback leaves the outer transaction's jobs
        session.info.pop(PENDING, None)
