"""The job queue's worker fixtures (tests/service/jobs/test_jobs_worker.py): a PostgreSQL
database of its own where the test's data really commits, ``procurement worker`` processes on
it."""

from tests.service.jobs.test_jobs_worker import (  # noqa: F401  (fixtures of this folder)
    app,
    queue_engine,
    queue_url,
    queued,
    session_factory,
    workers,
)
