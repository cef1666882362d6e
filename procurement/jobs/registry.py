"""The task registry: ``@task(kind, retry=...)`` names a function that runs as a job.

Pure: no framework. The runner (``services/runner.py``) calls a task with a
:class:`~procurement.jobs.context.JobContext`; the queue (procrastinate) gets one task per kind,
retried with exponential backoff when the task declares a :class:`RetryPolicy`."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from procurement.core.messages import N_

# Task modules are found by name: ``procurement.<package>.tasks_services`` (a services module:
# tasks load, write and call services). The worker imports them all before it starts.
TASK_MODULE = "tasks_services"


@dataclass(frozen=True)
class RetryPolicy:
    """Retry an idempotent task: up to ``attempts`` runs in all, waiting
    ``base_seconds * 2 ** (attempt - 1)`` (at most ``max_seconds``) before each retry."""

    attempts: int = 5
    base_seconds: float = 2.0
    max_seconds: float = 600.0

    def wait_before(self, attempt: int) -> float:
        """Seconds to wait before run ``attempt + 1`` after run ``attempt`` failed."""
        return min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1))

    def retries_after(self, attempt: int) -> bool:
        return attempt < self.attempts


@dataclass(frozen=True)
class TaskSpec:
    kind: str
    func: Callable[..., Any]
    retry: RetryPolicy | None
    title: str  # what pages call such a job (an N_ msgid)


_TASKS: dict[str, TaskSpec] = {}


def task(
    kind: str, *, retry: RetryPolicy | None = None, title: str = N_("Job")
) -> Callable[[Callable], Callable]:
    """Register ``func(ctx, **args) -> Message | None`` as the task of ``kind``; ``title``
    (marked with ``N_``) is what pages call it. Without ``retry`` a failed run is final (the
    task is not idempotent)."""

    def register(func: Callable) -> Callable:
        _TASKS[kind] = TaskSpec(kind, func, retry, title)
        return func

    return register


def get_task(kind: str) -> TaskSpec | None:
    if kind not in _TASKS:
        load_tasks()
    return _TASKS.get(kind)


def all_tasks() -> list[TaskSpec]:
    load_tasks()
    return sorted(_TASKS.values(), key=lambda spec: spec.kind)


def load_tasks() -> None:
    """Import every ``procurement.<package>.tasks_services`` module (once)."""
    import procurement

    for info in pkgutil.iter_modules(procurement.__path__):
        if not info.ispkg:
            continue
        name = f"procurement.{info.name}.{TASK_MODULE}"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
