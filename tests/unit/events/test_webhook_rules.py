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


@pytest.mark.parametrize(
    ("url", "loopback", "ok"),
    [
        ("https://10.0.0.7/hooks", False, False),  # private
        ("https://192.168.1.20:8443/hooks", True, False),
        ("https://172.16.5.1/hooks", False, False),
        ("https://169.254.169.254/latest/meta-data", False, False),  # cloud metadata
        ("https://100.64.0.1/hooks", False, False),  # shared address space
        ("https://[fd00::1]/hooks", False, False),  # IPv6 unique local
        ("https://[::ffff:10.0.0.1]/hooks", False, False),  # IPv4-mapped private
        ("https://224.0.0.1/hooks", False, False),  # multicast
        ("https://0.0.0.0/hooks", False, False),
        ("https://127.0.0.1/hooks", False, False),  # this machine, not in testing
        ("https://localhost/hooks", False, False),
        ("https://127.0.0.1:8443/hooks", True, True),  # this machine in testing
        ("https://8.8.8.8/hooks", False, True),  # a public address
        ("https://[2001:4860:4860::8888]/hooks", False, True),
    ],
)
def test_an_endpoint_inside_a_private_network_is_refused(url, loopback, ok):
    problems = rules.endpoint_problems(url, allow_loopback_http=loopback)
    assert (problems == []) is ok
    if not ok:
        assert problems == [rules.PRIVATE_ADDRESS]


def test_a_secret_is_whsec_and_32_random_bytes_in_base64():
    one, two = rules.new_secret(), rules.new_secret()
    assert one.startswith("whsec_")
    assert len(base64.b64decode(one.removeprefix("whsec_"))) == rules.SECRET_BYTES
    assert one != two
