"""The regulator records a related-bidder group in a real browser, in Chinese (RULES.md 10);
a member sees its group, read only. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import pytest

from tests.e2e.test_bidding_browser import seed

pytestmark = pytest.mark.e2e
WIDTHS = (1366, 390)


def shoot(page, screenshot, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_the_regulator_records_a_group_its_members_and_its_bidding_member(
    page, live_user, live_db, live_clock, log_in, screenshot
):
    regulator, first = live_user("regulator"), live_user("manufacturer")
    second, third = live_user("manufacturer"), live_user("manufacturer")
    _tender_id, code, _product = seed(live_db, live_clock, regulator, first)
    name = f"华东医药集团{regulator.user_id}"

    log_in(page, regulator)
    page.get_by_role("link", name="关联企业").first.click()
    page.get_by_test_id("add-group").click()
    page.get_by_test_id("group-form").locator("input[name=name]").fill(name)
    with page.expect_navigation():
        page.get_by_test_id("group-form").locator("button[type=submit]").click()
    assert f"已登记集团 {name}。" in page.content()
    for member in (first, second):
        form = page.get_by_test_id("member-form")
        form.locator("select[name=manufacturer_id]").select_option(label=member.org_name)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    members = page.get_by_test_id("group-members").inner_text()
    assert first.org_name in members
    assert second.org_name in members
    # Only manufacturers in no group are offered.
    offered = page.get_by_test_id("member-form").locator("option").all_inner_texts()
    assert first.org_name not in offered
    assert third.org_name in offered

    named = page.get_by_test_id("named-form")
    named.locator("select[name=tender_id]").select_option(label=f"{code} E2E 带量采购")
    named.locator("select[name=manufacturer_id]").select_option(label=second.org_name)
    with page.expect_navigation():
        named.locator("button[type=submit]").click()
    designations = page.get_by_test_id("group-designations").inner_text()
    assert code in designations
    assert "全部品种" in designations
    assert second.org_name in designations
    shoot(page, screenshot, "groups-regulator-group")

    page.goto("/regulator/groups")
    assert name in page.get_by_test_id("groups").inner_text()
    shoot(page, screenshot, "groups-regulator-list")


def test_a_refused_name_shows_beside_its_field_and_a_member_sees_its_group_read_only(
    browser, live_server, page, live_user, log_in, screenshot
):
    regulator, member = live_user("regulator"), live_user("manufacturer")
    log_in(page, regulator)
    group = f"集团{member.user_id}"
    page.goto("/regulator/groups/new")
    page.get_by_test_id("group-form").locator("input[name=name]").fill(group)
    with page.expect_navigation():
        page.get_by_test_id("group-form").locator("button[type=submit]").click()
    form = page.get_by_test_id("member-form")
    form.locator("select[name=manufacturer_id]").select_option(label=member.org_name)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    # The same name again: refused beside the name field, in Chinese; nothing recorded.
    page.goto("/regulator/groups/new")
    page.get_by_test_id("group-form").locator("input[name=name]").fill(group)
    with page.expect_navigation():
        page.get_by_test_id("group-form").locator("button[type=submit]").click()
    assert page.locator("#in-name-error").inner_text() == "已有集团使用此名称"
    assert page.locator("input[name=name]").input_value() == group
    shoot(page, screenshot, "groups-regulator-refused")

    other = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    log_in(other, member)
    other.get_by_role("link", name="我的集团").click()
    assert group in other.get_by_test_id("my-group").inner_text()
    assert member.org_name in other.get_by_test_id("group-members").inner_text()
    assert other.locator("form button.danger").count() == 0
    shoot(other, screenshot, "groups-manufacturer")
