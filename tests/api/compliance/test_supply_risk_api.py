"""Supply risk through the API and on the pages: the figures of a hand-computed lot with their
declared types (ratios as decimal strings), every endpoint x role x another organization (only
the regulator and the fund see it; everyone else gets a problem+json), a tender without
contracts refused, and the pages in Chinese reached from the tender page, the lot and the
alert."""

from __future__ import annotations

import pytest

from procurement.compliance.services import evaluate_alerts


@pytest.fixture
def world(risk_world):
    """320000: A 600, B 400 (HHI 5,200: 10 points), backup C with 2,000 spare; 310000: A
    alone, 500, no backup (20 + 35 = 55, high)."""
    return risk_world(
        supplies={"320000": {"A": 600, "B": 400}, "310000": {"A": 500}},
        capacities={"A": 3000, "B": 3000, "C": 2000},
        backups={"320000": "C"},
    )


def _urls(world):
    return [
        f"/api/v1/tenders/{world.tender.id}/supply-risk",
        f"/api/v1/lots/{world.lot.id}/supply-risk",
    ]


def _pages(world):
    return [
        f"/compliance/tenders/{world.tender.id}/supply-risk",
        f"/compliance/lots/{world.lot.id}/supply-risk",
    ]


def test_the_lot_endpoint_sends_shares_hhi_backup_and_headroom(
    client, world, regulator, auth_headers
):
    reply = client.get(_urls(world)[1], headers=auth_headers(regulator))
    assert reply.status_code == 200, reply.get_data(as_text=True)
    lot = reply.get_json()["lot"]
    # whole lot: A 1,100 and B 400 of 1,500 -> 73.33^2 + 26.67^2 = 5,377.78 + 711.11 = 6,089
    assert (lot["hhi"], lot["score"], lot["level"], lot["agreed"]) == (6089, 55, "high", 1500)
    assert lot["regions_without_backup"] == ["310000"]
    assert lot["single_winner_regions"] == ["310000"]
    regions = {r["region_code"]: r for r in lot["regions"]}
    shared = regions["320000"]
    assert (shared["hhi"], shared["score"], shared["backup_ready"]) == (5200, 10, True)
    assert [(s["agreed"], s["share"]) for s in shared["shares"]] == [
        (600, "0.6000"),
        (400, "0.4000"),
    ]
    assert (shared["backup"]["spare"], shared["backup"]["capacity"]) == (2000, 2000)
    alone = regions["310000"]
    assert (alone["backup"], alone["score"], alone["backup_ready"]) == (None, 55, False)
    assert alone["reasons"][1] == "No backup supplier is named for this region."
    a = next(w for w in lot["winners"] if w["manufacturer_id"] == world.maker_id("A"))
    # A: 1,100 agreed of 1,500 = 0.7333; capacity 3,000: headroom 1,900 = 1.7273 x agreed
    assert (a["agreed"], a["share"], a["headroom"], a["headroom_share"]) == (
        1100,
        "0.7333",
        1900,
        "1.7273",
    )


def test_the_tender_endpoint_ranks_lots_and_names_its_year(client, world, regulator, auth_headers):
    reply = client.get(_urls(world)[0], headers=auth_headers(regulator))
    body = reply.get_json()
    assert (body["tender_id"], body["contract_year"]) == (world.tender.id, 1)
    assert [(lot["code"], lot["score"]) for lot in body["lots"]] == [(world.lot.code, 55)]


@pytest.mark.parametrize(
    ("kind", "region", "status"),
    [
        ("regulator", "320000", 200),  # another regulator organization (non-draft tenders)
        ("fund", "310000", 200),
        ("fund", "320000", 200),  # another fund office
        ("hospital", "310101", 403),
        ("manufacturer", "320000", 403),
        ("distributor", "320100", 403),
    ],
)
def test_only_oversight_sees_supply_risk_others_get_a_problem(
    client, world, make_user, auth_headers, login, kind, region, status
):
    user = make_user(kind=kind, region_code=region)
    for url in _urls(world):
        reply = client.get(url, headers=auth_headers(user))
        assert reply.status_code == status, url
        if status != 200:
            assert reply.mimetype == "application/problem+json"
    login(user)
    for url in _pages(world):
        assert client.get(url).status_code == status, url


def test_the_winners_themselves_and_their_hospitals_are_refused(client, world, auth_headers):
    """The lot's own supplier and a hospital on its contracts: refused like anyone else."""
    for user in (world.makers["A"], world.hospitals[("310000", "A")]):
        for url in _urls(world):
            reply = client.get(url, headers=auth_headers(user))
            assert (reply.status_code, reply.mimetype) == (403, "application/problem+json")


def test_without_login_unknown_ids_and_a_tender_without_contracts_are_problems(
    client, world, regulator, auth_headers, make_tender
):
    for url in _urls(world):
        reply = client.get(url)
        assert (reply.status_code, reply.mimetype) == (401, "application/problem+json")
    headers = auth_headers(regulator)
    for url in ("/api/v1/tenders/999999/supply-risk", "/api/v1/lots/999999/supply-risk"):
        reply = client.get(url, headers=headers)
        assert (reply.status_code, reply.mimetype) == (404, "application/problem+json")
    opened = make_tender("opened")
    reply = client.get(f"/api/v1/tenders/{opened.id}/supply-risk", headers=headers)
    assert (reply.status_code, reply.mimetype) == (409, "application/problem+json")
    assert reply.get_json()["type"].endswith("supply-risk-before-contracts")


def test_the_pages_in_chinese_from_the_tender_page_the_lot_and_the_alert(
    client, world, regulator, login, db_session, clock
):
    login(regulator)
    client.set_cookie("lang", "zh")
    detail = client.get(f"/regulator/tenders/{world.tender.id}").get_data(as_text=True)
    assert _pages(world)[0] in detail  # the button
    assert _pages(world)[1] in detail  # the lot's code
    award = client.get(f"/regulator/award/tenders/{world.tender.id}").get_data(as_text=True)
    assert _pages(world)[1] in award  # the lot on the confirmed award
    page = client.get(_pages(world)[0])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "供应风险" in html
    assert "高风险" in html
    assert "本地区未指定备供企业。" in html
    assert 'data-testid="risk-chart"' in html
    assert 'data-hhi="6089"' in html
    assert "上海市" in html  # the region without a backup, by name
    lot = client.get(_pages(world)[1]).get_data(as_text=True)
    assert 'data-testid="share-chart"' in lot
    assert 'data-testid="late-chart"' in lot
    assert 'data-region="310000" data-score="55" data-backup-ready="no"' in lot
    assert "无备供" in lot
    assert "集中度" in lot
    evaluate_alerts(db_session, now=clock.now())
    alerts = client.get("/regulator/compliance/alerts?kind=no_backup").get_data(as_text=True)
    assert "无备供企业" in alerts
    case = alerts.split('data-testid="alert-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert _pages(world)[1] in client.get(case).get_data(as_text=True)
