"""Award and contracts API: the flow, problem+json bodies, and the authorization matrix of every
endpoint (owner regulator, another regulator, fund, hospital, manufacturer, anonymous)."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
def world(award_setup, make_user, auth_headers):
    setup = award_setup()
    users = {
        "owner": setup.regulator,
        "other_regulator": make_user(kind="regulator", role="admin", region_code="320000"),
        "fund": make_user(kind="fund", role="admin", region_code="310000"),
        "hospital": setup.hospitals["H5"],
        "other_hospital": setup.hospitals["H1"],
        "manufacturer": setup.bidders["B"],
        "other_manufacturer": setup.bidders["A"],
    }
    headers = {name: auth_headers(user) for name, user in users.items()}
    headers["anonymous"] = {}
    return setup, headers


def _start(client, setup, headers, **body):
    response = client.post(
        f"/api/v1/tenders/{setup.tender.id}/award-runs", json=body, headers=headers["owner"]
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _awarded(client, setup, headers):
    run = _start(client, setup, headers)
    response = client.post(f"/api/v1/award-runs/{run['id']}/confirm", headers=headers["owner"])
    assert response.status_code == 200, response.get_json()
    return run, response.get_json()


def _statuses(client, method, url, headers, **kwargs):
    call = getattr(client, method)
    return {name: call(url, headers=h, **kwargs).status_code for name, h in headers.items()}


DENIED = {
    "other_regulator": 403,
    "fund": 403,
    "hospital": 403,
    "other_hospital": 403,
    "manufacturer": 403,
    "other_manufacturer": 403,
    "anonymous": 401,
}


def test_starting_a_run_returns_per_lot_results(client, world):
    setup, headers = world
    run = _start(client, setup, headers)
    assert run["status"] == "succeeded"
    assert run["objective"] == "861.00"
    assert [lot["status"] for lot in run["lots"]] == ["ok", "failed"]
    assert len(run["inputs_digest"]) == 64
    assert run["options"]["cost_basis"] == "comparable"
    l01 = run["lots"][0]
    assert l01["brand_report"] is None  # no hospital reported by brand
    assert {a["brand_quantity"] for a in l01["allocations"]} == {0}
    # every winner says what it received: A 3,150 (Shanghai), B 1,050 (Jiangsu), C none
    notes = {o["allocated"]: o["volume_limit"] for o in l01["outcomes"] if o["outcome"] == "won"}
    assert {k: v["received"] for k, v in notes.items()} == {3150: 3150, 1050: 1050, 0: 0}
    assert notes[1050]["limit"] == "none"


def test_a_bad_option_is_a_problem_with_field_errors(client, world):
    setup, headers = world
    response = client.post(
        f"/api/v1/tenders/{setup.tender.id}/award-runs",
        json={"granularity": "by-hospital"},
        headers=headers["owner"],
    )
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert "granularity" in response.get_json()["errors"]


def test_run_endpoints_belong_to_the_tender_regulator_only(client, world):
    setup, headers = world
    run = _start(client, setup, headers)
    other = _start(client, setup, headers)
    for url in (
        f"/api/v1/tenders/{setup.tender.id}/award-runs",
        f"/api/v1/award-runs/{run['id']}",
        f"/api/v1/award-runs/{run['id']}/compare/{other['id']}",
    ):
        assert _statuses(client, "get", url, headers) == {"owner": 200, **DENIED}, url
    started = _statuses(
        client, "post", f"/api/v1/tenders/{setup.tender.id}/award-runs", headers, json={}
    )
    assert started == {"owner": 201, **DENIED}


def test_confirm_and_in_force_belong_to_the_tender_regulator_only(client, world):
    setup, headers = world
    run = _start(client, setup, headers)
    others = {k: v for k, v in headers.items() if k != "owner"}
    url = f"/api/v1/award-runs/{run['id']}/confirm"
    assert _statuses(client, "post", url, others) == DENIED
    assert client.post(url, headers=headers["owner"]).status_code == 200
    url = f"/api/v1/tenders/{setup.tender.id}/in-force"
    assert _statuses(client, "post", url, others) == DENIED
    response = client.post(url, headers=headers["owner"])
    assert response.get_json() == {
        "tender_id": setup.tender.id,
        "status": "in_force",
        "activated": 10,
    }


def test_confirming_twice_is_a_409_problem(client, world):
    setup, headers = world
    run, first = _awarded(client, setup, headers)
    assert first["contracts"] == 10
    assert first["tender_status"] == "awarded"
    again = client.post(f"/api/v1/award-runs/{run['id']}/confirm", headers=headers["owner"])
    assert again.status_code == 409
    assert again.content_type == PROBLEM
    assert "already confirmed" in again.get_json()["detail"]


def test_public_results_need_no_login_and_never_show_a_losing_price(client, world):
    setup, headers = world
    before = client.get(f"/api/v1/tenders/{setup.tender.id}/results")
    assert before.status_code == 409
    assert before.content_type == PROBLEM
    _awarded(client, setup, headers)
    response = client.get(f"/api/v1/tenders/{setup.tender.id}/results")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # D lost at 8.1200 per pack (0.2900 per tablet): never published.
    assert "0.29" not in body
    assert "8.12" not in body
    l01 = response.get_json()["lots"][0]
    winners = {w["unit_price"]: w for w in l01["winners"]}
    assert sorted(winners) == ["0.2000", "0.2200", "0.2500"]
    # A: 3150 x (0.9000 - 0.2000) = 2205.00; B: 1050 x 0.68 = 714.00; C supplies nothing.
    assert winners["0.2000"]["savings"] == "2205.00"
    assert winners["0.2200"]["savings"] == "714.00"
    assert winners["0.2200"]["pack_price"] == "6.16"  # as bid
    assert winners["0.2000"]["price_cut"] == "0.3333"
    assert l01["savings"] == "2919.00"
    regions = {r["region_code"]: r for r in l01["regions"]}
    assert regions["320000"]["backup"] == setup.bidders["C"].organization.name
    assert response.get_json()["lots"][1]["status"] == "failed"


def test_outcomes_show_each_bidder_its_own_and_the_regulator_all(client, world):
    setup, headers = world
    _awarded(client, setup, headers)
    url = f"/api/v1/tenders/{setup.tender.id}/outcomes"
    statuses = _statuses(client, "get", url, headers)
    assert statuses == {
        "owner": 200,
        "other_regulator": 403,
        "fund": 403,
        "hospital": 403,
        "other_hospital": 403,
        "manufacturer": 200,
        "other_manufacturer": 200,
        "anonymous": 401,
    }
    everyone = client.get(url, headers=headers["owner"]).get_json()
    assert len(everyone) == 4
    mine = client.get(url, headers=headers["manufacturer"]).get_json()
    assert [(o["bid_id"], o["outcome"]) for o in mine] == [(setup.bids["B"].id, "won")]
    assert "within the 1.8x limit" in mine[0]["reason"]


def test_contracts_are_scoped_to_their_parties(client, world):
    setup, headers = world
    _awarded(client, setup, headers)
    counts = {
        name: len(client.get("/api/v1/contracts", headers=h).get_json() or [])
        for name, h in headers.items()
        if name != "anonymous"
    }
    # H5 and H1: 1 supplier x 2 years; B supplies H4, H5; A supplies H1-H3 (x 2 years).
    assert counts == {
        "owner": 10,
        "other_regulator": 10,
        "fund": 10,
        "hospital": 2,
        "other_hospital": 2,
        "manufacturer": 4,
        "other_manufacturer": 6,
    }
    assert client.get("/api/v1/contracts", headers=headers["anonymous"]).status_code == 401
    year2 = client.get("/api/v1/contracts?year=2", headers=headers["owner"]).get_json()
    assert {c["contract_year"] for c in year2} == {2}


def test_one_contract_and_its_explanation_are_visible_to_its_parties_only(client, world):
    setup, headers = world
    _awarded(client, setup, headers)
    contract = client.get("/api/v1/contracts", headers=headers["hospital"]).get_json()[0]
    for suffix in ("", "/explanation"):
        url = f"/api/v1/contracts/{contract['id']}{suffix}"
        assert _statuses(client, "get", url, headers) == {
            "owner": 200,
            "other_regulator": 200,
            "fund": 200,
            "hospital": 200,
            "other_hospital": 404,
            "manufacturer": 200,
            "other_manufacturer": 404,
            "anonymous": 401,
        }, url
    why = client.get(
        f"/api/v1/contracts/{contract['id']}/explanation", headers=headers["hospital"]
    ).get_json()
    assert why["binding_constraint"] == "capacity"
    assert [a["unit_price"] for a in why["alternatives"]] == ["0.2000", "0.2200", "0.2500"]
    assert "0.2900" not in str(why)


def test_an_unknown_run_is_a_404_problem(client, world):
    _, headers = world
    response = client.get("/api/v1/award-runs/999999", headers=headers["owner"])
    assert response.status_code == 404
    assert response.content_type == PROBLEM
