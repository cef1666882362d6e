"""Compliance API: happy paths, problems, and the authorization matrix of every endpoint."""

from __future__ import annotations

import pytest

from procurement.compliance.services import evaluate_alerts, record_credit_event


@pytest.fixture
def api_world(db_session, clock, comp_world, deliver, make_user, auth_headers):
    world = comp_world(hospitals=2, agreed=1000)
    deliver(world, world.contract(0), 300)
    users = {
        "regulator": world.regulator,
        "fund": make_user(kind="fund", region_code="310000"),
        "hospital": world.hospitals[1],  # nothing accepted: zero purchase after month 3
        "other_hospital": world.hospitals[0],
        "manufacturer": world.manufacturer,
        "other_manufacturer": make_user(kind="manufacturer"),
        "distributor": make_user(kind="distributor"),
        "viewer": make_user(kind="regulator", role="viewer", region_code="310000"),
    }
    world.extra["headers"] = {k: auth_headers(u) for k, u in users.items()}
    return world


def test_progress_by_hospital_returns_hand_computed_completion(client, api_world):
    headers = api_world.extra["headers"]["regulator"]
    body = client.get(
        f"/api/v1/compliance/progress?tender={api_world.tender.id}&group_by=hospital",
        headers=headers,
    ).get_json()
    by_key = {row["key"]: row for row in body["rows"]}
    row = by_key[api_world.hospitals[0].organization.id]
    assert (row["agreed"], row["accepted"], row["completion"]) == (1000, 300, "0.3000")


def test_progress_exports_csv_and_xlsx(client, api_world):
    headers = api_world.extra["headers"]["regulator"]
    csv_reply = client.get("/api/v1/compliance/progress?group_by=lot&format=csv", headers=headers)
    assert csv_reply.mimetype == "text/csv"
    assert "completion" in csv_reply.get_data(as_text=True).splitlines()[0]
    xlsx = client.get("/api/v1/compliance/progress?group_by=lot&format=xlsx", headers=headers)
    assert xlsx.data[:2] == b"PK"


def test_progress_refuses_an_unknown_grouping(client, api_world):
    reply = client.get(
        "/api/v1/compliance/progress?group_by=planet",
        headers=api_world.extra["headers"]["regulator"],
    )
    assert reply.status_code == 422
    assert reply.mimetype == "application/problem+json"


def test_manufacturer_sees_only_its_own_progress(client, api_world):
    reply = client.get(
        "/api/v1/compliance/progress?group_by=manufacturer",
        headers=api_world.extra["headers"]["other_manufacturer"],
    )
    assert reply.get_json()["rows"] == []


READ = [
    ("get", "/api/v1/compliance/progress"),
    ("get", "/api/v1/compliance/alerts"),
    ("get", "/api/v1/credit"),
]
MATRIX = {
    # (method, path, body): {role: expected status}
    "progress": {
        "regulator": 200,
        "fund": 200,
        "hospital": 200,
        "manufacturer": 200,
        "distributor": 403,
        "viewer": 200,
        None: 401,
    },
    "alerts": {
        "regulator": 200,
        "fund": 200,
        "hospital": 200,
        "manufacturer": 200,
        "distributor": 200,
        "viewer": 200,
        None: 401,
    },
    "credit": {
        "regulator": 200,
        "fund": 200,
        "hospital": 403,
        "manufacturer": 200,
        "distributor": 403,
        "viewer": 200,
        None: 401,
    },
    "check": {
        "regulator": 200,
        "fund": 403,
        "hospital": 403,
        "manufacturer": 403,
        "distributor": 403,
        "viewer": 403,
        None: 401,
    },
    "escalate": {
        "regulator": 200,
        "fund": 403,
        "hospital": 403,
        "manufacturer": 403,
        "distributor": 403,
        "viewer": 403,
        None: 401,
    },
    "respond": {
        "regulator": 404,
        "fund": 404,
        "hospital": 201,
        "other_hospital": 404,
        "manufacturer": 404,
        "viewer": 403,
        None: 401,
    },
    "resolve": {
        "regulator": 200,
        "fund": 403,
        "hospital": 403,
        "manufacturer": 403,
        "viewer": 403,
        None: 401,
    },
    "year_end_run": {
        "regulator": 409,
        "fund": 403,
        "hospital": 403,
        "manufacturer": 403,
        "viewer": 403,
        None: 401,
    },
    "year_end_get": {
        "regulator": 404,
        "fund": 404,
        "hospital": 404,
        "manufacturer": 403,
        "distributor": 403,
        None: 401,
    },
    "credit_event": {
        "regulator": 201,
        "fund": 403,
        "hospital": 403,
        "manufacturer": 403,
        "viewer": 403,
        None: 401,
    },
    "appeal": {
        "regulator": 403,
        "fund": 403,
        "hospital": 403,
        "manufacturer": 201,
        "other_manufacturer": 404,
        None: 401,
    },
    "decide": {"regulator": 404, "fund": 403, "hospital": 403, "manufacturer": 403, None: 401},
    "repair": {"regulator": 409, "fund": 403, "hospital": 403, "manufacturer": 403, None: 401},
    "alert_get": {
        "regulator": 200,
        "fund": 200,
        "hospital": 200,
        "other_hospital": 404,
        "manufacturer": 404,
        "distributor": 404,
        None: 401,
    },
    "ocds": {"regulator": 200, "hospital": 200, "manufacturer": 200, None: 200},
    "red_flags": {
        "regulator": 200,
        "fund": 200,
        "viewer": 200,
        "hospital": 403,
        "manufacturer": 403,
        "distributor": 403,
        None: 401,
    },
    "red_flags_missing": {"regulator": 404, "fund": 404, "hospital": 403, None: 401},
}


def _request(name, world, alert_id, event_id):
    tender, maker = world.tender.id, world.manufacturer.organization.id
    return {
        "progress": ("get", "/api/v1/compliance/progress", None),
        "alerts": ("get", "/api/v1/compliance/alerts", None),
        "credit": ("get", "/api/v1/credit", None),
        "check": ("post", "/api/v1/compliance/alerts/check", None),
        "escalate": ("post", f"/api/v1/compliance/alerts/{alert_id}/escalate", {"note": "x"}),
        "respond": ("post", f"/api/v1/compliance/alerts/{alert_id}/respond", {"note": "ok"}),
        "resolve": ("post", f"/api/v1/compliance/alerts/{alert_id}/resolve", {"note": "x"}),
        "year_end_run": (
            "post",
            "/api/v1/compliance/year-end",
            {"tender_id": tender, "contract_year": 1},
        ),
        "year_end_get": (
            "get",
            f"/api/v1/compliance/year-end?tender_id={tender}&contract_year=1",
            None,
        ),
        "credit_event": (
            "post",
            "/api/v1/credit/events",
            {
                "manufacturer_id": maker,
                "kind": "region_unsupplied_7d",
                "occurred_at": "2026-01-04T00:00:00+00:00",
                "detail": "no stock",
            },
        ),
        "appeal": ("post", f"/api/v1/credit/events/{event_id}/appeal", {"reason": "wrong"}),
        "decide": (
            "post",
            "/api/v1/credit/appeals/999999/decide",
            {"decision": "upheld", "note": "n"},
        ),
        "repair": ("post", "/api/v1/credit/repairs", {"manufacturer_id": maker, "note": "n"}),
        "ocds": ("get", f"/api/v1/tenders/{tender}/ocds", None),
        "red_flags": ("get", f"/api/v1/tenders/{tender}/red-flags", None),
        "red_flags_missing": ("get", "/api/v1/tenders/999999/red-flags", None),
        "alert_get": ("get", f"/api/v1/compliance/alerts/{alert_id}", None),
    }[name]


@pytest.mark.parametrize(("name", "role"), [(n, r) for n, roles in MATRIX.items() for r in roles])
def test_authorization_matrix(client, db_session, clock, api_world, name, role):
    clock.advance(days=100)  # the second hospital: zero purchase
    evaluate_alerts(db_session, now=clock.now())
    alert_id = client.get(
        "/api/v1/compliance/alerts", headers=api_world.extra["headers"]["hospital"]
    ).get_json()[0]["id"]
    event = record_credit_event(
        db_session,
        manufacturer_id=api_world.manufacturer.organization.id,
        kind="late_delivery",
        occurred_at=clock.now(),
        detail="late",
        now=clock.now(),
        actor=api_world.reg,
    )
    method, path, body = _request(name, api_world, alert_id, event.id)
    headers = api_world.extra["headers"].get(role, {}) if role else {}
    reply = getattr(client, method)(path, json=body, headers=headers)
    assert reply.status_code == MATRIX[name][role], reply.get_data(as_text=True)
