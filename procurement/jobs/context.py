"""What a task receives: its own session, the job's attempt, the clock's now and a way to
report progress (counts done of total, shown on the pages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class JobContext:
    """``session`` is the task's own; the runner commits it on success (a task that calls a
    service committing itself is fine too). ``attempt`` counts runs from 1. ``actor`` is who
    asked (an ``auth.actor.Actor`` or None for the system). ``now`` is the clock's time when the
    run started."""

    session: Any
    job_id: int
    kind: str
    attempt: int
    now: datetime
    actor: Any = None
    report: Callable[[int, int], None] = field(default=lambda done, total: None, repr=False)
    outcome_type: str | None = None
    outcome_id: int | None = None

    def progress(self, done: int, total: int) -> None:
        """Record ``done`` of ``total`` (lots solved of lots, payables of payables ...)."""
        self.report(int(done), int(total))

    def produced(self, kind: str, ident: int) -> None:
        """Name what the job made (``("award_run", 5)``): its page links it."""
        self.outcome_type, self.outcome_id = kind, ident
