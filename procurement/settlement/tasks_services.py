"""The settlement's job: a settlement run (idempotent by its key: retried with backoff)."""

from __future__ import annotations

from procurement.core.messages import N_, Message
from procurement.jobs import JobContext, RetryPolicy, task
from procurement.settlement.services.run_jobs import run_job

# A run resumes where it stopped, so a failed attempt is simply tried again.
RUN_RETRY = RetryPolicy(attempts=5, base_seconds=2.0)


@task("settlement.run", retry=RUN_RETRY, title=N_("Settlement run"))
def settlement_run(ctx: JobContext, *, cut_off: str, idempotency_key: str, batch_size: int):
    """Pay every unpaid payable accepted up to the cut-off (resuming an earlier attempt)."""
    run = run_job(ctx, cut_off=cut_off, idempotency_key=idempotency_key, batch_size=batch_size)
    return Message(
        "Settlement run {reference}: {payables} payables paid in {payments} payments.",
        reference=run.reference,
        payables=run.payables_count,
        payments=len(run.payments),
    )
