"""A hospital places an order in a real browser, the manufacturer confirms and ships it through
its pages, and the hospital records the receipt (入库验收)."""

from __future__ import annotations

import re

import pytest

from procurement.auth.models import Organization, User
from tests.fixtures.orders import build_contract

pytestmark = pytest.mark.e2e


def seed(live_db, live_clock, hospital, manufacturer, regulator):
    with live_db() as session:
        orgs = {
            u.org_code: session.query(Organization).filter_by(code=u.org_code).one()
            for u in (hospital, manufacturer, regulator)
        }
        contract = build_contract(
            session,
            live_clock.now(),
            hospital_org=orgs[hospital.org_code],
            manufacturer_org=orgs[manufacturer.org_code],
            regulator_org=orgs[regulator.org_code],
            agreed=2800,
            generic="苯磺酸氨氯地平",
        )
        assert session.get(User, hospital.user_id) is not None
        return contract.id


def test_a_hospital_orders_and_receives_what_the_manufacturer_shipped(
    browser, live_server, live_db, live_clock, live_user, log_in, screenshot
):
    hospital = live_user("hospital", region_code="310101")
    manufacturer = live_user("manufacturer", region_code="320000")
    regulator = live_user("regulator")
    contract_id = seed(live_db, live_clock, hospital, manufacturer, regulator)

    h = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    log_in(h, hospital)
    h.goto("/hospital/orders/new?q=氨氯地平")
    h.locator(f"input[name=packs_{contract_id}]").fill("5")
    h.locator("input[name=delivery_address]").fill("药剂科 1 号库")
    with h.expect_navigation():
        h.get_by_test_id("quick-order").locator("button[type=submit]").click()
    number = re.search(r"PO-\d{8}-[0-9A-F]{10}", h.get_by_test_id("orders").inner_text()).group(0)
    assert h.get_by_test_id(f"order-{number}").get_by_test_id("status").inner_text() == "已下单"

    m = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    log_in(m, manufacturer)
    m.goto("/supplier/orders")
    row = m.get_by_test_id(f"incoming-{number}")
    with m.expect_navigation():
        row.get_by_test_id("confirm").click()
    row = m.get_by_test_id(f"incoming-{number}")
    form = row.get_by_test_id("ship-form")
    form.locator("input[name^=batch_]").fill("E2E-B-001")
    form.locator("input[name^=produced_]").fill("2025-10-01")
    form.locator("input[name^=expires_]").fill("2027-09-30")
    with m.expect_navigation():
        form.locator("button[type=submit]").click()

    h.goto("/hospital/orders")
    with h.expect_navigation():
        h.get_by_test_id(f"order-{number}").locator("a[data-testid^=receive-]").click()
    h.locator("input[name^=accepted_]").fill("112")
    h.locator("input[name^=rejected_]").fill("28")
    h.locator("input[name^=reason_]").fill("外包装破损")
    with h.expect_navigation():
        h.get_by_test_id("receive-form").locator("button[type=submit]").click()
    status = h.get_by_test_id(f"order-{number}").get_by_test_id("status").inner_text()
    assert status == "已验收"
    h.goto("/hospital/orders/new")
    assert "140 / 2,800" in h.get_by_test_id(f"contract-{contract_id}").inner_text()
    screenshot(h, "orders-hospital-received")
