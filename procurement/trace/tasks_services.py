"""The trace area's job: a large code file attached to a shipment line (all or nothing; the
same file is refused the same way again: not retried)."""

from __future__ import annotations

from procurement.core.messages import N_, Message
from procurement.jobs import JobContext, task
from procurement.trace.services.code_jobs import import_codes


@task("trace.codes_import", title=N_("Code file import"))
def codes_import(ctx: JobContext, *, shipment_line_id: int) -> Message:
    done = import_codes(ctx, shipment_line_id=shipment_line_id)
    return Message("{n} codes stored.", n=done.boxes + done.cases)
