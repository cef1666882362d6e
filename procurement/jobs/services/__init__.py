"""Jobs: defer (in the caller's transaction), run (inline or by a worker), read."""

from procurement.jobs.services.defer import defer
from procurement.jobs.services.queue import install, runtime
from procurement.jobs.services.reading import get_job, jobs_of, recent_jobs
from procurement.jobs.services.runner import JobFailed, run_job

__all__ = [
    "JobFailed",
    "defer",
    "get_job",
    "install",
    "jobs_of",
    "recent_jobs",
    "run_job",
    "runtime",
]
