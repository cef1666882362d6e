"""One HTTP POST of a delivery (``requests``): the status code and the time it took, or the
error. Redirects are not followed (the endpoint is the address the organization gave). Before
connecting, the host name is resolved and every address it gives must be public
(``rules.allowed_destination``): a name that points into the platform's own network (private,
loopback, link-local: SSRF) is refused as the delivery's error, never connected to. (A name
that changes its answer between this check and the connection is not caught: the window is
the resolver's, milliseconds.)"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from procurement.events.rules import RESPONSE_EXCERPT_CHARS, allowed_destination


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    response_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(
    url: str,
    body: str,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_loopback_http: bool = False,
) -> Answer:
    """POST ``body`` to ``url``; any answer but a 2xx is an error (its excerpt kept)."""
    started = time.perf_counter()
    refused = _refused_destination(url, allow_loopback_http)
    if refused is not None:
        return Answer(None, _ms_since(started), refused[:RESPONSE_EXCERPT_CHARS])
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


def _refused_destination(url: str, allowed: bool) -> str | None:
    """Why the endpoint's host may not be connected to (None: it may); ``allowed``: loopback
    endpoints are (testing)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError) as exc:
        return f"Refused: {host} does not resolve ({exc})"
    bad = sorted(a for a in found if not allowed_destination(a, allow_loopback_http=allowed))
    if bad:
        return f"Refused: {host} resolves to a non-public address ({', '.join(bad)})"
    return None


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
