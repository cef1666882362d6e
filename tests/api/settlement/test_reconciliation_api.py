"""The monthly reconciliation and invoices through the API: every endpoint x every kind of
caller on one hospital's and manufacturer's reconciliation (the others own none of it), and
the flow: dispute a line, both confirm, the run pays the rest (RULES.md 11 and 5).

World: unit price 0.2000, 28 units a pack; line 1 = 10 packs = 56.00, line 2 = 5 packs =
28.00, accepted 2026-01-05; January issued 2026-02-01 09:00 UTC (deadline 02-11 09:00)."""

from __future__ import annotations

import pytest

from procurement.settlement.services import monthly_reconciliation as recon
from tests.fixtures.reconciliation import FEBRUARY_1

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
R = "/api/v1/settlement"


@pytest.fixture
def world(reconciled, deliver_accepted, make_user, fund, auth_headers, db_session, clock):
    from datetime import date

    from procurement.auth.services import actor_of

    contract = reconciled()
    first, second = deliver_accepted(contract, 10), deliver_accepted(contract, 5)
    clock.set(FEBRUARY_1)
    (reconciliation,) = recon.issue_month(
        db_session, month=date(2026, 1, 1), now=clock.now(), actor=actor_of(fund)
    )
    users = {
        "regulator": make_user(kind="regulator", region_code="310000"),
        "fund": fund,
        "hospital": contract.hospital,
        "other_hospital": make_user(kind="hospital"),
        "manufacturer": contract.manufacturer,
        "other_manufacturer": make_user(kind="manufacturer", region_code="320000"),
        "distributor": make_user(kind="distributor"),
    }
    headers = {role: auth_headers(user) for role, user in users.items()}
    headers["anonymous"] = {}
    lines = {line.receipt_line_id: line.id for line in reconciliation.lines}
    return {
        "headers": headers,
        "rec": reconciliation.id,
        "line1": lines[first.id],
        "line2": lines[second.id],
        "receipt1": first.id,
        "h": contract.hospital.organization.id,
    }


def _invoice(m):
    return {
        "number": "INV-1",
        "issued_on": "2026-01-06",
        "amount": "56.00",
        "recipient_id": m["h"],
        "lines": [{"receipt_line_id": m["receipt1"], "quantity": 280, "amount": "56.00"}],
    }


#      regulator fund hospital other_h manuf other_m distrib anon
CASES = [
    ("GET", "/reconciliations", None, (200, 200, 200, 200, 200, 200, 403, 401)),
    ("GET", "/reconciliations/{rec}", None, (200, 200, 200, 404, 200, 404, 403, 401)),
    ("GET", "/reconciliations/held", None, (200, 200, 200, 200, 200, 200, 403, 401)),
    ("GET", "/reconciliations/999999", None, (404, 404, 404, 404, 404, 404, 403, 401)),
    ("POST", "/reconciliations/issue", lambda m: {"month": "2026-01-15"},
     (403, 200, 403, 403, 403, 403, 403, 401)),
    ("POST", "/reconciliations/close-due", None, (403, 200, 403, 403, 403, 403, 403, 401)),
    # each side confirms once (the hospital first, then the manufacturer: confirmed)
    ("POST", "/reconciliations/{rec}/confirm", None, (403, 403, 200, 404, 200, 404, 403, 401)),
    # the hospital disputes line 2; the manufacturer then finds it disputed already (409)
    ("POST", "/reconciliations/{rec}/lines/{line2}/dispute", lambda m: {"reason": "broken"},
     (403, 403, 200, 404, 409, 404, 403, 401)),
    ("POST", "/reconciliations/{rec}/lines/{line1}/resolve",
     lambda m: {"resolution": "withdrawn"}, (403, 403, 409, 404, 409, 404, 403, 401)),
    # the manufacturer records it; another maker or a distributor did not deliver_accepted it (422)
    ("POST", "/invoices", _invoice, (403, 403, 403, 403, 201, 422, 422, 401)),
    ("GET", "/invoices", None, (200, 200, 200, 200, 200, 200, 200, 401)),
]  # fmt: skip # table: one row per endpoint, one column per role (ROLES)


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES]
)
def test_every_reconciliation_endpoint_answers_each_role_as_the_matrix_says(
    client, world, method, path, body, expected
):
    url = R + path.format(**world)
    got = {}
    for role in ROLES:
        payload = body(world) if body else None
        response = client.open(url, method=method, json=payload, headers=world["headers"][role])
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (role, response.data)
    assert got == dict(zip(ROLES, expected, strict=True))


def test_another_hospital_lists_none_of_it(client, world):
    other = client.get(f"{R}/reconciliations", headers=world["headers"]["other_hospital"])
    assert other.get_json() == []


def test_dispute_confirm_and_the_run_pays_the_undisputed_line(client, world, clock):
    """Line 1 invoiced (56.00), line 2 (28.00) disputed, both confirm: the run pays 56.00;
    line 2 is held, 'disputed'."""
    h, m, fund = (world["headers"][k] for k in ("hospital", "manufacturer", "fund"))
    assert client.post(f"{R}/invoices", json=_invoice(world), headers=m).status_code == 201
    rec = f"{R}/reconciliations/{world['rec']}"
    empty = client.post(f"{rec}/lines/{world['line2']}/dispute", json={"reason": ""}, headers=h)
    assert empty.status_code == 422
    assert "reason" in empty.get_json()["errors"]
    disputed = client.post(
        f"{rec}/lines/{world['line2']}/dispute", json={"reason": "2 boxes crushed"}, headers=h
    )
    assert disputed.get_json()["status"] == "disputed"
    client.post(f"{rec}/confirm", headers=h)
    body = client.post(f"{rec}/confirm", headers=m).get_json()
    assert body["status"] == "confirmed"
    assert [(x["amount"], x["held_reason"]) for x in body["lines"]] == [
        ("56.00", None),
        ("28.00", "disputed"),
    ]
    held = client.get(f"{R}/reconciliations/held", headers=fund).get_json()
    assert [(x["id"], x["amount"], x["held_reason"]) for x in held] == [
        (world["line2"], "28.00", "disputed")
    ]
    other = world["headers"]["other_hospital"]
    assert client.get(f"{R}/reconciliations/held", headers=other).get_json() == []
    run = client.post(
        f"{R}/runs", json={"cut_off": "2026-02-01"}, headers={**fund, "Idempotency-Key": "k1"}
    )
    assert (run.status_code, run.get_json()["total_amount"]) == (201, "56.00")


def test_only_its_issuer_voids_an_invoice_and_only_once(client, world):
    maker, other = world["headers"]["manufacturer"], world["headers"]["other_manufacturer"]
    created = client.post(f"{R}/invoices", json=_invoice(world), headers=maker).get_json()
    url = f"{R}/invoices/{created['id']}/void"
    assert client.post(url, headers=other).status_code == 404
    assert client.post(url, headers=world["headers"]["hospital"]).status_code == 403
    done = client.post(url, headers=maker)
    assert (done.status_code, done.get_json()["voided_at"]) == (200, "2026-02-01T09:00:00+00:00")
    again = client.post(url, headers=maker)
    assert again.status_code == 409
    assert again.get_json()["type"].endswith("/invoice-voided")
