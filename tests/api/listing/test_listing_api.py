"""The listing API: every endpoint as every role and against another organization's request
(the auth matrix), the problems it answers with, and money as decimal strings."""

from __future__ import annotations

import pytest

from procurement.listing.models import ListingRequest, RequestStatus

ROLES = (
    "anonymous",
    "owner",
    "owner_viewer",
    "other_manufacturer",
    "regulator",
    "regulator_viewer",
    "other_regulator",
    "hospital",
    "fund",
    "distributor",
)
# endpoint -> expected status per role, in ROLES' order
MATRIX = {
    "list": (401, 200, 200, 200, 200, 200, 200, 403, 403, 403),
    "file": (401, 201, 403, 404, 403, 403, 403, 403, 403, 403),
    "read": (401, 200, 200, 404, 200, 200, 200, 403, 403, 403),
    "approve": (401, 403, 403, 403, 200, 403, 200, 403, 403, 403),
    "reject": (401, 403, 403, 403, 200, 403, 200, 403, 403, 403),
    "listings": (200,) * 10,
    "listing": (200,) * 10,
}


@pytest.fixture
def api_world(listing_world, auth_headers, make_user):
    maker = make_user(kind="manufacturer", region_code="320000")
    product = listing_world.make_product(maker)
    listing = listing_world.listed(maker, product, "0.5000", region="310000")
    pending = listing_world.file(maker, product, "0.4500", region="320000")
    users = {
        "owner": maker,
        "owner_viewer": make_user(maker.organization, role="viewer"),
        "other_manufacturer": make_user(kind="manufacturer"),
        "regulator": listing_world.regulator,
        "regulator_viewer": make_user(listing_world.regulator.organization, role="viewer"),
        "other_regulator": make_user(kind="regulator", region_code="320000"),
        "hospital": make_user(kind="hospital"),
        "fund": make_user(kind="fund"),
        "distributor": make_user(kind="distributor"),
    }
    headers = {role: auth_headers(user) for role, user in users.items()}
    headers["anonymous"] = {}
    return {
        "product": product,
        "listing": listing,
        "pending": pending,
        "headers": headers,
        "owner": headers["owner"],
        "regulator": headers["regulator"],
    }


def _call(client, endpoint, w, headers):
    rid = w["pending"].id
    calls = {
        "list": lambda: client.get("/api/v1/listing-requests", headers=headers),
        "file": lambda: client.post(
            "/api/v1/listing-requests",
            json={
                "product_id": w["product"].id,
                "region_code": "330000",
                "unit_price": "0.4800",
                "evidence": "浙江省2025年挂网价",
            },
            headers=headers,
        ),
        "read": lambda: client.get(f"/api/v1/listing-requests/{rid}", headers=headers),
        "approve": lambda: client.post(
            f"/api/v1/listing-requests/{rid}/approve", json={}, headers=headers
        ),
        "reject": lambda: client.post(
            f"/api/v1/listing-requests/{rid}/reject", json={"reason": "价格偏高"}, headers=headers
        ),
        "listings": lambda: client.get("/api/v1/listings?q=氨氯地平", headers=headers),
        "listing": lambda: client.get(f"/api/v1/listings/{w['listing'].id}", headers=headers),
    }
    return calls[endpoint]()


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix(client, api_world, db_session, endpoint, role):
    expected = MATRIX[endpoint][ROLES.index(role)]
    response = _call(client, endpoint, api_world, api_world["headers"][role])
    assert response.status_code == expected, response.get_json()
    if expected >= 400:
        assert response.headers["Content-Type"] == "application/problem+json"
        db_session.expire_all()
        pending = db_session.get(ListingRequest, api_world["pending"].id)
        assert pending.status == RequestStatus.PENDING  # a refusal changed nothing
        assert db_session.query(ListingRequest).count() == 2


def test_another_manufacturer_lists_none_of_the_owners_requests(client, api_world):
    headers = api_world["headers"]
    assert client.get("/api/v1/listing-requests", headers=headers["other_manufacturer"]).json == []
    mine = client.get("/api/v1/listing-requests", headers=headers["owner"]).json
    assert [r["id"] for r in mine] == [api_world["pending"].id, api_world["listing"].request_id]


def test_a_request_reads_with_decimal_strings_and_its_checks_figures(client, api_world):
    body = client.get(
        f"/api/v1/listing-requests/{api_world['pending'].id}",
        headers={**api_world["owner"], "Accept-Language": "en"},
    ).json
    assert (body["unit_price"], body["pack_price"], body["currency"]) == (
        "0.4500",
        "12.6000",
        "CNY",
    )
    assert (body["status"], body["outcome"], body["region_name"]) == ("pending", "pass", "江苏省")
    lowest = body["checks"][0]
    assert lowest["params"]["lowest"] == "0.5000"
    assert lowest["summary"] == (
        f"0.4500 is not above the lowest on record, 0.5000 (listing "
        f"#{api_world['listing'].id}, 上海市)."
    )


def test_filing_answers_problems_and_changes_nothing(client, api_world, db_session):
    url, headers = "/api/v1/listing-requests", api_world["owner"]
    body = {"product_id": api_world["product"].id, "unit_price": "0.4", "evidence": "x"}
    as_float = client.post(url, json={**body, "unit_price": 0.4}, headers=headers)
    assert as_float.status_code == 422
    assert "unit_price" in as_float.json["errors"]
    city = client.post(url, json={**body, "region_code": "320100"}, headers=headers)
    assert (city.status_code, list(city.json["errors"])) == (422, ["region_code"])
    again = client.post(url, json={**body, "region_code": "320000"}, headers=headers)
    assert again.status_code == 409
    assert again.json["type"].endswith("/listing-request-pending")
    assert again.json["request_id"] == api_world["pending"].id
    assert db_session.query(ListingRequest).count() == 2


def test_a_failed_check_refuses_the_approval_with_a_problem(client, api_world):
    high = client.post(
        "/api/v1/listing-requests",
        json={
            "product_id": api_world["product"].id,
            "region_code": None,
            "unit_price": "0.6000",
            "evidence": "成本核算表",
        },
        headers=api_world["owner"],
    ).json
    assert high["outcome"] == "fail"
    refused = client.post(
        f"/api/v1/listing-requests/{high['id']}/approve", json={}, headers=api_world["regulator"]
    )
    assert refused.status_code == 422
    assert refused.json["type"].endswith("/listing-checks-failed")
    assert refused.json["failed"] == ["lowest_on_record"]
    no_reason = client.post(
        f"/api/v1/listing-requests/{high['id']}/reject", json={}, headers=api_world["regulator"]
    )
    assert no_reason.status_code == 422
    assert no_reason.json["type"].endswith("/decision-reason-required")
    rejected = client.post(
        f"/api/v1/listing-requests/{high['id']}/reject",
        json={"reason": "高于最低挂网价"},
        headers=api_world["regulator"],
    )
    assert (rejected.status_code, rejected.json["status"]) == (200, "rejected")
    twice = client.post(
        f"/api/v1/listing-requests/{high['id']}/reject",
        json={"reason": "again"},
        headers=api_world["regulator"],
    )
    assert (twice.status_code, twice.json["type"].split("/")[-1]) == (
        409,
        "listing-request-decided",
    )


def test_an_approval_makes_the_listing_public_and_ends_the_old_one(client, api_world):
    approved = client.post(
        f"/api/v1/listing-requests/{api_world['pending'].id}/approve",
        json={},
        headers=api_world["regulator"],
    ).json
    listings = client.get("/api/v1/listings?q=氨氯").json
    assert sorted((x["region_code"], x["unit_price"]) for x in listings) == [
        ("310000", "0.5000"),
        ("320000", "0.4500"),
    ]
    assert approved["listing_id"] in [x["id"] for x in listings]
    assert client.get("/api/v1/listings?q=阿莫西林").json == []
    assert client.get("/api/v1/listings?region_code=320000").json[0]["unit_price"] == "0.4500"
    assert client.get("/api/v1/listings/999999").status_code == 404
