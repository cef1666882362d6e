"""A settlement run asked for as a job: checked now, in the request; paid by a worker (or
inline after the request's commit). The run is idempotent by its key, so the job is retried
with backoff: a retry (or a worker taking over from a killed one) resumes after the last
committed batch and pays nothing twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.jobs import JobContext, defer
from procurement.jobs.models import Job
from procurement.settlement.models import SettlementRun
from procurement.settlement.rules import DEFAULT_RUN_BATCH_SIZE
from procurement.settlement.services.runs import check_start, start_run


def ask_run(
    session: Session,
    *,
    cut_off: date,
    idempotency_key: str,
    now: datetime,
    actor: Actor,
    batch_size: int = DEFAULT_RUN_BATCH_SIZE,
) -> Job:
    """Ask for a settlement run as a job; its progress is batches paid of batches."""
    check_start(
        session,
        cut_off=cut_off,
        idempotency_key=idempotency_key,
        batch_size=batch_size,
        now=now,
        actor=actor,
    )
    job = defer(
        session,
        "settlement.run",
        actor=actor,
        cut_off=cut_off.isoformat(),
        idempotency_key=idempotency_key,
        batch_size=batch_size,
    )
    session.commit()
    return job


def run_job(
    ctx: JobContext, *, cut_off: str, idempotency_key: str, batch_size: int
) -> SettlementRun:
    """The job's work: start or resume the run with the job's key, reporting batches."""
    session = ctx.session

    def progress(_batch_no: int) -> None:
        done, total = session.execute(
            select(SettlementRun.batches_done, SettlementRun.batches_total).where(
                SettlementRun.fund_org_id == ctx.actor.org_id,
                SettlementRun.idempotency_key == idempotency_key,
            )
        ).one()
        ctx.progress(done, total)

    run = start_run(
        session,
        cut_off=date.fromisoformat(cut_off),
        idempotency_key=idempotency_key,
        now=ctx.now,
        actor=ctx.actor,
        batch_size=batch_size,
        after_batch=progress,
    )
    ctx.progress(run.batches_done, run.batches_total)
    ctx.produced("settlement_run", run.id)
    return run
