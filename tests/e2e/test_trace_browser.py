"""In Chinese, in a real browser: the manufacturer uploads a shipment line's code file on the
shipment's page (a wrong code is refused beside the upload field, then the right file is
stored), and anyone checks a code on a phone (390 px) without logging in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from procurement.auth.models import Organization, User
from procurement.auth.services import actor_of
from procurement.orders import services as orders
from procurement.trace import services as trace
from tests.fixtures.orders import build_contract

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
PREFIX = "8765432"
SHOTS = "/tmp/trace"


def ship(live_db, live_clock, hospital, manufacturer, regulator) -> int:
    """A contract, an order of 3 packs, confirmed and shipped; the product's prefix registered.
    Returns the shipment's id."""
    now = live_clock.now()
    with live_db() as session:
        orgs = {
            u.org_code: session.query(Organization).filter_by(code=u.org_code).one()
            for u in (hospital, manufacturer, regulator)
        }
        contract = build_contract(
            session,
            now,
            hospital_org=orgs[hospital.org_code],
            manufacturer_org=orgs[manufacturer.org_code],
            regulator_org=orgs[regulator.org_code],
            generic="阿托伐他汀钙",
        )
        session.commit()
        h = actor_of(session.get(User, hospital.user_id))
        m = actor_of(session.get(User, manufacturer.user_id))
        trace.register_formats(
            session,
            product_id=contract.product_id,
            prefix=PREFIX,
            gtin=None,
            pattern=None,
            now=now,
            actor=m,
        )
        request = orders.OrderRequest(lines=[orders.LineRequest(packs=3, contract_id=contract.id)])
        oid = orders.place_order(session, request=request, now=now, actor=h).order_id
        orders.confirm_order(session, order_id=oid, now=now, actor=m)
        line = orders.get_order(session, order_id=oid, now=now, actor=m).lines[0]
        today = now.date()
        shipment = orders.create_shipment(
            session,
            order_id=oid,
            lines=[
                orders.ShipLine(
                    line.id,
                    line.quantity,
                    "AT2601",
                    today - timedelta(days=20),
                    today + timedelta(days=600),
                )
            ],
            now=now,
            actor=m,
        )
        return shipment.id


def test_the_manufacturer_uploads_codes_and_anyone_checks_one_on_a_phone(
    browser, live_server, live_db, live_clock, live_user, log_in, screenshot, tmp_path
):
    hospital = live_user("hospital", region_code="310101")
    manufacturer = live_user("manufacturer", region_code="320000")
    regulator = live_user("regulator")
    shipment_id = ship(live_db, live_clock, hospital, manufacturer, regulator)
    codes = [f"{PREFIX}{n:013d}" for n in (11, 12, 13)]

    m = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    log_in(m, manufacturer)
    m.goto(f"/supplier/shipments/{shipment_id}")
    with m.expect_navigation():
        m.get_by_test_id("trace-codes").click()
    assert m.locator("h1").inner_text().startswith("追溯码")
    form = m.locator("form[data-testid^=codes-form-]")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(f"{codes[0]}\n{codes[1]}\n99999990000000000013\n")
    form.locator("input[type=file]").set_input_files(str(wrong))
    with m.expect_navigation():
        form.locator("button[type=submit]").click()
    error = m.locator("[data-testid^=codes-error-]")
    assert "第 3 行 99999990000000000013" in error.inner_text()
    assert "药品标识前缀 9999999 不是" in error.inner_text()
    assert "未保存任何内容" in error.inner_text()
    m.screenshot(path=f"{SHOTS}/trace-upload-refused-1366.png", full_page=True)
    right = tmp_path / "codes.csv"
    right.write_text("code\n" + "\n".join(codes) + "\n")
    form = m.locator("form[data-testid^=codes-form-]")
    form.locator("input[type=file]").set_input_files(str(right))
    with m.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "3 盒，0 箱" in m.locator("[data-testid^=coded-]").inner_text()
    assert codes[2] in m.locator("main").inner_text()
    m.screenshot(path=f"{SHOTS}/trace-upload-stored-1366.png", full_page=True)
    screenshot(m, "trace-shipment-codes")

    phone = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True
    ).new_page()
    phone.goto("/trace/lookup?lang=zh")
    phone.get_by_label("追溯码").fill(codes[1])
    with phone.expect_navigation():
        phone.get_by_role("button", name="查询").click()
    result = phone.get_by_test_id("lookup-result").inner_text()
    assert "阿托伐他汀钙" in result
    assert "AT2601" in result
    assert "尚未发药" in result
    assert hospital.org_name not in phone.locator("main").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the lookup is {width} px wide on a 390 px screen"
    phone.screenshot(path=f"{SHOTS}/trace-lookup-found-390.png", full_page=True)
    phone.get_by_label("追溯码").fill(f"{PREFIX}0000000000099")
    with phone.expect_navigation():
        phone.get_by_role("button", name="查询").click()
    assert "平台中没有该追溯码的药品" in phone.get_by_test_id("lookup-unknown").inner_text()
    phone.screenshot(path=f"{SHOTS}/trace-lookup-unknown-390.png", full_page=True)
