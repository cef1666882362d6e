"""Without a queue (the SQLite default) a job runs inline once the caller's transaction
commits; a rolled-back transaction leaves no job and runs nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from procurement.core.errors import Conflict
from procurement.jobs import JobContext, RetryPolicy, defer, task
from procurement.jobs.errors import UnknownJobKind
from procurement.jobs.models import Job, JobStatus

RUNS: list[tuple[int, int]] = []


@task("tests.inline_count", retry=RetryPolicy(attempts=3, base_seconds=0.01))
def count(ctx: JobContext, *, n: int):
    for i in range(n):
        ctx.progress(i + 1, n)
    RUNS.append((ctx.job_id, ctx.attempt))
    return f"counted {n}"


class Refused(Conflict):
    code = "tests-refused"


@task("tests.inline_refuse")
def refuse(ctx: JobContext):
    raise Refused()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


def test_a_job_runs_inline_when_the_callers_transaction_commits(
    app_context, db_session, make_actor, clock
):
    actor = make_actor("regulator")
    job = defer(db_session, "tests.inline_count", n=3, actor=actor, subject=("tender", 7))
    assert job.status == JobStatus.QUEUED
    assert (job.id, 1) not in RUNS
    clock.advance(seconds=5)
    db_session.commit()
    assert (job.id, 1) in RUNS
    stored = db_session.scalars(select(Job).where(Job.id == job.id)).one()
    db_session.refresh(stored)
    assert stored.status == JobStatus.SUCCEEDED
    assert (stored.done, stored.total, stored.attempts) == (3, 3, 1)
    assert stored.result == "counted 3"
    assert (stored.org_id, stored.user_id) == (actor.org_id, actor.user_id)
    assert (stored.subject_type, stored.subject_id) == ("tender", 7)
    assert stored.finished_at == clock.now()
    assert stored.created_at == clock.now() - timedelta(seconds=5)


def test_a_rolled_back_transaction_leaves_no_job_and_runs_nothing(app_context, db_session):
    before = len(RUNS)
    job_id = defer(db_session, "tests.inline_count", n=1).id
    db_session.rollback()
    db_session.commit()
    assert len(RUNS) == before
    assert db_session.get(Job, job_id) is None


def test_an_inline_failure_is_recorded_with_its_reason_not_raised(app_context, db_session):
    job = defer(db_session, "tests.inline_refuse")
    db_session.commit()
    db_session.refresh(job)
    assert job.status == JobStatus.FAILED
    assert job.error == "The request was refused."
    assert job.attempts == 1
    assert job.finished_at is not None


def test_an_unknown_kind_is_refused(app_context, db_session):
    with pytest.raises(UnknownJobKind):
        defer(db_session, "tests.no_such_kind")
