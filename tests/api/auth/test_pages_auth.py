"""Password login for pages, the account page's tokens, and token expiry over the API."""

from __future__ import annotations

import re

import pytest

from procurement import create_app
from tests.fixtures.auth import PASSWORD


def test_the_login_page_is_a_form_with_a_csrf_field(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert 'name="username"' in html
    assert 'type="password"' in html


def test_the_right_password_logs_in_and_the_header_shows_the_user(client, make_user):
    user = make_user(kind="regulator")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/account").get_data(as_text=True)
    assert user.display_name in page
    assert "regulator" in page


@pytest.mark.parametrize("who", ["wrong-password", "unknown-user"])
def test_a_failed_login_is_a_401_page_with_one_message(client, make_user, who):
    user = make_user()
    username = user.username if who == "wrong-password" else "nobody"
    response = client.post("/login", data={"username": username, "password": "wrong wrong"})
    assert response.status_code == 401
    assert "Unknown username or wrong password." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still not logged in


def test_an_inactive_user_cannot_log_in(client, db_session, make_user):
    user = make_user()
    user.active = False
    db_session.commit()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 401


def test_a_user_deactivated_while_logged_in_is_logged_out(client, db_session, make_user, login):
    user = make_user()
    login(user)
    assert client.get("/account").status_code == 200
    user.active = False
    db_session.commit()
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logging_out_ends_the_session(client, make_user, login):
    login(make_user())
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302


def test_the_account_page_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account", "/account"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("/\\evil.example/phish", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_follows_only_a_next_on_this_site(client, make_user, next_url, expected):
    user = make_user()
    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"username": user.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def _secret_from_flash(html: str) -> str:
    match = re.search(r"(pt_[A-Za-z0-9_\-]+)", html)
    assert match, "the new token's secret should be shown once"
    return match.group(1)


def test_the_account_page_creates_a_token_that_works_on_the_api(client, make_user, login):
    user = make_user(kind="fund")
    login(user)
    response = client.post("/account/tokens", data={"name": "ERP link"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    secret = _secret_from_flash(html)
    assert "ERP link" in html
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.get_json()["username"] == user.username
    again = client.get("/account").get_data(as_text=True)
    assert secret not in again  # shown once only


def test_the_account_page_revokes_a_token(client, db_session, make_user, login):
    from sqlalchemy import select

    from procurement.auth.models import ApiToken

    user = make_user()
    login(user)
    html = client.post("/account/tokens", data={"name": "x"}, follow_redirects=True).get_data(
        as_text=True
    )
    secret = _secret_from_flash(html)
    token_id = db_session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    response = client.post(f"/account/tokens/{token_id}/revoke", follow_redirects=True)
    assert "revoked" in response.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_without_a_name_is_refused_on_the_account_page(client, make_user, login):
    login(make_user())
    response = client.post("/account/tokens", data={"name": "  "}, headers={"Accept": "text/html"})
    assert response.status_code == 422
    assert "Give the token a name." in response.get_data(as_text=True)


def test_an_expired_token_is_refused(client, clock, make_user, auth_headers):
    user = make_user()
    created = client.post(
        "/api/v1/tokens", json={"name": "day", "valid_days": 1}, headers=auth_headers(user)
    ).get_json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    clock.advance(hours=23, minutes=59)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(minutes=1)
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.get_json()["type"].endswith("/invalid-token")


def test_an_inactive_users_token_is_refused(client, db_session, make_user, auth_headers):
    user = make_user()
    headers = auth_headers(user)
    user.active = False
    db_session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_malformed_authorization_header_is_a_401(client):
    for header in ("Bearer", "Bearer pt_made_up", "Basic dXNlcjpwYXNz"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header


@pytest.fixture
def csrf_client(session_factory, clock):
    """An app with CSRF protection on, as in production."""
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": "sqlite://", "WTF_CSRF_ENABLED": True},
        clock=clock,
        session_factory=session_factory,
    )
    return app.test_client()


def _csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_csrf_refuses_a_login_post_without_the_token(csrf_client, make_user):
    user = make_user()
    response = csrf_client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The CSRF token is missing." in html
    assert "Reload the page" in html


def test_csrf_accepts_a_login_post_with_the_token_from_the_form(csrf_client, make_user):
    user = make_user()
    data = {
        "username": user.username,
        "password": PASSWORD,
        "csrf_token": _csrf_token(csrf_client),
    }
    assert csrf_client.post("/login", data=data).status_code == 302


def test_csrf_protects_token_creation_but_not_the_bearer_api(csrf_client, make_user, auth_headers):
    user = make_user()
    data = {"username": user.username, "password": PASSWORD, "csrf_token": _csrf_token(csrf_client)}
    csrf_client.post("/login", data=data)
    assert csrf_client.post("/account/tokens", data={"name": "x"}).status_code == 400
    api = csrf_client.post("/api/v1/tokens", json={"name": "y"}, headers=auth_headers(user))
    assert api.status_code == 201
