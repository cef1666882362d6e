"""Settings of logins, the API rate limit and the trusted proxies are checked at start."""

import pytest

from procurement.settings import SettingsError, load_settings


def test_the_defaults_trust_no_proxy_and_name_every_login_limit():
    settings = load_settings(environ={})
    assert settings["TRUSTED_PROXIES"] == 0
    assert settings["LOGIN_MAX_FAILURES"] == 5
    assert settings["LOGIN_MAX_FAILURES_PER_ADDRESS"] == 50
    assert settings["LOGIN_LOCKOUT_SECONDS"] == 900
    assert settings["API_RATE_LIMIT"] == "600 per minute"


def test_the_rate_limit_comes_from_the_environment():
    settings = load_settings(environ={"PROCUREMENT_API_RATE_LIMIT": "100/minute"})
    assert settings["API_RATE_LIMIT"] == "100/minute"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PROCUREMENT_TRUSTED_PROXIES", "-1", "TRUSTED_PROXIES"),
        ("PROCUREMENT_TRUSTED_PROXIES", "one", "TRUSTED_PROXIES"),
        ("PROCUREMENT_API_RATE_LIMIT", "lots", "API_RATE_LIMIT"),
        ("PROCUREMENT_API_RATE_LIMIT", "600", "API_RATE_LIMIT"),
        ("PROCUREMENT_LOGIN_MAX_FAILURES", "0", "LOGIN_MAX_FAILURES"),
        ("PROCUREMENT_LOGIN_LOCKOUT_SECONDS", "soon", "LOGIN_LOCKOUT_SECONDS"),
    ],
)
def test_unusable_security_settings_fail_at_start(name, value, says):
    with pytest.raises(SettingsError, match=says):
        load_settings(environ={name: value})


@pytest.mark.parametrize(
    ("text", "requests", "seconds"),
    [("600 per minute", 600, 60), ("10/second", 10, 1), ("5000 per hours", 5000, 3600)],
)
def test_a_rate_reads_as_requests_per_period(text, requests, seconds):
    from procurement.core.rates import Rate

    rate = Rate.parse(text)
    assert (rate.requests, rate.seconds) == (requests, seconds)
