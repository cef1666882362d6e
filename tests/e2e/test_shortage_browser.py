"""A manufacturer's missing shortage report escalating (RULES.md 14), in Chinese at 1366 and
390 px: the manufacturer sees its January report owed; after the 10th of February it is
missing; the regulator runs the check and sees a county-level alert, then, as the clock moves
on, city level (7 days overdue) and province level (14 days), with the level history on the
case; the manufacturer reports and the next check resolves it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.e2e.conftest import PASSWORD
from tests.fixtures.compliance import user_factory
from tests.fixtures.supply_shortage import build_shortage_world

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
COPIES = Path("/tmp/shortage_shots")  # where the screenshots were looked at


def _seed(live_db, live_clock):
    with live_db() as session:
        make = user_factory(session, live_clock, prefix="SHORT", password=PASSWORD)

        def make_user(kind="hospital", region_code="310101", **_ignored):
            return make(kind, region_code)

        regulator = make("regulator", "310000")
        world = build_shortage_world(
            session,
            live_clock.now(),
            make_user,
            regulator,
            supplies={"320102": {"A": 3650}},
            makers=["A"],
        )
        maker = world.makers["A"]
        return (
            SimpleNamespace(username=regulator.username, password=PASSWORD),
            SimpleNamespace(
                username=maker.username, password=PASSWORD, org=maker.organization.name
            ),
            world.bids["A"].product_id,
        )


def _shoot(page, screenshot, name):
    for size, suffix in ((DESKTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        path = screenshot(page, f"{name}-{suffix}")
        COPIES.mkdir(exist_ok=True)
        (COPIES / path.name).write_bytes(path.read_bytes())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} scrolls sideways at {size['width']} px"
    page.set_viewport_size(DESKTOP)


def _at(day: str) -> datetime:
    """10:00 in Shanghai on ``day``."""
    return datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)


def _row(page, org: str):
    """The maker's own alert row (the live server's world holds other tests' makers too)."""
    return page.locator("[data-testid=shortages] tbody tr[data-alert]").filter(has_text=org)


def _check_and_read_level(page, org: str) -> str:
    page.goto("/compliance/shortages?status=open")
    page.get_by_test_id("run-check").click()
    page.wait_for_load_state()
    return _row(page, org).first.get_attribute("data-level")


def test_a_missing_shortage_report_escalates_on_the_regulators_page(
    browser, live_server, live_db, live_clock, log_in, screenshot
):
    regulator, maker, product_id = _seed(live_db, live_clock)
    live_clock.set(_at("2026-02-05"))
    own = browser.new_context(base_url=live_server.url, locale="zh-CN")
    mp = own.new_page()
    mp.set_viewport_size(DESKTOP)
    log_in(mp, maker)
    mp.goto("/compliance/shortage-reports")
    duty = mp.locator(f"[data-testid=duties] tr[data-product='{product_id}']")
    assert duty.get_attribute("data-period") == "2026-01"
    assert duty.get_attribute("data-missing") == "no"  # due 02-10
    assert "尚未上报" in duty.inner_text()

    live_clock.set(_at("2026-02-11"))
    rp = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    rp.set_viewport_size(DESKTOP)
    log_in(rp, regulator)
    assert _check_and_read_level(rp, maker.org) == "county"
    assert "县级" in _row(rp, maker.org).inner_text()
    assert "已逾期 1 天" in _row(rp, maker.org).inner_text()
    _shoot(rp, screenshot, "shortage-county")

    live_clock.set(_at("2026-02-17"))
    assert _check_and_read_level(rp, maker.org) == "city"
    assert "市级" in _row(rp, maker.org).inner_text()

    live_clock.set(_at("2026-02-24"))
    assert _check_and_read_level(rp, maker.org) == "province"
    _shoot(rp, screenshot, "shortage-province")
    _row(rp, maker.org).get_by_test_id("shortage-link").first.click()
    history = rp.locator("[data-testid=level-history] tbody tr")
    assert [history.nth(i).get_attribute("data-level") for i in range(history.count())] == [
        "county",
        "city",
        "province",
    ]
    assert "江苏省" in rp.get_by_test_id("level-history").inner_text()
    _shoot(rp, screenshot, "shortage-case")

    mp.goto("/compliance/shortage-reports")
    assert duty.get_attribute("data-missing") == "yes"
    assert "已逾期 14 天" in duty.inner_text()
    _shoot(mp, screenshot, "shortage-duties")
    form = mp.get_by_test_id("report-form")
    form.locator("select[name=product_id]").select_option(str(product_id))
    form.locator("input[name=period]").fill("2026-01")
    form.locator("input[name=production]").fill("1200")
    form.locator("input[name=stock]").fill("-3")
    form.locator("input[name=capacity]").fill("3000")
    form.locator("button[type=submit]").click()
    assert mp.locator("#in-stock-error").is_visible()
    assert mp.locator("input[name=production]").input_value() == "1200"
    _shoot(mp, screenshot, "shortage-form-error")
    mp.locator("input[name=stock]").fill("50000")
    mp.get_by_test_id("report-form").locator("button[type=submit]").click()
    assert duty.get_attribute("data-missing") == "no"
    assert "已上报" in duty.inner_text()

    rp.goto("/compliance/shortages?status=open")
    rp.get_by_test_id("run-check").click()
    rp.wait_for_load_state()
    rp.goto("/compliance/shortages?status=open")
    assert _row(rp, maker.org).count() == 0
    rp.goto("/compliance/shortages?status=resolved")
    assert "已解除" in _row(rp, maker.org).inner_text()
    own.close()
