"""The catalog's jobs: a large demand upload and a large lot file, imported all or nothing (a
failed import left nothing, and the same file fails the same way again: not retried)."""

from __future__ import annotations

from procurement.catalog.services.demand_upload import import_demand
from procurement.catalog.services.lots import import_lots
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


@task("catalog.lot_import", title=N_("Lot import"))
def lot_import(ctx: JobContext, *, tender_id: int, replace: bool) -> Message:
    filename, content = ctx.input_file()
    lots = import_lots(
        ctx.session,
        tender_id=tender_id,
        filename=filename,
        content=content,
        replace=replace,
        now=ctx.now,
        actor=ctx.actor,
    )
    ctx.progress(len(lots), len(lots))
    return Message("{n} lots imported.", n=len(lots))
