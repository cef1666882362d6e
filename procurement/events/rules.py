"""The webhook policy: retry schedule, when a subscription is disabled, endpoint addresses and
secrets (pure; the services apply it)."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from procurement.core.messages import Message
from procurement.jobs.registry import RetryPolicy

# A delivery is attempted at most MAX_ATTEMPTS times; attempt n failing waits
# BACKOFF_BASE_SECONDS * 2 ** (n - 1) before attempt n + 1 (2 s, 4 s, 8 s ... 128 s): the job
# queue's retry policy of the delivery task.
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
RETRY = RetryPolicy(attempts=MAX_ATTEMPTS, base_seconds=BACKOFF_BASE_SECONDS)
# This many failed attempts in a row (any deliveries of one subscription) disable it.
DISABLE_AFTER_CONSECUTIVE_FAILURES = 10
# An endpoint answers within this, or the attempt fails (counts as a failure).
RESPONSE_TIMEOUT_SECONDS = 10.0
# What an attempt keeps of the endpoint's answer (for the delivery log).
RESPONSE_EXCERPT_CHARS = 500
# After a rotation the previous secret still signs (a second signature) for this long, so the
# receiver can switch without losing deliveries.
ROTATION_OVERLAP = timedelta(hours=24)
SECRET_BYTES = 32
SECRET_PREFIX = "whsec_"
URL_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 200
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def backoff(attempt: int) -> timedelta:
    """The wait after failed attempt ``attempt`` (1, 2, ...) before the next one."""
    return timedelta(seconds=RETRY.wait_before(attempt))


def gives_up(attempt: int) -> bool:
    """Whether failed attempt ``attempt`` was the delivery's last."""
    return not RETRY.retries_after(attempt)


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def endpoint_problems(url: str, *, allow_loopback_http: bool) -> list[Message]:
    """What is wrong with an endpoint address (empty when it is fine): HTTPS only, with a host,
    no user info; plain http only to this machine (localhost, 127.0.0.1, ::1) and only when
    the setting WEBHOOKS_ALLOW_LOOPBACK_HTTP allows it (testing and development)."""
    if len(url) > URL_MAX_LENGTH:
        return [Message("Use at most {limit} characters.", limit=URL_MAX_LENGTH)]
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return [Message("This is not a web address.")]
    if not host or parts.scheme not in ("http", "https"):
        return [Message("Give an https:// address of your endpoint.")]
    if parts.username or parts.password:
        return [Message("Leave user names and passwords out of the address.")]
    if parts.scheme == "http" and not (allow_loopback_http and _is_loopback(host)):
        return [Message("Use https:// (plain http is allowed only to this machine in testing).")]
    if not (allow_loopback_http and _is_loopback(host)) and (
        host in LOOPBACK_HOSTS or not public_address(host, literal_only=True)
    ):
        return [PRIVATE_ADDRESS]
    return []


PRIVATE_ADDRESS = Message(
    "Give an address on the internet: private, loopback and link-local addresses are refused."
)


def public_address(address: str, *, literal_only: bool = False) -> bool:
    """Whether an IP address is a public (global) one, not private, loopback, link-local
    (cloud metadata at 169.254.169.254), shared, reserved or multicast: a webhook must not
    reach into the platform's own network (SSRF). ``literal_only``: a host name passes (it is
    checked when resolved, at each delivery)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return literal_only
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def allowed_destination(address: str, *, allow_loopback_http: bool) -> bool:
    """Whether a delivery may connect to a resolved address: a public one, or this machine
    when loopback endpoints are allowed (testing)."""
    return public_address(address) or (allow_loopback_http and _is_loopback(address))


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
