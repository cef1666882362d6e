"""Every endpoint of the OpenAPI document answers garbage with a problem, never a 500."""

import re

import pytest

BODIES = [{"x": 1.5}, {}, "not json", {"lines": "x", "to": 5, "name": None}]
QUERY = "?from=xx&to=yy&format=zz&year=abc&lot=-1"


@pytest.mark.parametrize("kind", ["regulator", "hospital", "manufacturer", "fund"])
def test_every_endpoint_refuses_garbage_with_a_problem(client, make_user, auth_headers, kind):
    headers = {
        **auth_headers(make_user(kind=kind, role="admin")),
        "If-Match": '"1"',
        "Idempotency-Key": "garbage-1",
    }
    spec = client.get("/api/v1/openapi.json").get_json()
    bad, tried = [], 0
    for path, operations in spec["paths"].items():
        url = "/api/v1" + re.sub(r"\{[^}]+\}", "1", path) + QUERY
        for method in set(operations) & {"get", "post", "put", "patch", "delete"}:
            for body in BODIES:
                if isinstance(body, str):
                    sent = {"data": body, "content_type": "application/json"}
                else:
                    sent = {"json": body}
                response = client.open(url, method=method.upper(), headers=headers, **sent)
                tried += 1
                failed = response.status_code >= 500 or (
                    response.status_code >= 400 and response.mimetype != "application/problem+json"
                )
                if failed:
                    bad.append((method, url, response.status_code, response.mimetype))
    assert tried > 200  # the document lists the whole API
    assert not bad, "\n".join(map(str, bad))
