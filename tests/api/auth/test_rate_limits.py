"""The API rate limit: per token, per client address without one; 429 problem+json with
Retry-After that names API_RATE_LIMIT; the next window serves again."""

from __future__ import annotations

from datetime import UTC, datetime

from procurement.auth.models import ApiToken


def test_a_token_over_the_limit_gets_a_429_problem_then_is_served_in_the_next_window(
    app, client, clock, make_user, auth_headers
):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    headers = auth_headers(make_user())
    clock.set(datetime(2026, 1, 5, 9, 0, 15, tzinfo=UTC))  # 15 s into a minute's window
    served = [client.get("/api/v1/me", headers=headers) for _ in range(3)]
    assert [r.status_code for r in served] == [200, 200, 200]
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == "45"
    body = refused.get_json()
    assert body["type"].endswith("/rate-limited")
    assert body["setting"] == "API_RATE_LIMIT"
    assert "API_RATE_LIMIT" in body["detail"]
    assert body["limit"] == "3 per minute"
    assert body["retry_after"] == 45
    clock.advance(seconds=44)
    assert client.get("/api/v1/me", headers=headers).status_code == 429
    clock.advance(seconds=1)
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_the_count_is_shared_by_every_worker_through_the_database(
    app, client, db_session, make_user, auth_headers
):
    from sqlalchemy import select

    from procurement.auth.models import ApiRateCounter

    app.config["API_RATE_LIMIT"] = "5 per minute"
    headers = auth_headers(make_user())
    for _ in range(3):
        client.get("/api/v1/me", headers=headers)
    counts = db_session.scalars(
        select(ApiRateCounter.requests).where(ApiRateCounter.key.like("token:%"))
    ).all()
    assert 3 in counts


def test_each_token_has_its_own_budget(app, client, make_user, auth_headers):
    app.config["API_RATE_LIMIT"] = "2 per hour"
    first, second = auth_headers(make_user()), auth_headers(make_user())
    for _ in range(2):
        assert client.get("/api/v1/me", headers=first).status_code == 200
    assert client.get("/api/v1/me", headers=first).status_code == 429
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_anonymous_calls_are_limited_per_client_address(app, client):
    app.config["API_RATE_LIMIT"] = "2 per day"
    here = {"REMOTE_ADDR": "203.0.113.77"}
    elsewhere = {"REMOTE_ADDR": "203.0.113.78"}
    for _ in range(2):
        assert client.get("/api/v1/openapi.json").status_code == 200  # docs are not limited
        assert client.get("/api/v1/me", environ_base=here).status_code == 401
    refused = client.get("/api/v1/me", environ_base=here)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert client.get("/api/v1/me", environ_base=elsewhere).status_code == 401


def test_a_refused_request_changes_nothing(app, client, db_session, make_user, auth_headers):
    app.config["API_RATE_LIMIT"] = "1 per minute"
    user = make_user()
    headers = auth_headers(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    refused = client.post("/api/v1/tokens", json={"name": "more"}, headers=headers)
    assert refused.status_code == 429
    names = [t.name for t in db_session.query(ApiToken).filter_by(user_id=user.id)]
    assert names == ["test"]


def test_pages_are_not_counted_against_the_api_limit(app, client):
    app.config["API_RATE_LIMIT"] = "1 per minute"
    for _ in range(3):
        assert client.get("/login", environ_base={"REMOTE_ADDR": "203.0.113.90"}).status_code == 200
