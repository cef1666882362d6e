"""The Content-Security-Policy forbids inline script: pages that need script still work."""

import pytest

pytestmark = pytest.mark.e2e


def test_swagger_ui_renders_the_api_under_the_content_security_policy(page):
    response = page.goto("/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").wait_for()
    assert "procurement" in page.locator(".swagger-ui .info .title").inner_text().lower()
    page.locator(".opblock").first.wait_for()
    # Swagger UI renders the first tags' operations and the rest as the reader scrolls: the
    # rendered operations and the operations it parsed under every tag (not an inline script
    # in sight) show the document loaded whole.
    assert page.locator(".opblock").count() > 5
    operations = page.evaluate(
        "() => window.ui.specSelectors.taggedOperations()"
        ".valueSeq().map(tag => tag.get('operations').size).reduce((a, b) => a + b, 0)"
    )
    assert operations > 100


def test_an_inline_script_is_blocked_and_reported_on_the_console(browser, live_server):
    """What the ``page`` fixture watches for: Chromium blocks the script and says so."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto("/login")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.inlineRan = true'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    ran = page.evaluate("() => window.inlineRan === true")
    context.close()
    assert ran is False
    assert any("Content Security Policy" in m for m in messages)
