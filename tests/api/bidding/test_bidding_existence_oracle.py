"""Before opening, nobody but its bidder can tell a sealed bid from a missing one (issue 13,
item 7): every endpoint and page that addresses a bid answers a real sealed bid exactly like a
bid that does not exist (status, type, title and detail; only the instance differs), and the
public references in receipts are random, not sequential ids."""

from __future__ import annotations

import re

import pytest

from procurement.bidding.models import BID_REFERENCE_BYTES, new_bid_reference
from tests.fixtures.auth import PASSWORD

ROLES = ("regulator", "fund", "hospital", "other_manufacturer", "distributor", "anonymous")
MISSING_ID = 987_654_321
ONE_TIME = re.compile(r'name="(csrf_token|form_key)" value="[^"]*"')
ID_PATH = re.compile(r"/(api/v1/)?(manufacturer/bidding/)?bids/[^/\"'#?]+")


@pytest.fixture
def sealed(app, make_tender, make_user, bidder, regulator, auth_headers):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    api = app.test_client()
    body = {
        "product_id": product.id,
        "price_per_pack": "5.60",
        "capacity": 1000,
        "cost_commitment": True,
    }
    reply = api.post(
        f"/api/v1/lots/{tender.lots[0].id}/bids", json=body, headers=auth_headers(user)
    )
    assert reply.status_code == 201, reply.get_json()
    users = {
        "bidder": user,
        "regulator": regulator,
        "fund": make_user(kind="fund"),
        "hospital": make_user(kind="hospital"),
        "other_manufacturer": make_user(kind="manufacturer"),
        "distributor": make_user(kind="distributor"),
    }
    headers = {k: auth_headers(u) for k, u in users.items()} | {"anonymous": {}}
    pages = {}
    for who, u in users.items():
        pages[who] = app.test_client()
        pages[who].post("/login", data={"username": u.username, "password": PASSWORD})
    pages["anonymous"] = app.test_client()
    data = reply.get_json()
    return {
        "tender": tender,
        "api": api,
        "id": data["bid"]["id"],
        "reference": data["receipt"]["reference"],
        "body": body,
        "headers": headers,
        "pages": pages,
    }


def bid_requests(bid_id: int, reference: str, body: dict) -> list[tuple[str, str, str, dict]]:
    """(kind, method, url, options) for every API operation and page that addresses a bid."""
    page = f"/manufacturer/bidding/bids/{bid_id}"
    return [
        ("api", "GET", f"/api/v1/bids/{bid_id}", {}),
        ("api", "PUT", f"/api/v1/bids/{bid_id}", {"json": body, "headers": {"If-Match": '"1"'}}),
        ("api", "DELETE", f"/api/v1/bids/{bid_id}", {}),
        ("api", "GET", f"/api/v1/bids/{bid_id}/receipt", {}),
        ("api", "GET", f"/api/v1/bids/by-reference/{reference}/verify", {}),
        ("api", "GET", f"/api/v1/bids/by-reference/{reference}/verify?digest=00", {}),
        ("page", "GET", page, {"headers": {"Accept": "text/html"}}),
        ("page", "GET", f"{page}/receipt.json", {"headers": {"Accept": "text/html"}}),
        ("page", "GET", f"/regulator/bidding/bids/{bid_id}", {"headers": {"Accept": "text/html"}}),
        ("page", "POST", f"{page}/withdraw", {"data": {"version": "1"}}),
    ]


def answer(world, who: str, kind: str, method: str, url: str, options: dict):
    headers = dict(options.get("headers", {}))
    if kind == "api":
        client = world["api"]
        headers |= world["headers"][who]
    else:
        client = world["pages"][who]
    extra = {k: v for k, v in options.items() if k != "headers"}
    response = client.open(url, method=method, headers=headers, **extra)
    assert response.status_code < 500, (who, url)
    if response.is_json:
        body = response.get_json()
        body.pop("instance", None)  # the request path and id: the one thing allowed to differ
        shown = repr(sorted(body.items()))
    else:
        page = ID_PATH.sub("/bids/X", response.get_data(as_text=True))
        shown = ONE_TIME.sub(r'name="\1" value="T"', page)  # new with every page
    location = ID_PATH.sub("/bids/X", response.headers.get("Location", ""))  # login?next=...
    return (response.status_code, response.mimetype, location, shown)


@pytest.mark.parametrize("who", ROLES)
def test_before_opening_a_sealed_bid_and_a_missing_one_get_the_same_answer(sealed, who):
    real = bid_requests(sealed["id"], sealed["reference"], sealed["body"])
    missing = bid_requests(MISSING_ID, new_bid_reference(), sealed["body"])
    for asked_real, asked_missing in zip(real, missing, strict=True):
        got_real = answer(sealed, who, *asked_real)
        got_missing = answer(sealed, who, *asked_missing)
        assert got_real == got_missing, (who, asked_real[1:3], got_real, got_missing)
        assert got_real[0] in (302, 401, 403, 404), (who, asked_real[1:3], got_real)


def test_the_bidder_still_sees_its_bid_and_receipt_before_opening(sealed):
    headers = sealed["headers"]["bidder"]
    bid = sealed["api"].get(f"/api/v1/bids/{sealed['id']}", headers=headers)
    assert (bid.status_code, bid.get_json()["reference"]) == (200, sealed["reference"])
    receipt = sealed["api"].get(f"/api/v1/bids/{sealed['id']}/receipt", headers=headers)
    assert receipt.status_code == 200
    assert receipt.get_json()["reference"] == sealed["reference"]
    assert "bid_id" not in receipt.get_json()
    page = sealed["pages"]["bidder"].get(f"/manufacturer/bidding/bids/{sealed['id']}")
    assert page.status_code == 200
    assert sealed["reference"] in page.get_data(as_text=True)
    download = sealed["pages"]["bidder"].get(
        f"/manufacturer/bidding/bids/{sealed['id']}/receipt.json"
    )
    assert download.get_json()["reference"] == sealed["reference"]
    assert sealed["reference"] in download.headers["Content-Disposition"]
    # Before opening the bidder's own reference verifies no better than anyone's.
    verify = sealed["api"].get(f"/api/v1/bids/by-reference/{sealed['reference']}/verify")
    assert verify.status_code == 404


def test_references_are_random_and_say_nothing_about_order(
    sealed, make_tender, bidder, auth_headers
):
    tender = make_tender("bidding_open", lots=3)
    references = [sealed["reference"]]
    for lot in tender.lots:
        user, product = bidder()
        body = {
            "product_id": product.id,
            "price_per_pack": "5.60",
            "capacity": 1000,
            "cost_commitment": True,
        }
        reply = sealed["api"].post(
            f"/api/v1/lots/{lot.id}/bids", json=body, headers=auth_headers(user)
        )
        references.append(reply.get_json()["receipt"]["reference"])
    assert len(set(references)) == len(references)
    for reference in references:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", reference), reference
        assert not reference.isdigit()
    assert BID_REFERENCE_BYTES * 8 >= 128


def test_after_opening_anyone_verifies_by_reference_and_a_withdrawn_bid_stays_unknown(
    sealed, bidder, auth_headers, clock, regulator
):
    lot = sealed["tender"].lots[0]
    quitter, product = bidder()
    body = {
        "product_id": product.id,
        "price_per_pack": "4.20",
        "capacity": 500,
        "cost_commitment": True,
    }
    reply = sealed["api"].post(
        f"/api/v1/lots/{lot.id}/bids", json=body, headers=auth_headers(quitter)
    )
    withdrawn = reply.get_json()["receipt"]["reference"]
    bid_id = reply.get_json()["bid"]["id"]
    assert (
        sealed["api"].delete(f"/api/v1/bids/{bid_id}", headers=auth_headers(quitter)).status_code
        == 200
    )
    clock.set(sealed["tender"].opening_at)
    opened = sealed["api"].post(
        f"/api/v1/tenders/{sealed['tender'].id}/open", headers=auth_headers(regulator)
    )
    assert opened.status_code == 200, opened.get_json()
    receipt = (
        sealed["api"]
        .get(f"/api/v1/bids/{sealed['id']}/receipt", headers=sealed["headers"]["bidder"])
        .get_json()
    )
    url = f"/api/v1/bids/by-reference/{sealed['reference']}/verify"
    for who in ROLES:
        good = sealed["api"].get(
            url, query_string={"digest": receipt["digest"]}, headers=sealed["headers"][who]
        )
        assert good.status_code == 200, (who, good.get_json())
        assert good.get_json()["match"] is True
        assert good.get_json()["reference"] == sealed["reference"]
    unknown = [
        sealed["api"].get(f"/api/v1/bids/by-reference/{ref}/verify")
        for ref in (withdrawn, new_bid_reference())
    ]
    assert [r.status_code for r in unknown] == [404, 404]
    first, second = ({k: v for k, v in r.get_json().items() if k != "instance"} for r in unknown)
    assert first == second
