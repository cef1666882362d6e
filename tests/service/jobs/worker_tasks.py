"""Tasks only the worker tests use (loaded into a worker with ``--import``): the real
settlement run with a pause after each committed batch (time to kill its worker midway), a
task that fails twice then succeeds, and one that always fails."""

from __future__ import annotations

import time

from procurement.core.errors import Conflict
from procurement.core.messages import Message
from procurement.jobs import JobContext, RetryPolicy, task
from procurement.settlement.services.run_jobs import run_job

FAST_RETRY = RetryPolicy(attempts=3, base_seconds=0.5)


@task("tests.slow_settlement_run", retry=FAST_RETRY)
def slow_settlement_run(ctx: JobContext, *, pause: float, **args):
    report = ctx.report

    def slowly(done: int, total: int) -> None:
        report(done, total)
        time.sleep(pause)

    ctx.report = slowly
    run = run_job(ctx, **args)
    return Message("paid {n}", n=run.payables_count)


@task("tests.flaky", retry=FAST_RETRY)
def flaky(ctx: JobContext, *, succeed_on: int):
    if ctx.attempt < succeed_on:
        raise RuntimeError(f"attempt {ctx.attempt} fails")
    return Message("succeeded on attempt {n}", n=ctx.attempt)


class NotToday(Conflict):
    code = "tests-not-today"
    template = "Not today."


@task("tests.broken")
def broken(ctx: JobContext):
    raise NotToday()
