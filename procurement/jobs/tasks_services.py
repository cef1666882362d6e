"""The jobs area's own task: ``jobs.ping`` does nothing but succeed, so an operator (and the
queue benchmark) can see a worker take and finish jobs."""

from __future__ import annotations

from procurement.core.messages import N_, Message
from procurement.jobs.context import JobContext
from procurement.jobs.registry import task


@task("jobs.ping", title=N_("Queue check"))
def ping(ctx: JobContext, *, note: str = "") -> Message:
    """Succeed at once, saying which attempt ran."""
    ctx.progress(1, 1)
    return Message("Ping {note} answered on attempt {attempt}.", note=note, attempt=ctx.attempt)
