"""The login page's throttling and lockout, the password-change page, logout ending every
session, and the token secret kept out of the session cookie."""

from __future__ import annotations

import json

import pytest
from flask.sessions import SecureCookieSessionInterface

from procurement import create_app
from tests.fixtures.auth import PASSWORD

WRONG = "not the password"


def post_login(client, username, password, address="198.51.100.7", **kwargs):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


def test_five_wrong_passwords_lock_the_account_with_a_429_and_retry_after(
    app, client, clock, make_user
):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert post_login(client, user.username, WRONG).status_code == 401
    refused = post_login(client, user.username, PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(app.config["LOGIN_LOCKOUT_SECONDS"])
    assert "Too many failed logins for this username" in refused.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # the right password did not log in
    clock.advance(seconds=app.config["LOGIN_LOCKOUT_SECONDS"])
    assert post_login(client, user.username, PASSWORD).status_code == 302


def test_a_client_asking_for_json_gets_a_429_problem_naming_the_setting(app, client, make_user):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(client, user.username, WRONG)
    refused = post_login(client, user.username, PASSWORD, headers={"Accept": "application/json"})
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == str(app.config["LOGIN_LOCKOUT_SECONDS"])
    body = refused.get_json()
    assert body["type"].endswith("/login-throttled")
    assert body["setting"] == "LOGIN_MAX_FAILURES"
    assert body["retry_after"] == app.config["LOGIN_LOCKOUT_SECONDS"]
    assert "LOGIN_MAX_FAILURES" in body["detail"]


def test_the_lockout_message_is_translated(app, client, make_user):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(client, user.username, WRONG)
    refused = post_login(client, user.username, WRONG, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 429
    assert "该用户名登录失败次数过多" in refused.get_data(as_text=True)


def test_one_address_is_throttled_across_usernames_and_others_are_not(app, client, make_user):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    user = make_user()
    for n in range(4):
        assert post_login(client, f"spray{n}", WRONG, address="203.0.113.5").status_code == 401
    refused = post_login(client, user.username, PASSWORD, address="203.0.113.5")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "from your network" in refused.get_data(as_text=True)
    assert post_login(client, user.username, PASSWORD, address="192.0.2.44").status_code == 302


def test_x_forwarded_for_is_ignored_without_trusted_proxies(app, client, make_user):
    """TRUSTED_PROXIES = 0 (the default): a forged header cannot dodge the address limit."""
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 2
    for n in range(2):
        post_login(client, f"spray{n}", WRONG, headers={"X-Forwarded-For": f"10.0.0.{n}"})
    refused = post_login(client, "spray9", WRONG, headers={"X-Forwarded-For": "10.0.0.99"})
    assert refused.status_code == 429


@pytest.fixture
def proxied_client(session_factory, clock):
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": "sqlite://",
            "TRUSTED_PROXIES": 1,
            "LOGIN_MAX_FAILURES_PER_ADDRESS": 2,
        },
        clock=clock,
        session_factory=session_factory,
    )
    return app.test_client()


def test_behind_one_trusted_proxy_the_forwarded_address_is_the_clients(proxied_client):
    for n in range(2):
        post_login(proxied_client, f"spray{n}", WRONG, headers={"X-Forwarded-For": "10.0.0.1"})
    assert (
        post_login(proxied_client, "x", WRONG, headers={"X-Forwarded-For": "10.0.0.1"}).status_code
        == 429
    )
    other = post_login(proxied_client, "x2", WRONG, headers={"X-Forwarded-For": "10.0.0.2"})
    assert other.status_code == 401


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_cookie_saved_before_logout_no_longer_opens_the_account_page(app, make_user, login):
    user = make_user()
    client = login(user)
    saved = _session_cookie(client)
    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved)
    response = replay.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_ends_the_users_sessions_on_other_devices(app, make_user, login):
    user = make_user()
    laptop = login(user)
    phone = app.test_client()
    assert post_login(phone, user.username, PASSWORD).status_code == 302
    assert phone.get("/account").status_code == 200
    laptop.post("/logout")
    assert phone.get("/account").status_code == 302


def change_password(client, current, new, confirm=None, **kwargs):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        **kwargs,
    )


def test_the_password_page_is_reached_from_the_account_page(make_user, login):
    client = login(make_user())
    assert 'href="/account/password"' in client.get("/account").get_data(as_text=True)
    page = client.get("/account/password")
    assert page.status_code == 200
    assert 'name="current_password"' in page.get_data(as_text=True)


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, make_user, login):
    user = make_user()
    client = login(user)
    other = app.test_client()
    assert post_login(other, user.username, PASSWORD).status_code == 302
    saved = _session_cookie(other)
    response = change_password(client, PASSWORD, "a much better secret")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved)
    assert replay.get("/account").status_code == 302
    client.post("/logout")
    assert post_login(client, user.username, PASSWORD).status_code == 401
    assert post_login(client, user.username, "a much better secret").status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        (WRONG, "a much better secret", None, "current_password", "current password is wrong"),
        (PASSWORD, "password123", None, "new_password", "most common passwords"),
        (PASSWORD, "short one", None, "new_password", "at least 12 characters"),
        (PASSWORD, "a much better secret", "a different one!", "confirm_password", "differ"),
        (PASSWORD, PASSWORD, None, "new_password", "must differ from the current"),
    ],
)
def test_a_refused_password_change_shows_the_error_beside_its_field(
    db_session, make_user, login, current, new, confirm, field, message
):
    user = make_user()
    client = login(user)
    before = user.password_hash
    response = change_password(client, current, new, confirm)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'data-testid="error-{field}"' in html
    assert message in html
    db_session.refresh(user)
    assert user.password_hash == before
    assert client.get("/account").status_code == 200  # still logged in


def test_the_password_page_speaks_chinese(make_user, login):
    client = login(make_user())
    response = change_password(
        client, PASSWORD, "password123", headers={"Accept-Language": "zh-CN"}
    )
    html = response.get_data(as_text=True)
    assert "修改密码" in html
    assert "最常见的密码" in html


def test_the_password_page_needs_a_login(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_new_tokens_secret_never_enters_the_session_cookie(app, make_user, login):
    client = login(make_user())
    response = client.post("/account/tokens", data={"name": "ERP link"})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    secret = html.split('data-testid="new-token"')[1].split("<code>")[1].split("</code>")[0]
    assert secret.startswith("pt_")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    cookie = serializer.loads(_session_cookie(client))
    assert "_user_id" in cookie  # really the decoded session
    assert secret not in json.dumps(cookie, default=str)
    assert "_flashes" not in cookie
    assert secret not in client.get("/account").get_data(as_text=True)
