"""Red flags through the API and on the pages: the flags of the hand-computed tender
(tests/fixtures/redflags.py), refusals as problems, the pages for the regulator and the fund in
Chinese, and nothing before the opening."""

from __future__ import annotations

import pytest


@pytest.fixture
def opened(flag_world):
    return flag_world()


def test_api_lists_flags_per_lot_and_bidder(client, opened, regulator, auth_headers):
    tender, m = opened
    reply = client.get(f"/api/v1/tenders/{tender.id}/red-flags", headers=auth_headers(regulator))
    assert reply.status_code == 200, reply.get_data(as_text=True)
    body = reply.get_json()
    codes = sorted(f["code"] for f in body["flags"])
    assert codes == ["R028", "revival", "same_price", "same_price"]
    r028 = next(f for f in body["flags"] if f["code"] == "R028")
    assert (r028["lots"], sorted(r028["bidders"]), r028["value"]) == (
        ["L01"],
        sorted([m["A"], m["B"]]),
        "1.0",
    )
    prices = sorted(f["value"] for f in body["flags"] if f["code"] == "same_price")
    assert prices == ["0.2000", "0.2500"]
    assert {lot["code"]: lot["flags"] for lot in body["lots"]} == {"L01": 4, "L02": 3}
    counts = {b["id"]: b["flags"] for b in body["bidders"]}
    assert counts == {m["A"]: 3, m["B"]: 2, m["C"]: 2, m["D"]: 1}


def test_api_refuses_before_the_opening_with_a_problem(client, flag_world, regulator, auth_headers):
    tender, _ = flag_world(open_bids=False)
    reply = client.get(f"/api/v1/tenders/{tender.id}/red-flags", headers=auth_headers(regulator))
    assert reply.status_code == 409
    assert reply.mimetype == "application/problem+json"
    assert reply.get_json()["type"].endswith("red-flags-before-opening")
    assert "0.2000" not in reply.get_data(as_text=True)


def test_regulator_reaches_the_red_flags_from_the_tender_page_in_chinese(
    client, opened, regulator, login
):
    tender, m = opened
    login(regulator)
    client.set_cookie("lang", "zh")
    detail = client.get(f"/regulator/tenders/{tender.id}").get_data(as_text=True)
    assert f"/compliance/tenders/{tender.id}/red-flags" in detail
    page = client.get(f"/compliance/tenders/{tender.id}/red-flags")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    lot = html[html.index('data-testid="lot-L01"') : html.index('data-testid="lot-L02"')]
    assert "报价相同" in lot
    assert "不同企业报出相同价格" in lot
    assert "跨品种单位价格相同" in lot
    assert "0.2000 元" in lot
    bidder = client.get(f"/compliance/tenders/{tender.id}/red-flags/bidders/{m['D']}")
    flags = bidder.get_data(as_text=True)
    assert bidder.status_code == 200
    assert flags.count("<li data-code=") == 1
    assert 'data-code="same_price"' in flags


def test_the_fund_sees_the_page_and_others_are_refused(client, opened, make_user, login, regulator):
    tender, _m = opened
    login(make_user(kind="fund", region_code="310000"))
    assert client.get(f"/compliance/tenders/{tender.id}/red-flags").status_code == 200
    missing = client.get(f"/compliance/tenders/{tender.id}/red-flags/bidders/999999")
    assert missing.status_code == 404
    client.post("/logout")
    login(make_user(kind="manufacturer"))
    assert client.get(f"/compliance/tenders/{tender.id}/red-flags").status_code == 403


def test_page_before_the_opening_shows_the_refusal(client, flag_world, regulator, login):
    tender, _ = flag_world(open_bids=False)
    login(regulator)
    page = client.get(f"/compliance/tenders/{tender.id}/red-flags")
    assert page.status_code == 409
    assert "red flags are computed from opened bids only" in page.get_data(as_text=True)
    detail = client.get(f"/regulator/tenders/{tender.id}").get_data(as_text=True)
    assert "red-flags-link" not in detail


def test_a_related_group_bidding_twice_shows_on_the_bidders_page_in_chinese(
    client, opened, regulator, login, auth_headers, db_session, clock
):
    """A and C made one group: the API lists a related_group flag on both lots, and C's page
    names the group in Chinese."""
    from procurement.auth.services import actor_of
    from procurement.bidding import services as bidding

    tender, m = opened
    data = {"name": "华东医药集团", "members": [m["A"], m["C"]]}
    bidding.create_group(db_session, data=data, now=clock.now(), actor=actor_of(regulator))
    body = client.get(
        f"/api/v1/tenders/{tender.id}/red-flags", headers=auth_headers(regulator)
    ).get_json()
    related = [f for f in body["flags"] if f["code"] == "related_group"]
    assert [(f["lots"], sorted(f["bidders"]), f["value"]) for f in related] == [
        (["L01"], sorted([m["A"], m["C"]]), "2"),
        (["L02"], sorted([m["A"], m["C"]]), "2"),
    ]
    login(regulator)
    client.set_cookie("lang", "zh")
    html = client.get(f"/compliance/tenders/{tender.id}/red-flags/bidders/{m['C']}").get_data(
        as_text=True
    )
    assert 'data-code="related_group"' in html
    assert "关联企业同组投标" in html
    assert "关联企业组 华东医药集团 的成员" in html
