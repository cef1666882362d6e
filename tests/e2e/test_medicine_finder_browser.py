"""In Chinese, on a 390 px phone, without logging in: a patient types a generic name in pinyin,
chooses a district and sees the VBP product (manufacturer, specification, ¥12.00 a package:
0.5000 x 24) and a nearby pharmacy with it in stock at the VBP price, then a community health
centre (labelled a clinic) with 3 boxes: low stock, at the VBP price with no markup."""

from __future__ import annotations

import pytest

from tests.e2e.pharmacy_world import add_clinic, build, sign_up_and_stock

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def test_a_patient_finds_a_vbp_medicine_in_stock_nearby_by_pinyin(
    page, live_server, live_db, live_clock, live_user, screenshot
):
    world = build(live_db, live_clock, live_user("regulator"))
    sign_up_and_stock(live_db, live_clock, world)
    clinic = add_clinic(live_db, live_clock, world, boxes=3)
    page.set_viewport_size(PHONE)
    page.goto("/finder")
    form = page.get_by_test_id("finder-form")
    form.get_by_label("通用名").fill("amoxilin")
    form.get_by_label("区县").select_option(label="上海市黄浦区")
    form.get_by_role("button", name="搜索").click()
    products = page.get_by_test_id("finder-products")
    assert "阿莫西林" in products.inner_text()
    assert "华北制药" in products.inner_text()
    assert "¥12.00" in products.inner_text()
    places = page.get_by_test_id("finder-places")
    first = places.locator("li").first
    assert world.stores[0].org_name in first.inner_text()
    assert "¥12.00" in first.inner_text()
    assert first.get_by_test_id("stock-status").inner_text() == "有货"
    assert first.get_by_test_id("place-kind").inner_text() == "药店"
    centre = places.locator("li[data-kind=clinic]")
    assert clinic in centre.inner_text()
    assert centre.get_by_test_id("place-kind").inner_text() == "基层医疗机构"
    assert "¥12.00" in centre.inner_text()
    assert "零差率" in centre.inner_text()
    assert centre.get_by_test_id("stock-status").inner_text() == "库存紧张"  # 3 boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "medicine-finder-phone")
