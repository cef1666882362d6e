"""The webhook policy: the retry schedule by hand, endpoint addresses, secrets."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from procurement.events import rules


def test_the_backoff_doubles_from_two_seconds_and_the_eighth_failure_is_the_last():
    waits = [rules.backoff(n) for n in range(1, rules.MAX_ATTEMPTS)]
    assert waits == [timedelta(seconds=s) for s in (2, 4, 8, 16, 32, 64, 128)]
    assert [rules.gives_up(n) for n in (1, 7, 8)] == [False, False, True]


@pytest.mark.parametrize(
    ("url", "loopback", "ok"),
    [
        ("https://erp.example.com/hooks", False, True),
        ("https://erp.example.com:8443/hooks?x=1", False, True),
        ("http://erp.example.com/hooks", True, False),
        ("http://127.0.0.1:8000/hooks", False, False),
        ("http://127.0.0.1:8000/hooks", True, True),
        ("http://localhost/hooks", True, True),
        ("http://[::1]:9000/hooks", True, True),
        ("http://10.0.0.7/hooks", True, False),
        ("https://user:secret@erp.example.com/", False, False),
        ("ftp://erp.example.com/", False, False),
        ("https://", False, False),
        ("https://erp.example.com:99999/", False, False),
        ("https://erp.example.com/" + "a" * rules.URL_MAX_LENGTH, False, False),
    ],
)
def test_endpoints_are_https_or_loopback_http_when_allowed(url, loopback, ok):
    assert (rules.endpoint_problems(url, allow_loopback_http=loopback) == []) is ok


def test_a_secret_is_whsec_and_32_random_bytes_in_base64():
    one, two = rules.new_secret(), rules.new_secret()
    assert one.startswith("whsec_")
    assert len(base64.b64decode(one.removeprefix("whsec_"))) == rules.SECRET_BYTES
    assert one != two
