"""Cost commitment and cost breakdown API (RULES.md 10): problem+json refusals and the
authorization matrix of the new endpoints (bidder, another manufacturer, the tender's regulator,
another regulator, fund, hospital, anonymous). Numbers: tests/service/award/test_cost_disclosure.py
(A bids 0.2000 per tablet, below the 0.2200 threshold; the deadline is 2026-01-17 16:00 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from procurement.award import services as award

PROBLEM = "application/problem+json"
DEADLINE = datetime(2026, 1, 17, 16, 0, tzinfo=UTC)
BODY = {"manufacturing_cost": "0.1500", "period_expenses": "0.0300", "profit": "0.0200"}


@pytest.fixture
def world(award_setup, make_user, auth_headers, db_session, clock):
    setup = award_setup(rules_overrides={"cost_disclosure": True, "cost_disclosure_ratio": "1.1"})
    db_session.expire_all()
    award.start_award_run(db_session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor)
    users = {
        "bidder": setup.bidders["A"],
        "other_manufacturer": setup.bidders["B"],
        "owner": setup.regulator,
        "other_regulator": make_user(kind="regulator", role="admin", region_code="320000"),
        "fund": make_user(kind="fund", role="admin", region_code="310000"),
        "hospital": setup.hospitals["H1"],
    }
    headers = {name: auth_headers(user) for name, user in users.items()} | {"anonymous": {}}
    return setup, headers


def _statuses(client, method, url, headers, **kwargs):
    call = getattr(client, method)
    return {name: call(url, headers=h, **kwargs).status_code for name, h in headers.items()}


def test_reading_a_bids_cost_breakdown_is_for_its_bidder_and_the_tenders_regulator(client, world):
    setup, headers = world
    url = f"/api/v1/bids/{setup.bids['A'].id}/cost-breakdown"
    assert _statuses(client, "get", url, headers) == {
        "bidder": 200,
        "other_manufacturer": 404,
        "owner": 200,
        "other_regulator": 404,
        "fund": 403,
        "hospital": 403,
        "anonymous": 401,
    }
    body = client.get(url, headers=headers["owner"]).get_json()
    assert (body["threshold"], body["comparable_price"], body["unit_price"]) == (
        "0.2200",
        "0.2000",
        "0.2000",
    )
    assert (body["filed"], body["profit"]) == (False, None)


def test_filing_is_for_the_bidder_only(client, world):
    setup, headers = world
    url = f"/api/v1/bids/{setup.bids['A'].id}/cost-breakdown"
    others = {k: v for k, v in headers.items() if k != "bidder"}
    assert _statuses(client, "put", url, others, json=BODY) == {
        "other_manufacturer": 404,
        "owner": 403,
        "other_regulator": 403,
        "fund": 403,
        "hospital": 403,
        "anonymous": 401,
    }
    response = client.put(url, json=BODY | {"note": "own API"}, headers=headers["bidder"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["filed"], body["manufacturing_cost"], body["note"]) == (True, "0.1500", "own API")


def test_a_tenders_cost_breakdowns_are_listed_for_its_regulator_only(client, world):
    setup, headers = world
    url = f"/api/v1/tenders/{setup.tender.id}/cost-breakdowns"
    assert _statuses(client, "get", url, headers) == {
        "bidder": 403,
        "other_manufacturer": 403,
        "owner": 200,
        "other_regulator": 403,
        "fund": 403,
        "hospital": 403,
        "anonymous": 401,
    }
    rows = client.get(url, headers=headers["owner"]).get_json()
    assert [r["bid_id"] for r in rows] == [setup.bids["A"].id]


def test_a_bid_without_a_disclosure_is_a_404_problem(client, world):
    setup, headers = world
    response = client.get(
        f"/api/v1/bids/{setup.bids['B'].id}/cost-breakdown", headers=headers["other_manufacturer"]
    )
    assert response.status_code == 404
    assert response.get_json()["type"].endswith("/cost-disclosure-not-found")


def test_filing_after_the_deadline_is_a_409_problem_and_changes_nothing(client, world, clock):
    setup, headers = world
    clock.set(DEADLINE)
    url = f"/api/v1/bids/{setup.bids['A'].id}/cost-breakdown"
    response = client.put(url, json=BODY, headers=headers["bidder"])
    assert (response.status_code, response.content_type) == (409, PROBLEM)
    assert response.get_json()["type"].endswith("/cost-breakdown-too-late")
    assert client.get(url, headers=headers["bidder"]).get_json()["filed"] is False


def test_figures_not_summing_to_the_unit_price_are_a_422_with_the_field(client, world):
    setup, headers = world
    url = f"/api/v1/bids/{setup.bids['A'].id}/cost-breakdown"
    response = client.put(url, json=BODY | {"profit": "0.0300"}, headers=headers["bidder"])
    assert (response.status_code, response.content_type) == (422, PROBLEM)
    problem = response.get_json()
    assert problem["type"].endswith("/cost-breakdown-not-valid")
    assert problem["errors"] == {
        "profit": ["the three figures sum to 0.2100, not to the bid's unit price 0.2000"]
    }


def test_before_opening_a_cost_breakdown_is_a_409_problem(
    client, make_tender, bidder, make_bid, auth_headers
):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    bid = make_bid(user, tender.lots[0], product).bid
    response = client.put(
        f"/api/v1/bids/{bid.id}/cost-breakdown", json=BODY, headers=auth_headers(user)
    )
    assert (response.status_code, response.content_type) == (409, PROBLEM)
    assert response.get_json()["type"].endswith("/cost-breakdown-before-opening")


@pytest.mark.parametrize("extra", [{}, {"cost_commitment": False}])
def test_a_bid_without_the_cost_commitment_is_a_typed_422(
    client, make_tender, bidder, auth_headers, extra
):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    body = {"product_id": product.id, "price_per_pack": "5.60", "capacity": 1000} | extra
    response = client.post(
        f"/api/v1/lots/{tender.lots[0].id}/bids", json=body, headers=auth_headers(user)
    )
    assert (response.status_code, response.content_type) == (422, PROBLEM)
    problem = response.get_json()
    assert problem["type"].endswith("/cost-commitment-missing")
    assert list(problem["errors"]) == ["cost_commitment"]
    mine = client.get("/api/v1/bids", headers=auth_headers(user)).get_json()
    assert mine == []
