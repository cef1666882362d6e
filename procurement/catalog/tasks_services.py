"""The catalog's job: a large demand upload, imported all or nothing (a failed import left
nothing, and the same file fails the same way again: not retried)."""

from __future__ import annotations

from procurement.catalog.services.demand_upload import import_demand
from procurement.core.messages import N_, Message
from procurement.jobs import JobContext, task


@task("catalog.demand_import", title=N_("Demand import"))
def demand_import(ctx: JobContext, *, tender_id: int) -> Message:
    filename, content = ctx.input_file()
    reports = import_demand(
        ctx.session,
        tender_id=tender_id,
        filename=filename,
        content=content,
        now=ctx.now,
        actor=ctx.actor,
    )
    ctx.progress(len(reports), len(reports))
    return Message("{n} demand rows imported.", n=len(reports))
