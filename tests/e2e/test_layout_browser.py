"""The header and tables fit the screen in Chinese: at 1024 px every menu item keeps its words
on one line, at 390 px the page is no wider than the phone (a wide table scrolls inside) and the
menu is one row scrolling sideways with the current page's item in view."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1024, 390])
def test_the_chinese_regulator_header_and_pages_fit_the_screen(
    page, live_user, log_in, screenshot, width
):
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_user("regulator", display_name="王芳（集采办）"))
    for path in ("/regulator/compliance", "/regulator/compliance/alerts", "/regulator/tenders"):
        page.goto(path)
        links = page.locator("nav.portal a")
        assert links.count() >= 5
        line = links.first.bounding_box()["height"]
        for i in range(links.count()):  # one line of text each, not a column of characters
            assert links.nth(i).bounding_box()["height"] <= line * 1.2, links.nth(i).inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 390:  # one row that scrolls sideways, the current page's item in view
            tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
            assert len(tops) == 1, tops
            active = page.locator("nav.portal a.active").bounding_box()
            assert active["x"] >= 0, active
            assert active["x"] + active["width"] <= width, active
    screenshot(page, f"layout-regulator-{width}")
