"""Demand by brand and the demand floor in a real browser, in Chinese, at 1366 and 390 px: a
hospital adds and removes brand lines, is refused beside the box (a product of another drug, a
quantity below the floor) without losing what it typed, and saves a low report with a reason;
the regulator sees the brand share and confirms the reason. On the demo, this year's tender
shows the brand-named demand per lot. Screenshots go to ``screenshots/demand-*.png``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from procurement.auth.models import User
from procurement.auth.services import actor_of
from procurement.catalog import services as catalog
from tests.fixtures.catalog import lot_data, product_data

pytestmark = pytest.mark.e2e
DAY = timedelta(days=1)
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def _product(session, start, maker, number, generic):
    data = product_data(approval_number=number, generic_name=generic, strength=Decimal("10"))
    return catalog.register_product(session, data=data, now=start, actor=maker)


def seed(live_db, live_clock, regulator, manufacturer):
    """A demand_open tender taking brands, with the floor in "reason" mode; two products."""
    start = live_clock.now()
    with live_db() as session:
        reg = actor_of(session.get(User, regulator.user_id))
        tender = catalog.create_tender(
            session,
            data={
                "code": f"E2E-DEM-{regulator.user_id}",
                "name": "E2E 带量报名",
                "category": "drug",
                "region_scope": ["310000"],
                "demand_deadline": start + 5 * DAY,
                "bid_deadline": start + 10 * DAY,
                "opening_at": start + 10 * DAY,
                "contract_start": (start + 20 * DAY).date(),
                "contract_years": 2,
                "rules_overrides": {"brand_reporting": True, "floor_mode": "reason"},
            },
            now=start,
            actor=reg,
        )
        lot = lot_data(generic_name="阿托伐他汀", reference_strength=Decimal("10"))
        catalog.add_lot(session, tender_id=tender.id, data=lot, now=start, actor=reg)
        catalog.open_demand(session, tender_id=tender.id, now=start, actor=reg)
        maker = actor_of(session.get(User, manufacturer.user_id))
        n = manufacturer.user_id
        good = _product(session, start, maker, f"国药准字H2098{n:04d}", "阿托伐他汀")
        other = _product(session, start, maker, f"国药准字H2097{n:04d}", "二甲双胍")
        return tender.id, good.approval_number, other.approval_number


def test_a_hospital_reports_by_brand_and_the_regulator_confirms_a_low_report(
    page, live_user, live_db, live_clock, log_in, screenshot
):
    regulator, maker = live_user("regulator"), live_user("manufacturer")
    hospital = live_user("hospital", region_code="310101")
    tender_id, good, other = seed(live_db, live_clock, regulator, maker)
    log_in(page, hospital)
    page.set_viewport_size(WIDE)
    page.goto(f"/hospital/demand/{tender_id}")
    assert "至少为上年使用量的 80 %" in page.get_by_test_id("floor-L01").inner_text()
    form = page.get_by_test_id("demand-form")
    form.locator("input[name=quantity_L01]").fill("799")
    form.locator("input[name=usage_L01]").fill("1000")
    with page.expect_navigation():
        page.get_by_test_id("add-brand-L01").click()
    with page.expect_navigation():
        page.get_by_test_id("add-brand-L01").click()
    assert form.locator("input[name=quantity_L01]").input_value() == "799"  # kept as typed
    form.locator("input[name=brand_L01_0_product]").fill(other)
    form.locator("input[name=brand_L01_0_quantity]").fill("100")
    form.locator("input[name=brand_L01_1_product]").fill(good)
    form.locator("input[name=brand_L01_1_quantity]").fill("600")
    with page.expect_navigation():
        form.get_by_role("button", name="保存").last.click()
    beside = page.locator("#in-brand_L01_0_product-error").inner_text()
    assert "不是 阿托伐他汀" in beside  # beside the product box
    assert "至少 800" in page.locator("#in-quantity_L01-error").inner_text()
    assert form.locator("input[name=brand_L01_1_quantity]").input_value() == "600"
    screenshot(page, "demand-hospital-refused-1366")
    page.set_viewport_size(PHONE)
    screenshot(page, "demand-hospital-refused-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.set_viewport_size(WIDE)
    with page.expect_navigation():
        form.get_by_role("button", name="删除").first.click()
    assert form.locator("input[name=brand_L01_0_product]").input_value() == good
    form.locator("input[name=reason_L01]").fill("病区改建，上半年停用")
    with page.expect_navigation():
        form.get_by_role("button", name="保存").last.click()
    assert "待监管部门确认" in page.content()
    screenshot(page, "demand-hospital-saved-1366")

    page.context.clear_cookies()
    log_in(page, regulator)
    page.goto(f"/regulator/tenders/{tender_id}/demand")
    row = page.get_by_test_id("demand-lots").locator("tr[data-lot=L01]")
    assert "600" in row.inner_text()
    assert "75.09 %" in row.inner_text()  # 600 of 799 = 0.7509
    assert "病区改建" in page.get_by_test_id("below-floor").inner_text()
    screenshot(page, "demand-regulator-low-1366")
    page.set_viewport_size(PHONE)
    screenshot(page, "demand-regulator-low-390")
    page.set_viewport_size(WIDE)
    with page.expect_navigation():
        page.get_by_test_id("below-floor").get_by_role("button", name="确认理由").click()
    assert "理由已确认" in page.get_by_test_id("below-floor").inner_text()


def test_the_demo_tender_shows_its_brand_named_demand(demo, portal, screenshot):
    this = demo.world.rounds[1]
    page = portal("regulator")
    page.set_viewport_size(WIDE)
    page.goto(f"/regulator/tenders/{this.tender_id}/demand")
    lots = page.get_by_test_id("demand-lots")
    assert lots.locator("tr[data-lot]").count() == len(this.lots)
    shares = [t for t in lots.locator("tr[data-lot] td:nth-child(5)").all_inner_texts() if "%" in t]
    assert shares, "no lot of this year's tender is named by brand"
    screenshot(page, "demand-demo-regulator-1366")
    page.set_viewport_size(PHONE)
    screenshot(page, "demand-demo-regulator-390")
    hospital = portal("hospital")
    hospital.set_viewport_size(WIDE)
    hospital.goto(f"/hospital/demand/{this.tender_id}")
    assert hospital.locator("tr.brand-lines").count() == len(this.lots)
    screenshot(hospital, "demand-demo-hospital-1366")
    hospital.set_viewport_size(PHONE)
    screenshot(hospital, "demand-demo-hospital-390")
