"""The regulator follows price monitoring from the navigation, in Chinese, at 1366 and 390 px:
the monthly index chart of a generic name and dosage form (January = 100, February 112.23),
the outlier table, the outlier's alert case (who paid what, the province's lowest and who paid
it), and the product's prices per institution with the outlier in red."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from procurement.compliance.services import evaluate_alerts
from tests.e2e.conftest import PASSWORD
from tests.fixtures.compliance import user_factory
from tests.fixtures.prices import build_price_world

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
COPIES = Path("/tmp/prices")  # where the screenshots were looked at while building the pages
GENERIC = "瑞舒伐他汀钙"


def _seed(live_db, live_clock):
    with live_db() as session:
        make = user_factory(session, live_clock, prefix="PRICE", password=PASSWORD)
        regulator = make("regulator", "310000")
        world = build_price_world(session, live_clock, make, regulator, generic=GENERIC)
        live_clock.set(datetime(2026, 2, 10, 2, 0, tzinfo=UTC))
        world.buy(session, live_clock, 1, 100, "0.2860")  # hospital 1 pays 10% more
        evaluate_alerts(session, now=live_clock.now())
        login = SimpleNamespace(username=regulator.username, password=PASSWORD)
        names = [world.hospital(i).name for i in range(4)]
        return login, world.product.id, names


def _shoot(page, screenshot, name):
    for size, suffix in ((DESKTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        path = screenshot(page, f"{name}-{suffix}")
        COPIES.mkdir(exist_ok=True)
        (COPIES / path.name).write_bytes(path.read_bytes())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} scrolls sideways at {size['width']} px"
    page.set_viewport_size(DESKTOP)


def test_the_regulator_reads_the_price_index_and_follows_an_outlier_to_its_alert(
    page, live_db, live_clock, log_in, screenshot
):
    regulator, product_id, names = _seed(live_db, live_clock)
    page.set_viewport_size(DESKTOP)
    log_in(page, regulator)
    page.locator("nav.portal").get_by_role("link", name="价格监测").click()
    page.get_by_label("通用名和剂型").select_option(f"{GENERIC} · 片剂")
    page.get_by_label("起始月").fill("2026-01")
    page.get_by_label("截止月").fill("2026-02")
    page.get_by_test_id("price-filters").get_by_role("button", name="显示").click()
    chart = page.get_by_test_id("index-chart")
    points = chart.locator("circle.point")
    assert [points.nth(i).get_attribute("data-value") for i in range(points.count())] == [
        "100.00",
        "112.23",
    ]
    assert f"{GENERIC}（片剂）价格指数" in chart.locator("title").first.text_content()
    feb = page.locator("[data-testid=index-table] tr[data-month='2026-02']")
    assert feb.get_attribute("data-index") == "112.23"
    outliers = page.get_by_test_id("outlier-table")
    mine = outliers.locator("tr", has_text=names[1])
    assert "+36.50%" in mine.inner_text()
    assert names[0] in mine.inner_text()  # who paid the province's lowest
    _shoot(page, screenshot, "price-monitoring")

    mine.get_by_test_id("outlier-alert").click()
    assert "价格异常" in page.get_by_test_id("case-title").inner_text()
    detail = page.get_by_test_id("case-detail").inner_text()
    assert names[1] in detail
    assert names[0] in detail
    assert "0.2730" in detail
    assert "江苏省最低价 0.2000" in detail
    assert page.locator("[data-fact=paid]").inner_text() == "¥0.2730"
    assert page.locator("[data-fact=lowest_institution]").inner_text() == names[0]
    _shoot(page, screenshot, "price-outlier-alert")

    page.get_by_test_id("case-prices").click()
    assert page.url.split("?")[0].endswith(f"/compliance/prices/products/{product_id}")
    bars = page.locator("[data-testid=paid-chart] g.bar[data-over='yes']")
    assert bars.count() == 2  # hospitals 1 and 2 in Jiangsu
    row = page.locator("[data-testid=paid-table] tr[data-outlier='yes']").first
    assert row.get_attribute("data-average") == "0.2730"
    _shoot(page, screenshot, "price-product")
