def test_me_answers_for_the_token_owner(client, make_user, auth_headers):
    user = make_user(kind="manufacturer", role="admin")
    body = client.get("/api/v1/me", headers=auth_headers(user)).get_json()
    assert body["username"] == user.username
    assert body["org_kind"] == "manufacturer"


def test_a_missing_token_is_a_401_problem(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "Bearer" in response.get_json()["detail"]


def test_a_revoked_token_stops_working_at_once(client, make_user, auth_headers):
    user = make_user()
    headers = auth_headers(user)
    created = client.post("/api/v1/tokens", json={"name": "erp"}, headers=headers)
    assert created.status_code == 201
    secret, token_id = created.get_json()["token"], created.get_json()["id"]
    other = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=other).status_code == 200
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=headers).status_code == 200
    refused = client.get("/api/v1/me", headers=other)
    assert refused.status_code == 401
    assert refused.get_json()["type"].endswith("/invalid-token")


def test_tokens_are_stored_hashed_never_in_clear(client, db_session, make_user, auth_headers):
    from sqlalchemy import select

    from procurement.auth.models import ApiToken

    user = make_user()
    secret = client.post(
        "/api/v1/tokens", json={"name": "x"}, headers=auth_headers(user)
    ).get_json()["token"]
    stored = db_session.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored
    assert all(len(h) == 64 for h in stored)


def test_a_user_cannot_revoke_another_users_token(client, make_user, auth_headers):
    alice, bob = make_user(), make_user()
    token_id = client.post(
        "/api/v1/tokens", json={"name": "a"}, headers=auth_headers(alice)
    ).get_json()["id"]
    response = client.delete(f"/api/v1/tokens/{token_id}", headers=auth_headers(bob))
    assert response.status_code == 404


def test_a_float_or_unknown_field_is_a_field_error(client, make_user, auth_headers):
    response = client.post(
        "/api/v1/tokens", json={"name": "a", "colour": "red"}, headers=auth_headers(make_user())
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"] == {"colour": ["Unknown field."]}
    assert body["type"].endswith("/validation-failed")
