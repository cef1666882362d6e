"""Bidding API: amend with If-Match, withdraw, opening, verification, export, bans, CLI."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cryptography.fernet import Fernet

from tests.fixtures.bidding import SEAL_KEY


@pytest.fixture
def lot_and_bid(client, make_tender, bidder, auth_headers):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    headers = auth_headers(user)
    body = {
        "product_id": product.id,
        "price_per_pack": "5.60",
        "capacity": 1000,
        "cost_commitment": True,
    }
    response = client.post(f"/api/v1/lots/{tender.lots[0].id}/bids", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return tender, response, headers, body


def test_submission_returns_a_receipt_and_an_etag(lot_and_bid):
    _, response, _, _ = lot_and_bid
    data = response.get_json()
    assert response.headers["ETag"] == '"1"'
    assert data["receipt"]["version"] == 1
    assert data["receipt"]["digest"] == data["bid"]["digest"]
    # 5.60 / 28 = 0.2000 per tablet.
    assert data["submitted"]["comparable_price"] == "0.2000"
    assert data["warnings"] == []


def test_a_json_float_price_is_refused(client, lot_and_bid):
    _tender, _, headers, body = lot_and_bid
    response = client.put(
        f"/api/v1/bids/{lot_and_bid[1].get_json()['bid']['id']}",
        json=body | {"price_per_pack": 5.6},
        headers=headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert "price_per_pack" in response.get_json()["errors"]


def test_amending_needs_if_match_and_refuses_a_stale_one(client, lot_and_bid):
    _, response, headers, body = lot_and_bid
    url = f"/api/v1/bids/{response.get_json()['bid']['id']}"
    assert client.put(url, json=body, headers=headers).status_code == 428
    assert client.put(url, json=body, headers=headers | {"If-Match": '"7"'}).status_code == 409
    amended = client.put(url, json=body | {"capacity": 5}, headers=headers | {"If-Match": '"1"'})
    assert amended.status_code == 200
    assert amended.get_json()["receipt"]["version"] == 2
    assert amended.headers["ETag"] == '"2"'


def test_withdrawing_keeps_the_receipt_and_marks_the_bid(client, lot_and_bid):
    _, response, headers, _ = lot_and_bid
    bid_id = response.get_json()["bid"]["id"]
    withdrawn = client.delete(f"/api/v1/bids/{bid_id}", headers=headers)
    assert withdrawn.get_json()["status"] == "withdrawn"
    receipt = client.get(f"/api/v1/bids/{bid_id}/receipt", headers=headers).get_json()
    assert (receipt["status"], receipt["version"]) == ("withdrawn", 2)


def test_opening_early_is_a_409_naming_the_opening_time(
    client, lot_and_bid, regulator, auth_headers
):
    tender, _, _, _ = lot_and_bid
    response = client.post(f"/api/v1/tenders/{tender.id}/open", headers=auth_headers(regulator))
    assert response.status_code == 409
    assert tender.opening_at.isoformat() in response.get_json()["detail"]
    export = client.get(f"/api/v1/tenders/{tender.id}/bids/export", headers=auth_headers(regulator))
    assert export.status_code == 409


def test_after_opening_anyone_can_verify_a_receipt(
    client, lot_and_bid, regulator, auth_headers, clock
):
    tender, response, _, _ = lot_and_bid
    receipt = response.get_json()["receipt"]
    clock.set(tender.opening_at)
    opened = client.post(f"/api/v1/tenders/{tender.id}/open", headers=auth_headers(regulator))
    again = client.post(f"/api/v1/tenders/{tender.id}/open", headers=auth_headers(regulator))
    assert opened.get_json() == again.get_json()
    url = f"/api/v1/bids/by-reference/{receipt['reference']}/verify"
    good = client.get(url, query_string={"digest": receipt["digest"]}).get_json()
    assert (good["match"], good["commitment_match"], good["receipt_match"]) == (True, True, True)
    assert good["reference"] == receipt["reference"]
    assert "bid_id" not in good  # the sequential id is never public
    bad = client.get(url, query_string={"digest": "f" * 64}).get_json()
    assert bad["match"] is False


def test_the_regulator_bars_a_manufacturer_which_reads_only_its_own_bans(
    client, bidder, make_user, regulator, auth_headers
):
    user, _ = bidder()
    other, _ = bidder()
    ban = client.post(
        "/api/v1/bidding-bans",
        json={"manufacturer_id": user.organization_id, "level": "violation-list", "reason": "r"},
        headers=auth_headers(regulator),
    )
    assert ban.status_code == 201, ban.get_json()
    ban_id = ban.get_json()["id"]
    assert [b["id"] for b in client.get("/api/v1/bidding-bans", headers=auth_headers(user)).json]
    assert client.get("/api/v1/bidding-bans", headers=auth_headers(other)).json == []
    assert (
        client.get(f"/api/v1/bidding-bans/{ban_id}", headers=auth_headers(other)).status_code == 404
    )
    hospital = auth_headers(make_user(kind="hospital"))
    assert client.get("/api/v1/bidding-bans", headers=hospital).status_code == 403
    denied = client.post(
        "/api/v1/bidding-bans",
        json={"manufacturer_id": user.organization_id, "level": "x", "reason": "r"},
        headers=auth_headers(user),
    )
    assert denied.status_code == 403
    lifted = client.delete(f"/api/v1/bidding-bans/{ban_id}", headers=auth_headers(regulator))
    assert lifted.get_json()["until"] is not None


def test_the_rotate_command_reseals_with_the_newest_key(app, runner, lot_and_bid, db_session):
    from procurement.bidding.models import Bid
    from procurement.bidding.seal import Sealer
    from procurement.cli import cli

    bid_id = lot_and_bid[1].get_json()["bid"]["id"]
    new_key = Fernet.generate_key().decode()
    app.config["BID_SEAL_KEYS"] = [new_key, SEAL_KEY]
    result = runner.invoke(cli, args=["bids", "rotate-seal-key"])
    assert "re-sealed 2 bid records" in result.output, result.output
    db_session.expire_all()
    sealed = db_session.get(Bid, bid_id).sealed
    assert Sealer([new_key]).unseal_content(sealed).price_per_pack == Decimal("5.6000")
