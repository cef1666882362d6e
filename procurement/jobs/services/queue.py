"""Which queue runs the jobs of this process: none (inline, the SQLite default) or
procrastinate on PostgreSQL (setting ``JOB_QUEUE``), and the clock jobs read. Installed once
when the app (or the worker) starts, like the business time zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from procurement.core.clock import Clock, SystemClock

QUEUES = ("", "procrastinate")
# The procrastinate queue our jobs go to (one queue: several workers share it).
QUEUE_NAME = "procurement"


@dataclass
class JobRuntime:
    """``clock_source`` gives the clock at each read, so a test (or the demo) that swaps the
    app's clock moves the jobs' timestamps too."""

    queue: str = ""
    clock_source: Callable[[], Clock] = field(default=SystemClock)

    @property
    def queued(self) -> bool:
        return self.queue == "procrastinate"

    @property
    def clock(self) -> Clock:
        return self.clock_source()

    def now(self) -> datetime:
        return self.clock_source().now()


_runtime = JobRuntime()
# The web layer installs a lookup of the current app's runtime (several apps live in one test
# process, each with its own setting and clock); None outside an app.
_current: list[Callable[[], JobRuntime | None]] = []


def make_runtime(*, queue: str = "", clock_source: Callable[[], Clock] | None = None):
    """A runtime using ``queue`` ("" = inline, "procrastinate") and the clock
    ``clock_source()`` gives."""
    if queue not in QUEUES:
        raise ValueError(f"JOB_QUEUE must be one of {QUEUES}, not {queue!r}")
    return JobRuntime(queue, clock_source or SystemClock)


def install(*, queue: str = "", clock_source: Callable[[], Clock] | None = None) -> None:
    """Use ``queue`` and ``clock_source`` for the jobs of this process outside an app (the
    worker, the CLI)."""
    made = make_runtime(queue=queue, clock_source=clock_source)
    _runtime.queue, _runtime.clock_source = made.queue, made.clock_source


def use_current(lookup: Callable[[], JobRuntime | None]) -> None:
    """Install how to find the current app's runtime (``web``: the app in context)."""
    _current[:] = [lookup]


def runtime() -> JobRuntime:
    """The current app's runtime, else this process's."""
    current = _current[0]() if _current else None
    return current or _runtime
