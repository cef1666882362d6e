"""Jobs: long work (award and settlement runs, the compliance check, year-end, large imports
and exports, webhook deliveries) run as jobs.

    from procurement.jobs import task, defer, JobContext, RetryPolicy

    @task("webhooks.deliver", retry=RetryPolicy(attempts=8, base_seconds=2.0))
    def deliver(ctx: JobContext, *, delivery_id: int) -> Message | None: ...

    job = defer(session, "webhooks.deliver", delivery_id=7, actor=None)

``defer`` writes the job in the caller's transaction. With a queue configured
(``JOB_QUEUE = "procrastinate"``, PostgreSQL) the procrastinate job row is written in that same
transaction and a ``procurement worker`` runs it; with none (the SQLite default) the task runs
inline once the caller's transaction commits."""

from procurement.jobs.context import JobContext
from procurement.jobs.registry import RetryPolicy, task
from procurement.jobs.services import defer

__all__ = ["JobContext", "RetryPolicy", "defer", "task"]
