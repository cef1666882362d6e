"""Every refusal is an RFC 9457 problem (API) or an HTML error page (pages)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from procurement import create_app
from procurement.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RuleViolation,
    ValidationFailed,
)

BASE = "https://procurement.example.org/problems/"


class BidAfterDeadline(RuleViolation):
    """A test problem: a bid after the deadline."""

    code = "bid-after-deadline"
    title = "The bid deadline has passed"
    template = "Bids closed at {closed}; it is {now}."


class NoTender(NotFound):
    template = "No tender {tender_id}."


class TenderInDraft(Conflict):
    template = "The tender is in draft; publish it first."


class RegulatorOnly(Forbidden):
    template = "Only a regulator may open bids."


class CodeNotValid(ValidationFailed):
    template = "Fix the code."


ERRORS = {
    "rule": (BidAfterDeadline(closed="10:00", now="10:05", tender_id=7), 422),
    "notfound": (NoTender(tender_id=9), 404),
    "conflict": (TenderInDraft(), 409),
    "forbidden": (RegulatorOnly(), 403),
    "plain": (DomainError(), 400),
    "fields": (CodeNotValid(errors={"code": ["required"]}), 422),
}


@pytest.fixture
def raising_app(session_factory, clock):
    """An app of its own (the shared one must not grow routes) whose routes raise each kind of
    error (API and page flavours)."""
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": "sqlite://"},
        clock=clock,
        session_factory=session_factory,
    )

    def raiser(name):
        if name == "stale":
            raise StaleDataError("UPDATE expected 1 row")
        raise ERRORS[name][0]

    app.add_url_rule("/api/v1/_raise/<name>", "api_raise", raiser)
    app.add_url_rule("/_raise/<name>", "page_raise", raiser)
    return app


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"].startswith(response.request.path + "#")
    return body


def test_an_unknown_api_url_is_a_404_problem(client):
    body = assert_problem(client.get("/api/v1/no-such-thing"), 404)
    assert body["type"] == "about:blank"
    assert body["title"] == "Not Found"
    assert "check the URL" in body["detail"]


def test_a_wrong_method_is_a_405_problem(client):
    body = assert_problem(client.put("/api/v1/me"), 405)
    assert "/api/v1/docs" in body["detail"]


def test_a_missing_required_field_is_a_422_with_field_errors(client, make_user, auth_headers):
    response = client.post("/api/v1/tokens", json={}, headers=auth_headers(make_user()))
    body = assert_problem(response, 422)
    assert body["type"] == BASE + "validation-failed"
    assert body["errors"] == {"name": ["Missing data for required field."]}
    assert "name" in body["detail"]


def test_a_body_that_is_not_json_is_a_problem_not_a_500(client, make_user, auth_headers):
    headers = {**auth_headers(make_user()), "Content-Type": "application/json"}
    response = client.post("/api/v1/tokens", data="{not json", headers=headers)
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_no_token_is_a_401_problem_that_says_how_to_authenticate(client):
    body = assert_problem(client.get("/api/v1/tokens"), 401)
    assert body["type"] == BASE + "unauthenticated"
    assert "Authorization: Bearer" in body["detail"]


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_a_domain_error_becomes_a_problem_with_its_code_and_status(raising_app, name):
    error, status = ERRORS[name]
    body = assert_problem(raising_app.test_client().get(f"/api/v1/_raise/{name}"), status)
    assert body["type"] == BASE + error.code
    assert body["title"] == error.title
    assert body["detail"] == error.detail


def test_a_domain_error_subclass_keeps_its_own_type_and_extension_members(raising_app):
    body = raising_app.test_client().get("/api/v1/_raise/rule").get_json()
    assert body["type"] == BASE + "bid-after-deadline"
    assert body["title"] == "The bid deadline has passed"
    assert body["tender_id"] == 7
    assert body["status"] == 422


def test_a_stale_write_is_a_409_problem(raising_app):
    body = assert_problem(raising_app.test_client().get("/api/v1/_raise/stale"), 409)
    assert body["type"] == BASE + "stale-version"


def test_a_page_error_is_an_html_page_with_the_detail_and_field_errors(raising_app):
    client = raising_app.test_client()
    response = client.get("/_raise/fields", headers={"Accept": "text/html"})
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Fix the code." in html
    assert "<b>Code</b>: required" in html  # named as the form names it


def test_an_unknown_page_is_an_html_404_page(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not Found" in response.get_data(as_text=True)


def test_a_json_client_on_a_page_url_gets_problem_json(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert_problem(response, 404)


def test_an_unexpected_error_is_a_500_problem_that_reveals_nothing(session_factory, clock):
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": "sqlite://", "PROPAGATE_EXCEPTIONS": False},
        clock=clock,
        session_factory=session_factory,
    )

    def broken():
        raise RuntimeError("secret database password in the message")

    app.add_url_rule("/api/v1/_broken", "broken", broken)
    body = assert_problem(app.test_client().get("/api/v1/_broken"), 500)
    assert "secret" not in str(body)
    assert "changed nothing" in body["detail"]
