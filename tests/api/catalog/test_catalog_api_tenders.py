"""Tenders, lots and lifecycle over the API: happy paths, ETags, problem+json refusals."""

from datetime import timedelta

from sqlalchemy import func, select

from procurement.catalog.models import Lot

TENDER = {
    "code": "SH-2026-01",
    "name": "上海 2026 第一批",
    "category": "drug",
    "region_scope": ["310000"],
    "demand_deadline": "2026-01-20T09:00:00+00:00",
    "bid_deadline": "2026-02-01T09:00:00+00:00",
    "opening_at": "2026-02-01T10:00:00+00:00",
    "contract_start": "2026-03-01",
    "contract_years": 2,
}
LOT = {
    "code": "L01",
    "generic_name": "阿托伐他汀钙",
    "dosage_form": "片剂",
    "dosage_class": "oral_solid",
    "reference_strength": "20",
    "strength_unit": "mg",
    "smallest_unit": "tablet",
    "ceiling_unit_price": "0.6500",
    "reference_unit_price": "2.1000",
}


def _problem(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    if code:
        assert body["type"].endswith(f"/{code}"), body
    assert body["detail"]
    return body


def test_a_regulator_creates_a_tender_adds_a_lot_and_opens_demand(client, regulator, auth_headers):
    headers = auth_headers(regulator)
    created = client.post("/api/v1/tenders", json=TENDER, headers=headers)
    assert created.status_code == 201, created.get_json()
    tender = created.get_json()
    assert tender["status"] == "draft"
    assert tender["rules_preset"] == "national-2024"
    assert tender["allowed_next"] == ["demand_open"]
    assert created.headers["ETag"] == '"1"'
    lot = client.post(f"/api/v1/tenders/{tender['id']}/lots", json=LOT, headers=headers)
    assert lot.status_code == 201, lot.get_json()
    assert lot.get_json()["ceiling_unit_price"] == "0.6500"
    assert lot.get_json()["quality_requirement"] == "consistency_evaluated"
    moved = client.post(
        f"/api/v1/tenders/{tender['id']}/transitions", json={"to": "demand_open"}, headers=headers
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["status"] == "demand_open"
    assert moved.get_json()["rules_snapshot"]["selection"]["win_multiple"] == "1.8"


def test_a_float_price_is_refused_as_a_field_error(client, make_tender, regulator, auth_headers):
    tender = make_tender("draft")
    response = client.post(
        f"/api/v1/tenders/{tender.id}/lots",
        json={**LOT, "code": "L09", "ceiling_unit_price": 0.65},
        headers=auth_headers(regulator),
    )
    body = _problem(response, 422, "validation-failed")
    assert "ceiling_unit_price" in body["errors"]


def test_a_bad_timeline_names_each_field_at_fault(client, regulator, auth_headers):
    bad = {**TENDER, "bid_deadline": "2026-01-10T09:00:00+00:00", "region_scope": ["310101"]}
    body = _problem(client.post("/api/v1/tenders", json=bad, headers=auth_headers(regulator)), 422)
    assert body["errors"]["bid_deadline"] == ["must be after the demand deadline"]
    assert "province-level" in body["errors"]["region_scope"][0]


def test_an_unknown_rules_override_is_a_field_error(client, regulator, auth_headers):
    data = {**TENDER, "rules_overrides": {"win_multiplier": "2"}}
    body = _problem(client.post("/api/v1/tenders", json=data, headers=auth_headers(regulator)), 422)
    assert body["errors"] == {"rules_overrides.win_multiplier": ["unknown rules field"]}


def test_a_duplicate_tender_code_is_a_conflict(client, regulator, auth_headers):
    headers = auth_headers(regulator)
    assert client.post("/api/v1/tenders", json=TENDER, headers=headers).status_code == 201
    _problem(
        client.post("/api/v1/tenders", json=TENDER, headers=headers), 409, "duplicate-tender-code"
    )


def test_patch_needs_if_match_and_refuses_a_stale_etag(
    client, make_tender, regulator, auth_headers
):
    tender = make_tender("draft")
    headers = auth_headers(regulator)
    url = f"/api/v1/tenders/{tender.id}"
    _problem(client.patch(url, json={"name": "x"}, headers=headers), 428)
    etag = client.get(url, headers=headers).headers["ETag"]
    ok = client.patch(url, json={"name": "Renamed"}, headers={**headers, "If-Match": etag})
    assert ok.status_code == 200
    assert ok.get_json()["name"] == "Renamed"
    assert ok.headers["ETag"] != etag
    stale = client.patch(url, json={"name": "Again"}, headers={**headers, "If-Match": etag})
    _problem(stale, 409, "stale-version")
    assert client.get(url, headers=headers).get_json()["name"] == "Renamed"


def test_a_tender_out_of_draft_cannot_be_edited(client, make_tender, regulator, auth_headers):
    tender = make_tender("demand_open")
    headers = {**auth_headers(regulator), "If-Match": f'"{tender.version}"'}
    body = _problem(
        client.patch(f"/api/v1/tenders/{tender.id}", json={"name": "x"}, headers=headers),
        409,
        "tender-not-draft",
    )
    assert body["current_status"] == "demand_open"


def test_an_illegal_transition_is_a_409_naming_the_state_and_allowed_moves(
    client, make_tender, regulator, auth_headers
):
    tender = make_tender("draft")
    response = client.post(
        f"/api/v1/tenders/{tender.id}/transitions",
        json={"to": "bidding_closed"},
        headers=auth_headers(regulator),
    )
    body = _problem(response, 409, "illegal-transition")
    assert body["current_status"] == "draft"
    assert body["allowed"] == ["demand_open"]
    assert "'draft'" in body["detail"]
    assert "demand_open" in body["detail"]


def test_opening_bidding_before_the_demand_deadline_is_a_409(
    client, clock, make_tender, regulator, auth_headers
):
    tender = make_tender("demand_open")
    url = f"/api/v1/tenders/{tender.id}/transitions"
    headers = auth_headers(regulator)
    clock.set(tender.demand_deadline - timedelta(seconds=1))
    _problem(client.post(url, json={"to": "bidding_open"}, headers=headers), 409, "too-early")
    clock.set(tender.demand_deadline)
    assert client.post(url, json={"to": "bidding_open"}, headers=headers).status_code == 200


def test_lots_can_be_edited_and_deleted_only_in_draft(
    client, db_session, make_tender, regulator, auth_headers
):
    headers = auth_headers(regulator)
    draft = make_tender("draft", lots=2)
    lot_id = draft.lots[0].id
    patched = client.patch(
        f"/api/v1/lots/{lot_id}", json={"ceiling_unit_price": "0.2500"}, headers=headers
    )
    assert patched.get_json()["ceiling_unit_price"] == "0.2500"
    assert client.delete(f"/api/v1/lots/{lot_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/lots/{lot_id}", headers=headers).status_code == 404
    frozen = make_tender("demand_open", lots=1)
    count = db_session.scalar(select(func.count(Lot.id)))
    _problem(
        client.delete(f"/api/v1/lots/{frozen.lots[0].id}", headers=headers), 409, "tender-not-draft"
    )
    _problem(client.post(f"/api/v1/tenders/{frozen.id}/lots", json=LOT, headers=headers), 409)
    assert db_session.scalar(select(func.count(Lot.id))) == count


def test_everyone_logged_in_sees_published_tenders_but_only_the_owner_sees_drafts(
    client, make_tender, make_user, regulator, auth_headers
):
    draft, published = make_tender("draft"), make_tender("demand_open")
    hospital = make_user(kind="hospital")
    seen = {
        t["id"] for t in client.get("/api/v1/tenders", headers=auth_headers(hospital)).get_json()
    }
    assert published.id in seen
    assert draft.id not in seen
    mine = {
        t["id"] for t in client.get("/api/v1/tenders", headers=auth_headers(regulator)).get_json()
    }
    assert {draft.id, published.id} <= mine
    only_open = client.get("/api/v1/tenders?status=demand_open", headers=auth_headers(regulator))
    assert {t["status"] for t in only_open.get_json()} == {"demand_open"}
    _problem(client.get(f"/api/v1/tenders/{draft.id}", headers=auth_headers(hospital)), 404)


def test_an_anonymous_caller_gets_a_401_problem(client, make_tender):
    tender = make_tender("demand_open")
    _problem(client.get(f"/api/v1/tenders/{tender.id}"), 401)


def test_rules_overrides_of_every_section_over_the_api_and_their_refusals(
    client, db_session, make_tender, regulator, auth_headers
):
    from procurement.catalog.models import Tender

    tender = make_tender("draft")
    headers = {**auth_headers(regulator), "If-Match": f'"{tender.version}"'}
    url = f"/api/v1/tenders/{tender.id}"
    bad = {
        "rules_overrides": {
            "payment_deadline_days": 15,
            "compliance.on_track_factor": "1.2",
            "compliance.tiers": [["0.10", "1"], ["0.05", "0.7"]],
            "service_levels.confirm_hours": 0,
        }
    }
    body = _problem(client.patch(url, json=bad, headers=headers), 422)
    assert body["errors"] == {
        "rules_overrides.payment_deadline_days": [
            "in more than one section: name it "
            "compliance.payment_deadline_days / settlement.payment_deadline_days"
        ]
    }
    del bad["rules_overrides"]["payment_deadline_days"]
    body = _problem(client.patch(url, json=bad, headers=headers), 422, "rules-overrides-not-valid")
    assert body["errors"] == {
        "rules_overrides.compliance.on_track_factor": ["a ratio from 0 to 1"],
        "rules_overrides.compliance.tiers": ["tiers lowest first: upper bounds strictly ascending"],
        "rules_overrides.service_levels.confirm_hours": ["from 1 to 720 (MAX_SERVICE_HOURS)"],
    }
    db_session.expire_all()
    assert db_session.get(Tender, tender.id).rules_overrides == {}
    good = {
        "rules_overrides": {
            "settlement.payment_deadline_days": 15,
            "compliance": {"on_track_factor": "0.9", "retention_scheme": "tiers"},
        }
    }
    saved = client.patch(url, json=good, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["rules_overrides"] == good["rules_overrides"]
    moved = client.post(
        f"{url}/transitions",
        json={"to": "demand_open"},
        headers={**auth_headers(regulator), "If-Match": saved.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.get_json()
    snapshot = moved.get_json()["rules_snapshot"]
    assert snapshot["settlement"]["payment_deadline_days"] == 15
    assert snapshot["compliance"]["on_track_factor"] == "0.9"
    assert snapshot["compliance"]["retention_scheme"] == "tiers"
    assert snapshot["service_levels"]["confirm_hours"] == 24
