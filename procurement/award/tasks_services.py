"""The award's job: an award run, asked for on the tender's award page."""

from __future__ import annotations

from procurement.award.models import LotStatus
from procurement.award.services.inputs import RunOptions
from procurement.award.services.runs import start_award_run
from procurement.core.messages import N_, Message
from procurement.jobs import JobContext, task


@task("award.run", title=N_("Award run"))
def award_run(ctx: JobContext, *, tender_id: int, options: dict) -> Message:
    """Run the award (one transaction: a run killed midway left nothing and runs again)."""
    run = start_award_run(
        ctx.session,
        tender_id=tender_id,
        options=RunOptions(**options),
        now=ctx.now,
        actor=ctx.actor,
        progress=ctx.progress,
    )
    ctx.produced("award_run", run.id)
    allocated = sum(lot.status == LotStatus.OK for lot in run.lots)
    return Message(
        "Award run {number} finished: {allocated} of {lots} lots allocated.",
        number=run.number,
        allocated=allocated,
        lots=len(run.lots),
    )
