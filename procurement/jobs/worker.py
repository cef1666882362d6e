"""The procrastinate side: one procrastinate task per job kind (its retry policy as a
procrastinate retry strategy), a worker that runs them through the jobs runner, and the
recovery of jobs left running by a worker that stopped sending heartbeats (killed, machine
lost): they go back to the queue for another worker. Workers share nothing but the database,
so they can run on several machines."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import procrastinate
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from sqlalchemy import update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from procurement.jobs.models import Job
from procurement.jobs.registry import TaskSpec, all_tasks
from procurement.jobs.services.queue import QUEUE_NAME, runtime
from procurement.jobs.services.runner import JobFailed, run_job

log = logging.getLogger(__name__)

# A worker's heartbeat, and how long without one before its running jobs are handed to another
# worker (procrastinate's defaults: 10 s and 30 s).
HEARTBEAT_SECONDS = 10.0
STALLED_AFTER_SECONDS = 30.0
# How often a worker looks for stalled jobs.
RECOVERY_EVERY_SECONDS = 5.0


class PolicyRetry(BaseRetryStrategy):
    """Retry a job when the runner said its task's policy allows another attempt, after the
    policy's exponential wait."""

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> RetryDecision | None:
        if not isinstance(exception, JobFailed) or not exception.retry or not self.spec.retry:
            return None
        wait = self.spec.retry.wait_before(max(1, exception.attempt))
        return RetryDecision(retry_in={"seconds": wait})


def libpq_url(database_url: str) -> str:
    """``postgresql+psycopg://...`` as libpq (psycopg) reads it."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def build_app(engine: Engine) -> procrastinate.App:
    """A procrastinate app on ``engine``'s database whose tasks run our jobs."""
    conninfo = libpq_url(engine.url.render_as_string(hide_password=False))
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))
    for spec in all_tasks():
        app.task(name=spec.kind, queue=QUEUE_NAME, pass_context=True, retry=PolicyRetry(spec))(
            _runner(engine, spec)
        )
    return app


def _runner(engine: Engine, spec: TaskSpec) -> Callable[..., None]:
    def open_session() -> Session:
        return Session(bind=engine, expire_on_commit=False)

    def run(_context: Any, *, job_id: int) -> None:
        run_job(open_session, job_id, report=_progress_writer(engine))

    run.__name__ = spec.kind.replace(".", "_")
    return run


def _progress_writer(engine: Engine) -> Callable[[int], Callable[[int, int], None]]:
    """Progress written at once on a connection of its own, so pages see it while the task's
    transaction is still open."""

    def for_job(job_id: int) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            with engine.begin() as conn:
                conn.execute(
                    update(Job)
                    .where(Job.id == job_id)
                    .values(done=done, total=total, updated_at=runtime().now())
                )

        return report

    return for_job


async def recover_stalled(app: procrastinate.App, *, stalled_after: float, every: float) -> None:
    """Put back in the queue the jobs of workers silent for ``stalled_after`` seconds."""
    while True:
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE_NAME, seconds_since_heartbeat=stalled_after
            )
            for job in stalled:
                log.warning("job %s of a stalled worker goes back to the queue", job.id)
                await app.job_manager.retry_job(job)
        except Exception:  # the database went away for a moment: try again next round
            log.exception("looking for stalled jobs failed")
        await asyncio.sleep(every)


def run_worker(
    engine: Engine,
    *,
    concurrency: int = 1,
    heartbeat: float = HEARTBEAT_SECONDS,
    stalled_after: float = STALLED_AFTER_SECONDS,
    recovery_every: float = RECOVERY_EVERY_SECONDS,
    wait: bool = True,
) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM: finish the running ones, then stop)."""
    app = build_app(engine)

    async def main() -> None:
        async with app.open_async():
            recovery = asyncio.create_task(
                recover_stalled(app, stalled_after=stalled_after, every=recovery_every)
            )
            try:
                await app.run_worker_async(
                    queues=[QUEUE_NAME],
                    concurrency=concurrency,
                    wait=wait,
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=stalled_after,
                )
            finally:
                recovery.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await recovery

    asyncio.run(main())
