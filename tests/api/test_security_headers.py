"""Security headers on every response: pages, the API, errors, static files and the API docs;
HSTS and Secure cookies in production."""

from __future__ import annotations

import pytest

from procurement import create_app
from tests.conftest import TEST_SEAL_KEY

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/login", 200),
        ("/account", 302),
        ("/no/such/page", 404),
        ("/api/v1/openapi.json", 200),
        ("/api/v1/docs", 200),
        ("/api/v1/me", 401),
        ("/static/site.css", 200),
        ("/healthz", 200),
    ],
)
def test_every_response_carries_the_security_headers(client, path, status):
    response = client.get(path)
    response.close()  # static files are streamed
    assert response.status_code == status
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, name
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_no_template_holds_inline_script_or_style(app):
    """The CSP refuses inline code; catch it here before a browser does."""
    import re
    from pathlib import Path

    root = Path(app.root_path)
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=\"|\sstyle=\"|<style", re.I)
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_api_docs_page_loads_swagger_ui_from_static_files_only(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert '<script src="/static/js/swagger-init.js"></script>' in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    assert "<script>" not in html
    with client.get("/static/js/swagger-init.js") as script:
        assert script.status_code == 200


@pytest.fixture
def production_app(session_factory, clock):
    return create_app(
        {
            "ENV": "production",
            "DATABASE_URL": "sqlite://",
            "SECRET_KEY": "p" * 48,
            "BID_SEAL_KEYS": [TEST_SEAL_KEY],
            "AUDIT_KEYS": ["production-test-audit-key-not-a-secret-0001"],
            "AUTO_MIGRATE": False,
        },
        clock=clock,
        session_factory=session_factory,
    )


def test_production_sends_hsts_and_marks_cookies_secure(production_app, make_user):
    from tests.fixtures.auth import PASSWORD

    user = make_user()
    client = production_app.test_client()
    page = client.get("/login", base_url="https://vbp.example.org")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    production_app.config["WTF_CSRF_ENABLED"] = False
    logged_in = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD},
        base_url="https://vbp.example.org",
    )
    assert logged_in.status_code == 302
    cookie = logged_in.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
