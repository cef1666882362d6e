"""In Chinese, in a real browser: a pharmacy chain signs up for VBP products (two names are
refused beside the list: a chain needs 3 here), then three; sets a price (13.21 refused beside
the field, cap 12.00 x 1.1 = 13.20; 13.20 saved) and reports a sale of one no-code box."""

from __future__ import annotations

import pytest

from procurement.auth.models import User
from procurement.auth.services import actor_of
from tests.e2e.pharmacy_world import build, stock_boxes

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def test_a_chain_signs_up_sets_a_price_and_reports_a_sale(
    page, live_server, live_db, live_clock, live_user, log_in, screenshot
):
    world = build(live_db, live_clock, live_user("regulator"))
    log_in(page, world.chain)
    page.goto(f"/pharmacy/sign-up?tender_id={world.tender_id}")
    form = page.get_by_test_id("sign-up-form")
    assert "连锁药店至少 3 个" in form.get_by_test_id("minimum").inner_text()
    form.get_by_label("阿莫西林").check()
    form.get_by_label("二甲双胍").check()
    form.get_by_role("button", name="承接").click()
    error = page.get_by_test_id("names-error")
    assert error.inner_text() == "已选 2 个,至少 3 个"
    assert page.get_by_label("阿莫西林").is_checked()  # the choice is kept
    screenshot(page, "pharmacy-sign-up-refused")
    page.get_by_label("氨氯地平").check()
    page.get_by_test_id("sign-up-form").get_by_role("button", name="承接").click()
    page.wait_for_url("**/pharmacy")
    assert "已承接" in page.content()
    stock = page.get_by_test_id("stock")
    assert stock.locator("tbody tr").count() == 6  # 3 products x 2 stores
    assert "¥13.20" in stock.inner_text()  # the cap of 阿莫西林

    prices = page.get_by_test_id("price-form")
    prices.get_by_label("产品").select_option(label="阿莫西林")
    prices.get_by_label("每盒价格(元)").fill("13.21")
    prices.get_by_role("button", name="保存价格").click()
    assert page.get_by_test_id("price-error").inner_text() == "最高 13.20"
    assert page.get_by_label("每盒价格(元)").input_value() == "13.21"
    screenshot(page, "pharmacy-price-refused")
    page.get_by_label("每盒价格(元)").fill("13.20")
    page.get_by_test_id("price-form").get_by_role("button", name="保存价格").click()
    assert "价格已保存" in page.content()

    with live_db() as session:
        store = actor_of(session.get(User, world.stores[0].user_id))
        stock_boxes(session, live_clock.now(), store, world.products["阿莫西林"], 5)
    page.goto("/pharmacy")
    sale = page.get_by_test_id("sale-form")
    sale.get_by_label("门店").select_option(label=world.stores[0].org_name)
    sale.get_by_label("产品").select_option(label="阿莫西林")
    sale.get_by_label("售出盒数(无码库存)").fill("1")
    sale.get_by_role("button", name="记录销售").click()
    assert "销售已记录" in page.content()
    rows = page.get_by_test_id("stock").locator("tbody tr", has_text=world.stores[0].org_name)
    assert "4" in rows.filter(has_text="阿莫西林").inner_text()  # 5 declared - 1 sold
    screenshot(page, "pharmacy-home")
    page.set_viewport_size(PHONE)
    screenshot(page, "pharmacy-home-phone")


def test_the_regulator_sees_coverage_and_stock_outs_of_enrolled_pharmacies(
    page, live_server, live_db, live_clock, live_user, log_in, screenshot
):
    from tests.e2e.pharmacy_world import sign_up_and_stock

    regulator = live_user("regulator")
    world = build(live_db, live_clock, regulator)
    sign_up_and_stock(live_db, live_clock, world)  # 10 boxes of 阿莫西林 at the first store
    log_in(page, regulator)
    page.goto("/pharmacy/oversight")
    table = page.get_by_test_id("pharmacies")
    first = table.locator("tbody tr", has_text=world.stores[0].org_name)
    # 1 of 3 names stocked, a chain's sign-up needs 3 (the tender's rules)
    assert "1 / 3" in first.inner_text()
    assert "至少 3" in first.inner_text()
    assert "二甲双胍" in first.inner_text()  # out of stock
    screenshot(page, "pharmacy-oversight")
