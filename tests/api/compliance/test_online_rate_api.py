"""The online procurement rate through the API and the regulator's page: the matrix of callers,
bad filters as problems (API) or beside their fields (page), the figures (a hospital 300.00
online and 100.00 off-platform in January 2026: 75.0%)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from procurement.auth import services as auth
from procurement.auth.services import actor_of
from procurement.orders import services as orders

URL = "/api/v1/compliance/online-rate"


@pytest.fixture
def bought(db_session, clock, make_user, make_contract, accept):
    org = auth.create_org(
        db_session,
        code="VCR",
        name="某村卫生室",
        kind="hospital",
        region_code="430121",
        now=clock.now(),
        institution_type="village_clinic",
    )
    clinic = make_user(org)
    world = make_contract(hospital=clinic, agreed=1000, unit_price="1.0000", pack_size=1)
    accept(world, packs=300)
    orders.report_off_platform(
        db_session,
        lot_id=world.contract.lot_id,
        month=date(2026, 1, 1),
        quantity=100,
        amount=Decimal("100"),
        now=clock.now(),
        actor=actor_of(clinic),
    )
    return world


STATUS = {
    "regulator": 200,
    "fund": 200,
    "hospital": 200,
    "other_hospital": 200,
    "manufacturer": 403,
    "distributor": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", STATUS)
def test_who_may_read_the_rate(bought, client, make_user, auth_headers, role):
    users = {
        "regulator": make_user(kind="regulator", region_code="430000"),
        "fund": make_user(kind="fund", region_code="430000"),
        "hospital": bought.hospital,
        "other_hospital": make_user(kind="hospital"),
        "manufacturer": bought.manufacturer,
        "distributor": make_user(kind="distributor"),
    }
    headers = auth_headers(users[role]) if role in users else {}
    response = client.get(URL, query_string={"from": "2026-01", "to": "2026-01"}, headers=headers)
    assert response.status_code == STATUS[role]
    if response.status_code != 200:
        assert response.content_type == "application/problem+json"
        return
    body = response.get_json()
    rows = [
        (r["name"], r["institution_type"], r["online"], r["off_platform"], r["rate"])
        for r in body["rows"]
    ]
    if role == "other_hospital":
        assert rows == []  # a buyer sees its own rate only
    else:
        assert rows == [("某村卫生室", "village_clinic", "300.00", "100.00", "0.7500")]
    assert (body["from"], body["to"], body["level"]) == ("2026-01", "2026-01", "institution")


def test_levels_and_type_filter(bought, client, make_user, auth_headers):
    headers = auth_headers(make_user(kind="regulator", region_code="430000"))
    query = {"from": "2026-01", "to": "2026-01"}
    city = client.get(URL, query_string={**query, "level": "city"}, headers=headers).get_json()
    assert [(r["key"], r["rate"], r["buyers"]) for r in city["rows"]] == [("430100", "0.7500", 1)]
    none = client.get(
        URL, query_string={**query, "institution_type": "pharmacy_store"}, headers=headers
    ).get_json()
    assert none["rows"] == []
    assert none["total"]["rate"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13"}, "from"),
        ({"level": "street"}, "level"),
        ({"institution_type": "spa"}, "institution_type"),
        ({"region": "43"}, "region"),
        ({"from": "2026-02", "to": "2026-01"}, "to"),
        ({"from": "2020-01", "to": "2026-01"}, "to"),
    ],
)
def test_bad_filters_are_problems_naming_the_field(client, make_user, auth_headers, query, field):
    headers = auth_headers(make_user(kind="regulator", region_code="430000"))
    response = client.get(URL, query_string=query, headers=headers)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_the_regulators_page_in_chinese(bought, client, make_user, login):
    login(make_user(kind="regulator", region_code="430000"))
    page = client.get(
        "/regulator/compliance/online-rate?from=2026-01&to=2026-01",
        headers={"Accept-Language": "zh-CN"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "网采率" in html
    assert "村卫生室" in html
    assert "75.0%" in html
    for query, field in (("from=2026-02&to=2026-01", "to"), ("region=43", "region")):
        bad = client.get(
            f"/regulator/compliance/online-rate?{query}", headers={"Accept-Language": "zh-CN"}
        )
        html = bad.get_data(as_text=True)
        assert bad.status_code == 422
        assert f'id="in-{field}-error"' in html
    assert "须不早于 2026-02" in client.get(
        "/regulator/compliance/online-rate?from=2026-02&to=2026-01",
        headers={"Accept-Language": "zh-CN"},
    ).get_data(as_text=True)
    assert 'value="43"' in html  # what was typed stays
