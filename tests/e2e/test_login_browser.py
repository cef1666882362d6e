"""A regulator logs in through the real form in a real browser."""

import pytest

pytestmark = pytest.mark.e2e


def test_a_regulator_logs_in_sees_their_name_and_switches_language(
    page, live_user, log_in, screenshot
):
    user = live_user("regulator", display_name="Wang Fang")

    log_in(page, user)

    who = page.locator("header .who")
    assert "Wang Fang" in who.inner_text()
    assert user.org_name in who.inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_test_id("lang-switch").click()
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_test_id("lang-switch").inner_text() == "中文"
    assert "Wang Fang" in page.locator("header .who").inner_text()
    path = screenshot(page, "login-regulator-home")
    assert path.stat().st_size > 1000


def test_a_wrong_password_keeps_the_browser_on_the_login_page_with_a_message(
    page, live_user, screenshot
):
    user = live_user("hospital")
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    form.locator("input[name=username]").fill(user.username)
    form.locator("input[name=password]").fill("not the password")
    form.locator("button[type=submit]").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "/login" in page.url
    assert alert.inner_text() != ""
    assert user.display_name not in page.locator("header .who").inner_text()
    screenshot(page, "login-wrong-password")


def test_logging_out_returns_to_the_login_page(page, live_user, log_in):
    user = live_user("manufacturer")
    log_in(page, user)
    with page.expect_navigation():
        page.locator("header .who button[type=submit]").click()
    assert page.url.endswith("/login")
    assert user.display_name not in page.locator("header .who").inner_text()
