"""What inline deliveries need beside a session: the clock and the delivery settings. The app
installs them when it starts (``pages.py``); without an app (CLI, demo) the wall clock and the
defaults apply, and plain-http endpoints are refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from procurement.core.clock import SystemClock
from procurement.events.rules import RESPONSE_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Runtime:
    now: Callable[[], datetime] = field(default=SystemClock().now)
    allow_loopback_http: bool = False
    timeout_seconds: float = RESPONSE_TIMEOUT_SECONDS


_current = [Runtime()]


def install(**changes: object) -> Runtime:
    """Change the running settings (``now``, ``allow_loopback_http``, ``timeout_seconds``)."""
    _current[0] = replace(_current[0], **changes)  # type: ignore[arg-type]
    return _current[0]


def current() -> Runtime:
    return _current[0]
