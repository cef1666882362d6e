"""One HTTP POST of a delivery (``requests``): the status code and the time it took, or the
error. Redirects are not followed (the endpoint is the address the organization gave)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from procurement.events.rules import RESPONSE_EXCERPT_CHARS


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    response_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: str, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST ``body`` to ``url``; any answer but a 2xx is an error (its excerpt kept)."""
    started = time.perf_counter()
    try:
        response = requests.post(
            url, data=body.encode(), headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:RESPONSE_EXCERPT_CHARS]
        return Answer(None, _ms_since(started), error)
    elapsed = _ms_since(started)
    if 200 <= response.status_code < 300:
        return Answer(response.status_code, elapsed, None)
    excerpt = response.text[:RESPONSE_EXCERPT_CHARS]
    return Answer(response.status_code, elapsed, f"HTTP {response.status_code}: {excerpt}")


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
