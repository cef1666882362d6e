"""Cost disclosure in the browser, in Chinese: a winner below the threshold files its cost
breakdown on its to-do page (an error beside the field first), another does not; after the
deadline the regulator's new run voids that win, and the public results show both.

Hand-computed: packs of 10; 3.0000 -> 0.3000 and 3.3000 -> 0.3300 per tablet win (3 bidders ->
shortlist 2; anchor 0.3000), 9.0000 -> 0.9000 loses. Threshold 1.2 x 0.3000 = 0.3600: both
winners file. The first files 0.2000 + 0.0600 + 0.0400 = 0.3000."""

from __future__ import annotations

from datetime import timedelta

import pytest

from procurement.award import services as award
from procurement.catalog import services as catalog
from tests.e2e.test_award_browser import _actor, seed

pytestmark = pytest.mark.e2e
DAY = timedelta(days=1)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _both_sizes(page, screenshot, name):
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-1366")


def test_a_winner_files_its_cost_breakdown_and_a_missing_one_voids_the_other_win(
    page, live_user, live_db, live_clock, log_in, screenshot, monkeypatch
):
    regulator = live_user("regulator")
    hospitals = [
        (live_user("hospital", region_code="310101"), 10_000),
        (live_user("hospital", region_code="320102"), 6_000),
    ]
    makers = [
        (live_user("manufacturer"), "3.0000"),
        (live_user("manufacturer"), "3.3000"),
        (live_user("manufacturer"), "9.0000"),
    ]
    overrides = {"cost_disclosure": True, "cost_disclosure_ratio": "1.2"}
    # The shared seed creates the tender; these rules are frozen with it when bidding opens.
    monkeypatch.setattr(catalog, "create_tender", _with_rules(catalog.create_tender, overrides))
    tender_id = seed(live_db, live_clock, regulator, hospitals, makers)
    live_clock.advance(days=3, hours=1)
    with live_db() as session:
        award.start_award_run(
            session, tender_id=tender_id, now=live_clock.now(), actor=_actor(session, regulator)
        )

    log_in(page, makers[0][0])
    page.goto("/manufacturer/bidding")
    due = page.get_by_test_id("costs-due")
    assert "须于" in due.inner_text()
    _both_sizes(page, screenshot, "cost-disclosure-todo")
    due.get_by_role("link").first.click()
    form = page.get_by_test_id("cost-form")
    form.locator("input[name=manufacturing_cost]").fill("0.2000")
    form.locator("input[name=period_expenses]").fill("0.0600")
    form.locator("input[name=profit]").fill("0.0500")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("#in-profit-error").inner_text() == (
        "三项合计为 0.3100，不等于投标单位价格 0.3000"
    )
    _both_sizes(page, screenshot, "cost-disclosure-form-error")
    form.locator("input[name=profit]").fill("0.0400")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.get_by_test_id("cost-status").inner_text().startswith("已于")
    _both_sizes(page, screenshot, "cost-disclosure-filed")

    live_clock.advance(days=6)
    log_in(page, regulator)
    page.goto("/regulator/award")
    page.get_by_role("link", name=f"E2E-AWD-{regulator.user_id}").click()
    page.get_by_test_id("start-run").click()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("confirm-run").click()
    assert page.get_by_test_id("tender-status").inner_text() == "已中选"

    page.goto(f"/public/results/{tender_id}")
    table = page.get_by_test_id("cost-breakdowns-L01")
    rows = table.locator("tr[data-status]")
    assert [rows.nth(i).get_attribute("data-status") for i in range(rows.count())] == [
        "filed",
        "void",
    ]
    assert "¥0.2000" in rows.nth(0).inner_text()
    assert "未提交，中选无效" in rows.nth(1).inner_text()
    assert "0.3300" not in page.content()  # a void win's price is not published
    _both_sizes(page, screenshot, "cost-disclosure-public-results")


def _with_rules(original, overrides):
    def create(session, *, data, **kwargs):
        return original(session, data=data | {"rules_overrides": overrides}, **kwargs)

    return create
