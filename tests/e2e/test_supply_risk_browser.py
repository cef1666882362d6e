"""The regulator opens the supply risk of a tender from its page, in Chinese, at 1366 and
390 px: the lots ranked by score with the chart, then the lot's regions x winners (the region
served by one winner without a backup flagged), with the share and late-delivery charts."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.e2e.conftest import PASSWORD
from tests.fixtures.compliance import user_factory
from tests.fixtures.supply_risk import build_risk_world

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
COPIES = Path("/tmp/risk")  # where the screenshots were looked at while building the pages


def _seed(live_db, live_clock):
    with live_db() as session:
        make = user_factory(session, live_clock, prefix="RISK", password=PASSWORD)
        regulator = make("regulator", "310000")
        world = build_risk_world(
            session,
            live_clock.now(),
            make,
            regulator,
            supplies={"320000": {"A": 600, "B": 400}, "310000": {"A": 500}},
            capacities={"A": 3000, "B": 3000, "C": 2000},
            backups={"320000": "C"},
        )
        login = SimpleNamespace(username=regulator.username, password=PASSWORD)
        return login, world.tender.id, world.lot.id, world.lot.code


def _shoot(page, screenshot, name):
    for size, suffix in ((DESKTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        path = screenshot(page, f"{name}-{suffix}")
        COPIES.mkdir(exist_ok=True)
        (COPIES / path.name).write_bytes(path.read_bytes())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} scrolls sideways at {size['width']} px"
    page.set_viewport_size(DESKTOP)


def test_the_regulator_reads_the_supply_risk_of_a_tender_and_its_lot(
    page, live_db, live_clock, log_in, screenshot
):
    regulator, tender_id, lot_id, code = _seed(live_db, live_clock)
    page.set_viewport_size(DESKTOP)
    log_in(page, regulator)
    page.goto(f"/regulator/tenders/{tender_id}")
    page.get_by_test_id("supply-risk-link").click()
    row = page.locator(f"[data-testid=risk-lots] tr[data-lot='{code}']")
    assert row.get_attribute("data-score") == "55"
    assert "高风险" in row.inner_text()
    assert "上海市" in row.inner_text()  # the region without a backup, by name
    bar = page.locator(f"[data-testid=risk-chart] g.bar[data-key='{code}']")
    assert bar.get_attribute("data-value") == "55"
    _shoot(page, screenshot, "supply-risk")
    row.get_by_test_id("lot-risk-link").click()
    assert page.url.endswith(f"/compliance/lots/{lot_id}/supply-risk")
    alone = page.locator("[data-testid=risk-regions] tr[data-region='310000']")
    assert alone.get_attribute("data-backup-ready") == "no"
    assert "无备供" in alone.inner_text()
    assert "本地区未指定备供企业。" in alone.inner_text()
    assert page.get_by_test_id("lot-hhi").inner_text() == "6,089"
    assert page.locator("[data-testid=share-chart] rect.segment").count() == 3
    _shoot(page, screenshot, "supply-risk-lot")
