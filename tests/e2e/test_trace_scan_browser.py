"""In Chinese, on a phone (390 px): the hospital receives a coded shipment by typing codes (one
typed twice is refused beside the field), accepts, dispenses one box; a second hospital then
"receives" the dispensed code: refused, and the regulator sees the alert naming both."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from procurement.auth.models import User
from procurement.auth.services import actor_of
from procurement.trace import services as trace
from procurement.trace.files import CodeRow
from tests.e2e import test_trace_browser as coded_shipments

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
SHOTS = "/tmp/scan"


def _attach_codes(live_db, live_clock, manufacturer, shipment_id, codes):
    from procurement.orders.models import Shipment

    with live_db() as session:
        line = session.get(Shipment, shipment_id).lines[0]
        m = actor_of(session.get(User, manufacturer.user_id))
        rows = [CodeRow(n, code) for n, code in enumerate(codes, start=1)]
        trace.attach_codes(
            session, shipment_line_id=line.id, rows=rows, now=live_clock.now(), actor=m
        )


def _type(page, code):
    field = page.locator("#code")
    field.fill(code)
    field.press("Enter")


def test_receive_by_typing_codes_dispense_and_a_second_receipt_alerts_the_regulator(
    browser, live_server, live_db, live_clock, live_user, log_in, monkeypatch
):
    hospital = live_user("hospital", region_code="310101")
    other = live_user("hospital", region_code="310101")
    manufacturer = live_user("manufacturer", region_code="320000")
    regulator = live_user("regulator")
    # Prefixes of their own: the live database is shared with test_trace_browser's journey.
    prefix = "8765401"
    monkeypatch.setattr(coded_shipments, "PREFIX", prefix)
    sid = coded_shipments.ship(live_db, live_clock, hospital, manufacturer, regulator)
    codes = [f"{prefix}{n:013d}" for n in (21, 22, 23)]
    _attach_codes(live_db, live_clock, manufacturer, sid, codes)
    monkeypatch.setattr(coded_shipments, "PREFIX", "8765402")  # the second product
    other_sid = coded_shipments.ship(live_db, live_clock, other, manufacturer, regulator)

    def phone_of(user):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True
        )
        page = context.new_page()
        log_in(page, user)
        page.goto("/?lang=zh")
        return page

    h = phone_of(hospital)
    h.goto(f"/hospital/shipments/{sid}/receive")  # a coded delivery: sent to the scan page
    assert h.url.endswith(f"/hospital/shipments/{sid}/scan")
    scanned = h.locator("[data-testid^=scanned-]")
    _type(h, codes[0])
    expect(scanned).to_contain_text("1 / 3")
    _type(h, codes[1])
    expect(scanned).to_contain_text("2 / 3")
    assert "2" in scanned.inner_text()
    assert "3" in scanned.inner_text()
    _type(h, codes[0])  # typed twice: refused beside the field, counts unchanged
    h.get_by_test_id("code-error").wait_for()
    assert codes[0] in h.get_by_test_id("code-error").inner_text()
    assert "已扫描" in h.get_by_test_id("code-error").inner_text()
    assert h.evaluate("document.activeElement.id") == "code"  # the cursor stays in the field
    width = h.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the scan page is {width} px wide on a 390 px screen"
    h.screenshot(path=f"{SHOTS}/scan-twice-refused-390.png", full_page=True)
    _type(h, codes[2])
    expect(scanned).to_contain_text("3 / 3")
    h.screenshot(path=f"{SHOTS}/scan-all-390.png", full_page=True)
    with h.expect_navigation():
        h.get_by_test_id("accept").click()
    assert f"/hospital/shipments/{sid}" in h.url
    h.goto("/trace/dispensing")
    h.locator("#codes").fill(codes[0])
    with h.expect_navigation():
        h.locator("[data-testid=dispense-form] button[type=submit]").click()
    assert "1" in h.get_by_test_id("dispense-result").inner_text()
    h.goto("/trace/stock")
    ledger = h.get_by_test_id("ledger").inner_text()
    h.screenshot(path=f"{SHOTS}/stock-390.png", full_page=True)
    assert "AT2601" in ledger

    o = phone_of(other)
    o.goto(f"/hospital/shipments/{other_sid}/scan")
    _type(o, codes[0])
    o.get_by_test_id("code-error").wait_for()
    assert "此前已收货" in o.get_by_test_id("code-error").inner_text()
    o.screenshot(path=f"{SHOTS}/second-receipt-refused-390.png", full_page=True)

    r = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    log_in(r, regulator)
    r.goto("/trace/alerts?lang=zh")
    table = r.get_by_test_id("alerts").inner_text()
    assert codes[0] in table
    assert "重复收货" in table
    assert hospital.org_name in table
    assert other.org_name in table
    r.screenshot(path=f"{SHOTS}/regulator-alerts-1280.png", full_page=True)
