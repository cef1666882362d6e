"""The delivery settings of this process: whether plain-http loopback endpoints are allowed
(setting ``WEBHOOKS_ALLOW_LOOPBACK_HTTP``, true only in testing and development) and how long an
endpoint may take to answer. The app installs them when it starts (``pages.py``); without an app
(CLI, demo) the defaults apply: HTTPS only."""

from __future__ import annotations

from dataclasses import dataclass, replace

from procurement.events.rules import RESPONSE_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Runtime:
    allow_loopback_http: bool = False
    timeout_seconds: float = RESPONSE_TIMEOUT_SECONDS


_current = [Runtime()]


def install(**changes: object) -> Runtime:
    """Change the running settings (``allow_loopback_http``, ``timeout_seconds``)."""
    _current[0] = replace(_current[0], **changes)  # type: ignore[arg-type]
    return _current[0]


def current() -> Runtime:
    return _current[0]
