"""The regulator opens the red flags of a lot with identical prices from its tender page."""

from __future__ import annotations

import pytest

from tests.e2e.test_award_browser import seed

pytestmark = pytest.mark.e2e


def test_the_regulator_reads_the_red_flags_of_a_lot_with_identical_prices(
    page, live_user, live_db, live_clock, log_in, screenshot
):
    regulator = live_user("regulator")
    hospitals = [(live_user("hospital", region_code="310101"), 10_000)]
    same = [live_user("manufacturer"), live_user("manufacturer")]
    makers = [(same[0], "3.0000"), (same[1], "3.0000"), (live_user("manufacturer"), "4.5000")]
    tender_id = seed(live_db, live_clock, regulator, hospitals, makers)
    live_clock.advance(days=3, hours=1)

    log_in(page, regulator)
    page.goto(f"/regulator/tenders/{tender_id}")
    page.get_by_test_id("red-flags-link").click()
    lot = page.get_by_test_id("lot-L01").inner_text()
    assert "报价相同" in lot  # R028, identical bid prices
    assert "不同企业报出相同价格" in lot
    for maker in same:
        assert maker.org_name in lot
    screenshot(page, "red-flags")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "red-flags-390")
