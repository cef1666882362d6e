"""In Chinese, in a real browser: a hospital finds a drug and orders it, the manufacturer
confirms and ships it from the order's page, and the hospital receives it on a phone (390 px)
by typing a scanned code into the scan field, rejecting part with a reason."""

from __future__ import annotations

import re

import pytest

from procurement.auth.models import Organization
from tests.fixtures.orders import build_contract

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


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
        return contract.id, contract.product.approval_number


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 390 px screen"


def large_touch_targets(page) -> None:
    controls = page.locator(
        "main button, main a.button, main input:not([type=hidden]), main select"
    )
    for i in range(controls.count()):
        control = controls.nth(i)
        if control.is_visible() and control.get_attribute("type") != "checkbox":
            assert control.bounding_box()["height"] >= 44, control.evaluate("e => e.outerHTML")


def test_a_hospital_orders_and_receives_on_a_phone_what_the_manufacturer_shipped(
    browser, live_server, live_db, live_clock, live_user, log_in, screenshot
):
    hospital = live_user("hospital", region_code="310101")
    manufacturer = live_user("manufacturer", region_code="320000")
    regulator = live_user("regulator")
    contract_id, product_code = seed(live_db, live_clock, hospital, manufacturer, regulator)

    h = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    log_in(h, hospital)
    h.goto("/hospital/orders/new")
    h.get_by_label("查找药品（通用名）").fill("氨氯地平")
    with h.expect_navigation():
        h.get_by_test_id("search").locator("button[type=submit]").click()
    row = h.get_by_test_id(f"contract-{contract_id}")
    assert "苯磺酸氨氯地平" in row.inner_text()
    h.locator("#in-delivery_address").fill("药剂科 1 号库")
    with h.expect_navigation():
        h.get_by_test_id("quick-order").locator("button[type=submit]").click()
    assert "请至少为一个药品填写采购盒数。" in h.get_by_test_id("form-errors").inner_text()
    assert h.locator("#in-delivery_address").input_value() == "药剂科 1 号库"  # kept
    h.get_by_test_id(f"contract-{contract_id}").locator("input[type=number]").fill("5")
    with h.expect_navigation():
        h.get_by_test_id("quick-order").locator("button[type=submit]").click()
    number = re.search(r"PO-\d{8}-[0-9A-F]{10}", h.locator("h1").inner_text()).group(0)
    order_url = h.url
    assert h.get_by_test_id("order-status").inner_text().strip() == "已下单"
    assert "苯磺酸氨氯地平" in h.get_by_test_id("order-lines").inner_text()
    screenshot(h, "orders-hospital-order-placed")

    m = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    log_in(m, manufacturer)
    m.set_viewport_size(PHONE)  # the supplier's order pages work on a phone too
    m.goto("/supplier/orders?status=pending")
    no_sideways_scroll(m)
    with m.expect_navigation():
        m.get_by_test_id(f"incoming-{number}").get_by_test_id("order-link").click()
    no_sideways_scroll(m)
    large_touch_targets(m)
    with m.expect_navigation():
        m.get_by_test_id("confirm").click()
    no_sideways_scroll(m)
    large_touch_targets(m)
    screenshot(m, "orders-supplier-ship-form-phone")
    form = m.get_by_test_id("ship-form")
    form.get_by_label("批号").fill("E2E-B-001")
    form.get_by_label("生产日期").fill("2025-10-01")
    form.get_by_label("有效期至").fill("2027-09-30")
    with m.expect_navigation():
        form.locator("button[type=submit]").click()
    shipment = re.search(r"SH-\d{8}-[0-9A-F]{10}", m.locator("h1").inner_text()).group(0)
    assert "E2E-B-001" in m.get_by_test_id("shipment-lines").inner_text()
    screenshot(m, "orders-supplier-shipment")

    phone = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE)
    p = phone.new_page()
    log_in(p, hospital)
    p.goto("/hospital/shipments")
    no_sideways_scroll(p)
    scan = p.get_by_label("扫描或输入配送单号、批号")
    scan.fill(shipment)  # a scanner types the code, then Enter
    with p.expect_navigation():
        scan.press("Enter")
    assert p.url.endswith("/receive")
    no_sideways_scroll(p)
    line = p.locator("fieldset.receive-line").first
    assert line.get_by_label("验收合格").input_value() == "140"  # pre-filled from the shipment
    p.get_by_label("扫描批号或产品编码").fill(product_code)
    p.get_by_label("扫描批号或产品编码").press("Enter")
    assert "scanned" in line.get_attribute("class")
    assert p.evaluate("document.activeElement.name") == "lines.0.accepted_quantity"
    p.keyboard.type("112")  # the cursor is in "accepted", its text selected
    line.get_by_label("拒收", exact=True).fill("28")
    with p.expect_navigation():
        p.get_by_test_id("receive-form").locator("button[type=submit]").click()
    assert p.get_by_test_id("form-errors").is_visible()  # no reason given: refused, kept
    line = p.locator("fieldset.receive-line").first
    assert line.get_by_label("验收合格").input_value() == "112"
    line.get_by_label("拒收原因").fill("外包装破损")
    large_touch_targets(p)
    screenshot(p, "orders-hospital-receive-phone")
    with p.expect_navigation():
        p.get_by_test_id("receive-form").locator("button[type=submit]").click()
    assert "已验收" in p.get_by_test_id("receipt-state").inner_text()
    assert "外包装破损" in p.get_by_test_id("shipment-lines").inner_text()
    no_sideways_scroll(p)
    p.goto("/hospital")
    assert p.get_by_test_id("todo-receive").get_attribute("data-count") == "0"

    # the delivery note and the receipt note print on a page each, without the site's header
    h.goto(order_url)
    with h.expect_navigation():
        h.get_by_test_id("order-documents").click()
    h.emulate_media(media="print")
    assert not h.locator("header.top").is_visible()
    assert h.get_by_test_id("delivery-note").is_visible()
    assert "验收单" in h.get_by_test_id("receipt-note").inner_text()
    pdf = h.pdf(format="A4", print_background=True)
    assert re.findall(rb"/Count (\d+)", pdf) == [b"2"]
