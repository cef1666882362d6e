"""Jobs: defer (in the caller's transaction), run (inline or by a worker), read."""

from procurement.jobs.services.defer import defer
from procurement.jobs.services.queue import install, runtime
from procurement.jobs.services.runner import JobFailed, run_job

__all__ = ["JobFailed", "defer", "install", "run_job", "runtime"]
