"""Each app's job runtime (its JOB_QUEUE and its clock), found through the app in context."""

from __future__ import annotations

from flask import Flask, current_app, has_app_context

from procurement.jobs.services import queue
from procurement.web.session import EXTENSION

KEY = "procurement.jobs"


def register(app: Flask) -> None:
    extension = app.extensions[EXTENSION]
    app.extensions[KEY] = queue.make_runtime(
        queue=app.config.get("JOB_QUEUE") or "", clock_source=lambda: extension["clock"]
    )
    queue.use_current(current_runtime)


def current_runtime() -> queue.JobRuntime | None:
    if not has_app_context():
        return None
    return current_app.extensions.get(KEY)
