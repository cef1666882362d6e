"""Authorization matrix: every settlement endpoint x every kind of caller, on one hospital's and
one manufacturer's objects (the "other" hospital and manufacturer own none of them)."""

from __future__ import annotations

import pytest

ROLES = (
    "regulator",
    "fund",
    "hospital",
    "other_hospital",
    "manufacturer",
    "other_manufacturer",
    "distributor",
    "anonymous",
)


@pytest.fixture
def matrix(settled, make_user, auth_headers):
    users = {
        "regulator": make_user(kind="regulator", region_code="310000"),
        "fund": settled["fund"],
        "hospital": settled["hospital"],
        "other_hospital": make_user(kind="hospital"),
        "manufacturer": settled["manufacturer"],
        "other_manufacturer": make_user(kind="manufacturer", region_code="320000"),
        "distributor": make_user(kind="distributor"),
    }
    headers = {role: auth_headers(user) for role, user in users.items()}
    headers["anonymous"] = {}
    return {
        "headers": headers,
        "run": settled["run"].id,
        "txn": settled["payment_txn"],
        "tender": settled["tender_id"],
        "h": settled["hospital"].organization.id,
        "m": settled["manufacturer"].organization.id,
    }


R = "/api/v1/settlement"
#      regulator fund hospital other_h manuf other_m distrib anon
CASES = [
    ("POST", "/advances", lambda m: {"tender_id": m["tender"], "contract_year": 1},
     (403, 201, 403, 403, 403, 403, 403, 401)),
    ("GET", "/advances", None, (200, 200, 200, 200, 403, 403, 403, 401)),
    ("GET", "/payables", None, (200, 200, 200, 200, 200, 200, 403, 401)),
    ("GET", "/payables?status=overdue", None, (200, 200, 200, 200, 200, 200, 403, 401)),
    ("POST", "/payables/accrue", None, (403, 200, 403, 403, 403, 403, 403, 401)),
    ("POST", "/runs", lambda m: {"cut_off": "2026-02-13"},
     (403, 201, 403, 403, 403, 403, 403, 401)),
    ("GET", "/runs", None, (200, 200, 403, 403, 403, 403, 403, 401)),
    ("GET", "/runs/{run}", None, (200, 200, 403, 403, 403, 403, 403, 401)),
    ("GET", "/runs/{run}/payment-file", None, (403, 200, 403, 403, 403, 403, 403, 401)),
    ("GET", "/overdue", None, (200, 200, 200, 200, 200, 200, 403, 401)),
    ("GET", "/statements?party_id={h}", None, (200, 200, 200, 403, 403, 403, 403, 401)),
    ("GET", "/statements?party_id={m}", None, (200, 200, 403, 403, 200, 403, 403, 401)),
    ("GET", "/statements?party_id={h}&format=csv", None, (200, 200, 200, 403, 403, 403, 403, 401)),
    ("GET", "/statements?party_id={m}&format=xlsx", None,
     (200, 200, 403, 403, 200, 403, 403, 401)),
    ("GET", "/reconciliation", None, (200, 200, 403, 403, 403, 403, 403, 401)),
    ("POST", "/transactions/{txn}/reverse", lambda m: {"reason": "wrong account"},
     (403, 201, 403, 403, 403, 403, 403, 401)),
]  # fmt: skip # table: one row per endpoint, one column per role (ROLES)


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES]
)
def test_every_settlement_endpoint_answers_each_role_as_the_matrix_says(
    client, matrix, method, path, body, expected
):
    url = R + path.format(**matrix)
    got = {}
    for role in ROLES:
        headers = dict(matrix["headers"][role])
        if path == "/runs":
            headers["Idempotency-Key"] = f"matrix-{role}"
        payload = body(matrix) if body else None
        response = client.open(url, method=method, json=payload, headers=headers)
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (role, response.data)
    assert got == dict(zip(ROLES, expected, strict=True))


def test_another_hospital_sees_none_of_this_hospitals_payables_or_overdue_items(client, matrix):
    other = matrix["headers"]["other_hospital"]
    assert client.get(f"{R}/payables", headers=other).get_json() == []
    assert client.get(f"{R}/overdue", headers=other).get_json() == []
    mine = client.get(f"{R}/payables", headers=matrix["headers"]["hospital"]).get_json()
    assert {p["hospital_id"] for p in mine} == {matrix["h"]}
    assert len(mine) == 2


def test_another_manufacturer_sees_none_of_this_manufacturers_payables(client, matrix):
    other = client.get(f"{R}/payables", headers=matrix["headers"]["other_manufacturer"])
    assert other.get_json() == []
    mine = client.get(f"{R}/overdue", headers=matrix["headers"]["manufacturer"]).get_json()
    assert [(p["manufacturer_id"], p["days_overdue"]) for p in mine] == [(matrix["m"], 10)]
