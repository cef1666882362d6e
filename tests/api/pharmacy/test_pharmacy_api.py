"""The pharmacy API and pages: the public finder (no login, nothing private), and every
endpoint against every role and another chain's store (the authorization matrix)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from procurement.pharmacy import pages
from procurement.pharmacy import services as pharmacy
from procurement.trace.services.stock_ledger import declare_no_code
from tests.fixtures.pharmacy import WINNERS, contract_for

ALL = [w[0] for w in WINNERS]


@pytest.fixture
def enrolled(db_session, clock, vbp, make_chain):
    chain = make_chain("CH1")
    pharmacy.sign_up(
        db_session, tender_id=vbp.tender_id, generic_names=ALL, now=clock.now(), actor=chain.actor
    )
    return chain


def test_the_finder_finds_by_pinyin_initials_and_characters_without_login(client, vbp, enrolled):
    for q in ("amoxilin", "amxl", "阿莫西林", "AMOX"):
        found = client.get(f"/api/v1/finder/search?q={q}&district=310101").get_json()
        assert found["generic_names"] == ["阿莫西林"], q
        assert [p["vbp_pack_price"] for p in found["products"]] == ["12.00"]  # 0.5 x 24
        places = found["places"]
        assert {p["store_name"] for p in places} == {"CH1S1 大药房", "CH1S2 大药房"}
        assert {p["status"] for p in places} == {"out"}  # nothing received yet
        assert {p["kind"] for p in places} == {"pharmacy"}
        assert set(places[0]) == {
            "kind",
            "store_name",
            "address",
            "district",
            "product_id",
            "price",
            "status",
        }  # nothing private: no sales, no stock figures
    other = client.get("/api/v1/finder/search?q=amxl&district=320101").get_json()
    assert other["places"] == []


def test_the_finder_shows_a_clinic_at_the_vbp_price_in_the_api_and_the_page(
    client, db_session, clock, vbp, make_clinics
):
    clinics = make_clinics()
    contract_for(db_session, vbp.contracts["阿莫西林"], clinics.centre)
    declare_no_code(
        db_session,
        product_id=vbp.contracts["阿莫西林"].product_id,
        batch_no="NC1",
        expiry_date=clock.now().date() + timedelta(days=400),
        quantity=3,
        reason="bought before codes",
        now=clock.now(),
        actor=make_actor_for(db_session, clock, clinics.centre),
    )
    pharmacy.refresh_all(db_session, now=clock.now())
    found = client.get("/api/v1/finder/search?q=amxl&district=310101").get_json()
    assert found["places"] == [
        {
            "kind": "clinic",
            "store_name": "外滩社区卫生服务中心",
            "address": clinics.centre.address,
            "district": "310101",
            "product_id": vbp.contracts["阿莫西林"].product_id,
            "price": "12.00",  # 0.5000 x 24, no markup
            "status": "low",  # 3 on hand, at most 5
        }
    ]
    page = client.get("/finder?q=amxl&district=310101", headers={"Accept-Language": "zh-CN"})
    text = page.get_data(as_text=True)
    assert "外滩社区卫生服务中心" in text
    assert "基层医疗机构" in text
    assert "库存紧张" in text


def make_actor_for(db_session, clock, org):
    from procurement.auth import services as auth
    from procurement.auth.services import actor_of
    from tests.fixtures.auth import PASSWORD

    user = auth.create_user(
        db_session,
        org_code=org.code,
        username="u-clinic",
        password=PASSWORD,
        role="staff",
        now=clock.now(),
    )
    return actor_of(user)


def test_a_bad_finder_query_is_a_problem_beside_its_field(client):
    response = client.get("/api/v1/finder/search?q=%20%21&district=31")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert set(response.get_json()["errors"]) == {"q", "district"}
    page = client.get("/finder?q=%21&district=")
    assert page.status_code == 422
    assert "field-error" in page.get_data(as_text=True)


def _actors(make_user, make_chain, enrolled):
    other = make_chain("CH2")
    return {
        "anonymous": None,
        "hospital": make_user(kind="hospital"),
        "manufacturer": make_user(kind="manufacturer"),
        "distributor": make_user(kind="distributor"),
        "regulator": make_user(kind="regulator", region_code="310000"),
        "fund": make_user(kind="fund", region_code="310000"),
        "chain": enrolled.chain,
        "store": enrolled.stores[0],
        "other_chain": other.chain,
        "other_store": other.stores[0],
    }


def _calls(vbp, enrolled):
    product = vbp.contracts["阿莫西林"].product_id
    mine = enrolled.stores[0].organization.id
    return {
        "offer": ("get", f"/api/v1/pharmacy/tenders/{vbp.tender_id}/offer", None),
        "sign_up": (
            "post",
            "/api/v1/pharmacy/enrollments",
            {"tender_id": vbp.tender_id, "generic_names": ALL},
        ),
        "price": (
            "put",
            "/api/v1/pharmacy/prices",
            {"product_id": product, "price": "12.00", "store_id": mine},
        ),
        "sale": (
            "post",
            "/api/v1/pharmacy/sales",
            {"product_id": product, "quantity": 1, "store_id": mine},
        ),
        "sale_codes": ("post", "/api/v1/pharmacy/sales/codes", {"codes": ["NOT-A-CODE"]}),
        "stock": ("get", "/api/v1/pharmacy/stock", None),
        "oversight": ("get", "/api/v1/pharmacy/oversight", None),
        "finder": ("get", "/api/v1/finder/search?q=amxl", None),
        "districts": ("get", "/api/v1/finder/districts", None),
    }


# Expected status by (call, role). Chains act for their own stores only: another chain (or its
# store) asking about this chain's store is 403; a store already covered by its chain's
# sign-up is 409; a sale with no stock on hand is 422.
EXPECTED = {
    "offer": {"chain": 200, "store": 200, "other_chain": 200, "other_store": 200},
    "price": {"chain": 200, "store": 200, "other_chain": 403, "other_store": 403},
    "sale": {"chain": 422, "store": 422, "other_chain": 403, "other_store": 403},
    # by code: a store's own users scan (a chain is refused); an unreadable code is refused
    # inside a 201 that records nothing
    "sale_codes": {"store": 201, "other_store": 201},
    "stock": {"chain": 200, "store": 200, "other_chain": 200, "other_store": 200},
    "oversight": {"regulator": 200, "fund": 200},
    "finder": dict.fromkeys(
        (
            "anonymous",
            "hospital",
            "manufacturer",
            "distributor",
            "regulator",
            "fund",
            "chain",
            "store",
            "other_chain",
            "other_store",
        ),
        200,
    ),
    "districts": dict.fromkeys(
        (
            "anonymous",
            "hospital",
            "manufacturer",
            "distributor",
            "regulator",
            "fund",
            "chain",
            "store",
            "other_chain",
            "other_store",
        ),
        200,
    ),
    "sign_up": {"chain": 409, "store": 409, "other_chain": 201, "other_store": 409},
}


def test_every_endpoint_against_every_role_and_another_chains_store(
    client, vbp, enrolled, make_user, make_chain, auth_headers, db_session, clock
):
    actors = _actors(make_user, make_chain, enrolled)
    # EXPECTED's order: sign-up last (the other chain signs up there)
    calls = _calls(vbp, enrolled)
    for name in EXPECTED:
        method, url, body = calls[name]
        for role, user in actors.items():
            headers = auth_headers(user) if user is not None else {}
            response = getattr(client, method)(url, json=body, headers=headers)
            default = 401 if user is None else 403
            expected = EXPECTED[name].get(role, default)
            assert response.status_code == expected, (name, role, response.get_json())
            if response.status_code >= 400:
                assert response.content_type == "application/problem+json"


def test_the_pharmacy_pages_refuse_a_price_above_the_cap_beside_the_field_and_keep_it(
    client, vbp, enrolled, login
):
    login(enrolled.chain)
    product = vbp.contracts["阿莫西林"].product_id
    page = client.get("/pharmacy")
    assert page.status_code == 200
    refused = client.post(
        "/pharmacy", data={"action": "price", "product_id": product, "price": "13.21"}
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "13.20" in text
    assert 'value="13.21"' in text
    saved = client.post(
        "/pharmacy", data={"action": "price", "product_id": product, "price": "13.20"}
    )
    assert saved.status_code == 302
    assert "¥13.20" in client.get("/pharmacy").get_data(as_text=True)


def test_only_a_pharmacy_sees_the_pharmacy_link_and_a_hospital_is_refused_in_its_language(
    client, enrolled, make_user, login, db_session
):
    hospital = make_user(kind="hospital")
    db_session.commit()
    zh = {"Accept-Language": "zh-CN"}
    login(hospital)
    home = client.get("/hospital", headers=zh).get_data(as_text=True)
    assert 'href="/pharmacy"' not in home
    refused = client.get("/pharmacy", headers=zh)
    assert refused.status_code == 403
    assert "只有零售药店或连锁药店可以查看库存" in refused.get_data(as_text=True)
    client.post("/logout")
    login(enrolled.chain)
    assert 'href="/pharmacy"' in client.get("/hospital", headers=zh).get_data(as_text=True)


def test_a_chain_filters_its_stock_page_by_store_and_generic_name(client, vbp, enrolled, login):
    login(enrolled.chain)
    zh = {"Accept-Language": "zh-CN"}
    whole = client.get("/pharmacy", headers=zh).get_data(as_text=True)
    assert "共 6 行，显示 6 行" in whole  # 2 stores x 3 generic names
    store = enrolled.stores[1].organization
    one = client.get(f"/pharmacy?store={store.id}&q=阿莫", headers=zh).get_data(as_text=True)
    assert "共 6 行，显示 1 行" in one
    assert f'<option value="{store.id}" selected>' in one
    assert 'value="阿莫"' in one
    none = client.get("/pharmacy?q=%25", headers=zh).get_data(as_text=True)
    assert "共 6 行，显示 0 行" in none  # a % is a character, not a wildcard


def test_the_stock_api_filters_by_store_and_name_and_never_shows_another_chains_store(
    client, enrolled, make_chain, auth_headers
):
    headers = auth_headers(enrolled.chain)
    rows = client.get("/api/v1/pharmacy/stock", headers=headers).get_json()
    assert len(rows) == 6  # 2 stores x 3 generic names
    store = enrolled.stores[0].organization.id
    one = client.get(f"/api/v1/pharmacy/stock?store_id={store}&q=二甲", headers=headers)
    assert [(r["store_id"], r["generic_name"]) for r in one.get_json()] == [(store, "二甲双胍")]
    other = make_chain("CH2", stores=1).stores[0].organization.id
    theirs = client.get(f"/api/v1/pharmacy/stock?store_id={other}", headers=headers)
    assert (theirs.status_code, theirs.get_json()) == (200, [])
    bad = client.get("/api/v1/pharmacy/stock?store_id=x", headers=headers)
    assert (bad.status_code, bad.mimetype) == (422, "application/problem+json")


def test_the_regulator_pages_and_filters_the_pharmacies_by_name_and_problem(
    client, vbp, enrolled, regulator, login, db_session, clock, monkeypatch
):
    """Both stores stock nothing (each short of the 2 names it must stock). Store 1 then gets 10
    no-code boxes of each name: no problem left, so "any problem" lists store 2 alone."""
    for name in ALL:
        declare_no_code(
            db_session,
            product_id=vbp.contracts[name].product_id,
            batch_no="NC1",
            expiry_date=clock.now().date() + timedelta(days=400),
            quantity=10,
            reason="bought before codes",
            now=clock.now(),
            actor=enrolled.store_actor(0),
        )
    login(regulator)
    client.set_cookie("lang", "zh")

    def stores(query=""):
        html = client.get(f"/pharmacy/oversight{query}").get_data(as_text=True)
        return [n for n in ("CH1S1 大药房", "CH1S2 大药房") if n in html], html

    assert stores()[0] == ["CH1S1 大药房", "CH1S2 大药房"]
    assert stores("?q=S2")[0] == ["CH1S2 大药房"]
    shown, html = stores("?problem=any")
    assert shown == ["CH1S2 大药房"]
    assert '<option value="any" selected>任一问题</option>' in html
    assert stores("?problem=stockout")[0] == ["CH1S2 大药房"]
    assert stores("?problem=price")[0] == []
    assert stores("?problem=galaxy")[0] == ["CH1S1 大药房", "CH1S2 大药房"]  # ignored
    monkeypatch.setattr(pages, "OVERSIGHT_PAGE", 1)
    first, html = stores()
    assert first == ["CH1S1 大药房"]
    assert 'href="/pharmacy/oversight?page=2"' in html
    assert stores("?page=2")[0] == ["CH1S2 大药房"]
    assert stores("?page=99")[0] == ["CH1S2 大药房"]  # past the end: the last page
