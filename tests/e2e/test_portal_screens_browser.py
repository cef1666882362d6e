"""Every page of each portal's menu, and the first detail page each list links to, as each demo
login, in Chinese, at 1366 and 390 px: nothing wider than the screen (a wide table scrolls
inside itself), no 5xx, and a screenshot of each (``screenshots/screen-<login>-<page>-<w>.png``)
to look at."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e
WIDTHS = (1366, 390)
LOGINS = ("regulator", "fund", "hospital", "maker", "distributor")
DETAIL = re.compile(r"/\d+$")  # a list's first link to one thing (/contracts/17)


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize("username", LOGINS)
def test_every_menu_page_and_a_detail_page_fit_the_screen_in_chinese(portal, screenshot, username):
    page = portal(username)
    menu = page.locator("nav.portal a").evaluate_all("links => links.map(a => a.pathname)")
    assert menu, "the portal has a menu"
    details = []
    for path in menu:
        page.goto(path)
        link = page.locator("main table a[href]").evaluate_all(
            "links => links.map(a => a.pathname)"
        )
        details += [p for p in link if DETAIL.search(p)][:1]
    crowded = []
    for path in [*menu, *details[:3]]:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == "zh-CN"
            screenshot(page, f"screen-{username}-{_name(path)}-{width}")
            if _overflow(page) > 1:
                crowded.append(f"{path} at {width}px: {_overflow(page)}px too wide")
    assert not crowded, crowded
