"""An organization's admin adds a user in the pages (in Chinese); the new user logs in with
the password shown once, in a browser of their own (issue 15, item 10)."""

from __future__ import annotations

import re

from tests.e2e.conftest import LiveUser


def test_an_org_admin_adds_a_user_who_then_logs_in(
    browser, live_server, page, live_user, log_in, screenshot
):
    admin = live_user(kind="hospital", role="admin", display_name="药学部主任")
    log_in(page, admin)
    page.goto("/account")
    with page.expect_navigation():
        page.get_by_test_id("manage-users").click()
    assert page.get_by_role("heading", name=re.compile("本机构用户")).is_visible()
    with page.expect_navigation():
        page.get_by_test_id("add-user").click()
    form = page.get_by_test_id("member-form")
    username = f"nurse{admin.user_id}"
    form.get_by_label("用户名").fill(username)
    form.locator("input[name=display_name]").fill("王护士")
    form.get_by_label("角色").select_option("staff")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    shown = page.get_by_test_id("new-password")
    assert "不会再次显示" in shown.inner_text()
    password = shown.locator(".secret").inner_text().strip()
    assert len(password) >= 12
    assert page.get_by_test_id("member-role").inner_text() == "工作人员"
    screenshot(page, "own-users-added")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        theirs = context.new_page()
        nurse = LiveUser(0, username, password, "王护士", admin.org_code, admin.org_name)
        log_in(theirs, nurse)
        assert "王护士" in theirs.locator("header .who").inner_text()
    finally:
        context.close()

    page.goto("/account/users")
    row = page.locator(f'tr[data-user="{username}"]')
    assert "启用" in row.inner_text()
    screenshot(page, "own-users-list")
