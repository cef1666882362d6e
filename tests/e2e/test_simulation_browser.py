"""The regulator opens a what-if rules simulation of an opened tender under three presets and
reads the comparison (table and chart), at 1366 and 390 px, in Chinese.

Ceiling 1.0000, reference 2.5000 a tablet; quotes 0.20, 0.40, 0.90, 0.95 (packs of 10);
demand Shanghai 10,000, Jiangsu 6,000. N = 4 -> shortlist 3.
- Current rules (national-2024): anchor 0.20, limit 0.36: only 0.20 wins; 50% = 8,000 x 0.20 =
  ¥1,600.00.
- national-2025: half the shortlist's mean (0.20 + 0.40 + 0.90) / 3 / 2 = 0.25 > 0.20: anchor
  0.25, limit 0.45: 0.20 and 0.40 win; 60% = 6,000 (Shanghai) + 3,600 (Jiangsu): 6,000 x 0.20 +
  3,600 x 0.40 = ¥2,640.00.
- national-2021: the cut rule lets 0.40 win (60% cut): the same ¥2,640.00.
- national-2024 chosen as a variant gives the baseline's ¥1,600.00 again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_award_browser import seed

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/sim")


def test_the_regulator_compares_three_presets_on_an_opened_tender(
    page, live_user, live_db, live_clock, log_in, screenshot
):
    regulator = live_user("regulator")
    hospitals = [
        (live_user("hospital", region_code="310101"), 10_000),
        (live_user("hospital", region_code="320102"), 6_000),
    ]
    makers = [(live_user("manufacturer"), p) for p in ("2.0000", "4.0000", "9.0000", "9.5000")]
    tender_id = seed(live_db, live_clock, regulator, hospitals, makers)
    live_clock.advance(days=3, hours=1)

    log_in(page, regulator)
    page.goto(f"/regulator/tenders/{tender_id}")
    page.get_by_test_id("simulations-link").click()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "simulation-form-1366.png"), full_page=True)
    page.locator("#in-variants-0-preset").select_option("national-2025")
    page.locator("#in-variants-1-preset").select_option("national-2021")
    page.locator("#in-variants-2-preset").select_option("national-2024")
    page.locator("#in-variants-2-name").fill("第十批规则")
    page.get_by_test_id("run-simulation").click()

    totals = [page.get_by_test_id(f"totals-{i}").inner_text() for i in range(4)]
    assert "现行规则" in totals[0]
    assert "¥1,600.00" in totals[0]
    assert "¥2,640.00" in totals[1]
    assert "¥2,640.00" in totals[2]
    assert "第十批规则" in totals[3]
    assert "¥1,600.00" in totals[3]
    lot = page.get_by_test_id("lot-L01").inner_text()
    assert "¥0.4000" in lot
    chart = page.get_by_test_id("simulation-chart")
    values = chart.locator("g.bar").evaluate_all("bars => bars.map(b => b.dataset.value)")
    assert values == ["1600.00", "2640.00", "2640.00", "1600.00"] * 2  # lot L01, then total
    assert page.get_by_test_id("inputs-state").inner_text().startswith("输入未变化")
    page.screenshot(path=str(SHOTS / "simulation-1366.png"), full_page=True)
    screenshot(page, "simulation")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "simulation-390.png"), full_page=True)
    screenshot(page, "simulation-390")
