"""A user changes their password in the browser; a session elsewhere ends; a new token's
secret is shown once."""

import pytest

pytestmark = pytest.mark.e2e


def test_changing_the_password_logs_out_the_other_browser(
    browser, live_server, page, live_user, log_in, screenshot
):
    user = live_user("hospital", display_name="Li Na")
    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    elsewhere = other.new_page()
    log_in(elsewhere, user)
    log_in(page, user)

    page.goto("/account")
    page.get_by_test_id("change-password").click()
    form = page.get_by_test_id("password-form")
    form.locator("input[name=current_password]").fill(user.password)
    form.locator("input[name=new_password]").fill("qwerty123456")
    form.locator("input[name=confirm_password]").fill("qwerty123456")
    form.locator("button[type=submit]").click()
    assert "最常见的密码" in page.get_by_test_id("error-new_password").inner_text()
    screenshot(page, "account-password-refused-zh")

    form.locator("input[name=current_password]").fill(user.password)
    form.locator("input[name=new_password]").fill("a brand new secret 2026")
    form.locator("input[name=confirm_password]").fill("a brand new secret 2026")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.endswith("/account")
    assert "密码已修改" in page.locator(".flash").first.inner_text()
    assert "Li Na" in page.locator("header .who").inner_text()

    elsewhere.goto("/account")
    assert "/login" in elsewhere.url
    other.close()


def test_a_new_token_is_shown_once_on_the_account_page(page, live_user, log_in, screenshot):
    user = live_user("manufacturer")
    log_in(page, user)
    page.goto("/account")
    page.locator("input[name=name]").fill("ERP")
    with page.expect_navigation():
        page.get_by_role("button", name="创建令牌").click()
    secret = page.get_by_test_id("new-token").locator("code").inner_text()
    assert secret.startswith("pt_")
    screenshot(page, "account-new-token-zh")
    page.goto("/account")
    assert secret not in page.content()
