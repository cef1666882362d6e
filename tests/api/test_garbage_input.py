"""Every endpoint of the OpenAPI document answers garbage and edge values with a problem, never
a 500 (the limits themselves are tested one by one in test_limits.py)."""

import re

import pytest

from procurement.core.limits import MAX_JSON_DEPTH

BODIES = [{"x": 1.5}, {}, "not json", {"lines": "x", "to": 5, "name": None}]
QUERY = "?from=xx&to=yy&format=zz&year=abc&lot=-1"
TOO_BIG = 2**63
EDGE_BODIES = [
    {
        "name": "a\u0000b",
        "code": "\ud800",
        "lines": [{"contract_id": TOO_BIG, "packs": 2**62, "unit_price": "1" * 40}],
        "valid_days": 42_813_006,
        "month": "0000-00",
        "quantity": TOO_BIG,
        "amount": "1E-30",
        "opening_at": "9999-02-01T10:00:00+00:00",
        "contract_start": "9999-03-01",
    },
    "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
    "[" * 10_000 + "]" * 10_000,
]
EDGE_QUERIES = [
    f"?tender_id={TOO_BIG}&lot_id={TOO_BIG}&tender={TOO_BIG}&year={TOO_BIG}&run_id={TOO_BIG}",
    "?status=%00&digest=%00",
]
KINDS = ["regulator", "hospital", "manufacturer", "fund"]


def _operations(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method in set(operations) & {"get", "post", "put", "patch", "delete"}:
            yield path, method


def _send(client, url, method, headers, body):
    if isinstance(body, str):
        sent = {"data": body, "content_type": "application/json"}
    else:
        sent = {"json": body}
    return client.open(url, method=method.upper(), headers=headers, **sent)


def _headers(make_user, auth_headers, kind):
    return {
        **auth_headers(make_user(kind=kind, role="admin")),
        "If-Match": '"1"',
        "Idempotency-Key": "garbage-1",
    }


def _is_bad(response):
    return response.status_code >= 500 or (
        response.status_code >= 400 and response.mimetype != "application/problem+json"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_endpoint_refuses_garbage_with_a_problem(client, make_user, auth_headers, kind):
    headers = _headers(make_user, auth_headers, kind)
    bad, tried = [], 0
    for path, method in _operations(client):
        url = "/api/v1" + re.sub(r"\{[^}]+\}", "1", path) + QUERY
        for body in BODIES:
            response = _send(client, url, method, headers, body)
            tried += 1
            if _is_bad(response):
                bad.append((method, url, response.status_code, response.mimetype))
    assert tried > 200  # the document lists the whole API
    assert not bad, "\n".join(map(str, bad))


@pytest.mark.parametrize("kind", KINDS)
def test_every_endpoint_refuses_edge_values_with_a_problem(client, make_user, auth_headers, kind):
    """Integers past BIGINT, NUL and lone surrogates, absurd money, dates and lifetimes, JSON
    too deep: in bodies and queries, everywhere at once."""
    headers = _headers(make_user, auth_headers, kind)
    bad = []
    for path, method in _operations(client):
        for query in EDGE_QUERIES:
            url = "/api/v1" + re.sub(r"\{[^}]+\}", "1", path) + query
            for body in EDGE_BODIES:
                response = _send(client, url, method, headers, body)
                if _is_bad(response):
                    bad.append((method, url, response.status_code, response.mimetype))
    assert not bad, "\n".join(map(str, bad))


def test_an_id_beyond_bigint_in_any_api_path_is_a_404_problem(client, make_user, auth_headers):
    headers = auth_headers(make_user(kind="regulator", role="admin"))
    tried = 0
    for path, method in _operations(client):
        if not re.search(r"\{\w*_id\}", path):
            continue
        url = "/api/v1" + re.sub(r"\{\w*_id\}", str(TOO_BIG), path)
        for sent in ({}, headers):
            response = client.open(url, method=method.upper(), headers=sent, json={})
            assert (response.status_code, response.mimetype) == (404, "application/problem+json")
            tried += 1
    assert tried >= 2 * 47  # 47 path operations take an id
