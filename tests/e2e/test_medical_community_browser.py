"""In Chinese, in a real browser: a village clinic's order placed through its county medical
community (医共体, RULES.md 12). The community's user logs in, chooses the clinic, sees the
clinic's address and orders against the clinic's contract; the distributor (appointed for the
province) sees that address on the order and the delivery note and ships; the community
receives it for the clinic, and the clinic sees its own order, received. At 1366 px and 390 px."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest

from procurement.auth import services as auth
from procurement.auth.models import Organization, User
from procurement.orders import services as orders
from tests.e2e.conftest import PASSWORD
from tests.fixtures.orders import build_contract

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ADDRESS = "长沙县黄花镇新塘村卫生室（村委会旁）"


def _user(session, now, code, name, username, **org):
    auth.create_org(session, code=code, name=name, kind="hospital", now=now, **org)
    auth.create_user(
        session, org_code=code, username=username, password=PASSWORD, role="staff", now=now
    )
    return username


def seed(live_db, live_clock, manufacturer, distributor, regulator):
    now = live_clock.now()
    with live_db() as session:
        community = _user(
            session,
            now,
            "E2E-YGT",
            "长沙县医共体",
            "e2e-community",
            region_code="430121",
            institution_type="medical_community",
        )
        clinic = _user(
            session,
            now,
            "E2E-VC",
            "新塘村卫生室",
            "e2e-clinic",
            region_code="430121",
            institution_type="village_clinic",
            parent_code="E2E-YGT",
            address=ADDRESS,
        )
        orgs = {
            code: session.query(Organization).filter_by(code=code).one()
            for code in ("E2E-VC", manufacturer.org_code, regulator.org_code)
        }
        contract = build_contract(
            session,
            now,
            hospital_org=orgs["E2E-VC"],
            manufacturer_org=orgs[manufacturer.org_code],
            regulator_org=orgs[regulator.org_code],
            agreed=2800,
            generic="苯磺酸氨氯地平",
        )
        maker_actor = auth.actor_of(
            session.query(User).filter_by(username=manufacturer.username).one()
        )
        orders.appoint_distributor(
            session,
            request=orders.AppointmentRequest(
                distributor_code=distributor.org_code,
                lot_id=contract.lot_id,
                region_code="430000",
                valid_from=date(2026, 1, 1),
            ),
            now=now,
            actor=maker_actor,
        )
        return community, clinic, contract.id


def no_sideways_scroll(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide on a {width} px screen"


def test_a_village_clinics_order_through_its_medical_community(
    browser, live_server, live_db, live_clock, live_user, log_in, screenshot
):
    manufacturer = live_user("manufacturer", region_code="320000")
    distributor = live_user("distributor", region_code="430000")
    regulator = live_user("regulator", region_code="430000")
    community, clinic, contract_id = seed(live_db, live_clock, manufacturer, distributor, regulator)

    def login(page, username):
        log_in(page, SimpleNamespace(username=username, password=PASSWORD))

    for viewport, tag in ((DESKTOP, "1366"), (PHONE, "390")):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=viewport)
        c = context.new_page()
        login(c, community)
        c.goto("/hospital/orders/new")
        buyer = c.get_by_test_id("buyer")
        assert "新塘村卫生室 · 村卫生室" in buyer.inner_text()
        buyer.select_option(label="新塘村卫生室 · 村卫生室")
        with c.expect_navigation():
            c.get_by_test_id("choose-member").locator("button[type=submit]").click()
        assert ADDRESS in c.get_by_test_id("member-address").inner_text()
        row = c.get_by_test_id(f"contract-{contract_id}")
        assert "苯磺酸氨氯地平" in row.inner_text()
        no_sideways_scroll(c, viewport["width"])
        screenshot(c, f"community-order-for-clinic-{tag}")
        row.locator("input[type=number]").fill("5")
        with c.expect_navigation():
            c.get_by_test_id("quick-order").locator("button[type=submit]").click()
        number = re.search(r"PO-\d{8}-[0-9A-F]{10}", c.locator("h1").inner_text()).group(0)
        assert "新塘村卫生室" in c.get_by_test_id("order-buyer").inner_text()
        assert "长沙县医共体" in c.get_by_test_id("order-placed-by").inner_text()
        assert c.get_by_test_id("order-address").inner_text() == ADDRESS
        no_sideways_scroll(c, viewport["width"])
        screenshot(c, f"community-order-placed-{tag}")

        # the distributor appointed for Hunan sees the clinic's address and ships there
        d = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport=viewport
        ).new_page()
        login(d, distributor.username)
        d.goto("/supplier/orders?status=pending")
        incoming = d.get_by_test_id(f"incoming-{number}")
        assert ADDRESS in incoming.inner_text()
        with d.expect_navigation():
            incoming.get_by_test_id("order-link").click()
        assert ADDRESS in d.locator("dl.facts").inner_text()
        with d.expect_navigation():
            d.get_by_test_id("confirm").click()
        form = d.get_by_test_id("ship-form")
        form.get_by_label("批号").fill(f"E2E-YGT-{tag}")
        form.get_by_label("生产日期").fill("2025-10-01")
        form.get_by_label("有效期至").fill("2027-09-30")
        with d.expect_navigation():
            form.locator("button[type=submit]").click()
        shipment = re.search(r"SH-\d{8}-[0-9A-F]{10}", d.locator("h1").inner_text()).group(0)
        assert d.get_by_test_id("shipment-address").inner_text() == ADDRESS
        no_sideways_scroll(d, viewport["width"])
        screenshot(d, f"community-distributor-shipment-{tag}")
        with d.expect_navigation():
            d.get_by_test_id("delivery-note").click()
        note = d.get_by_test_id("delivery-note").first.inner_text()
        assert ADDRESS in note
        assert "新塘村卫生室" in note
        assert "长沙县医共体" in note
        screenshot(d, f"community-delivery-note-{tag}")

        # the community receives it for the clinic (on the phone run: the clinic itself)
        receiver = c
        if tag == "390":
            receiver = browser.new_context(
                base_url=live_server.url, locale="zh-CN", viewport=viewport
            ).new_page()
            login(receiver, clinic)
        receiver.goto("/hospital/shipments")
        row = receiver.get_by_test_id(f"shipment-{shipment}")
        with receiver.expect_navigation():
            row.locator("a.button").click()
        assert receiver.url.endswith("/receive")
        with receiver.expect_navigation():
            receiver.get_by_test_id("receive-form").locator("button[type=submit]").click()
        assert "已验收" in receiver.get_by_test_id("receipt-state").inner_text()
        no_sideways_scroll(receiver, viewport["width"])
        screenshot(receiver, f"community-received-{tag}")

        # the clinic sees its own order, received
        k = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport=viewport
        ).new_page()
        login(k, clinic)
        k.goto("/hospital/orders")
        assert number in k.get_by_test_id("orders").inner_text()

        # the regulator's online procurement rate: the clinic's county, all online so far
        r = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport=viewport
        ).new_page()
        login(r, regulator.username)
        r.goto("/regulator/compliance/online-rate?from=2026-01&to=2026-01")
        row = r.get_by_test_id("online-rate").locator("tr", has_text="新塘村卫生室")
        assert "村卫生室" in row.inner_text()
        assert row.locator("td[data-value]").inner_text() == "100.0%"
        r.get_by_label("统计层级").select_option("county")
        r.get_by_label("机构类型").select_option("village_clinic")
        with r.expect_navigation():
            r.get_by_test_id("online-rate-filters").locator("button[type=submit]").click()
        assert r.locator('tr[data-key="430121"]').count() == 1
        no_sideways_scroll(r, viewport["width"])
        screenshot(r, f"online-rate-county-{tag}")
        r.goto("/regulator/compliance/online-rate?from=2026-02&to=2026-01")
        assert "须不早于 2026-02" in r.locator("#in-to-error").inner_text()
        no_sideways_scroll(r, viewport["width"])
        screenshot(r, f"online-rate-error-{tag}")
        context.close()
