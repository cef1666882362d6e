"""The regulator's home is the compliance dashboard: its SVG charts show the numbers of the
progress query, in a real browser. A screenshot is saved as screenshots/regulator-dashboard.png."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.auth.models import User
from procurement.compliance.progress import queries
from procurement.compliance.rules import ComplianceRules
from tests.e2e.conftest import PASSWORD
from tests.fixtures.compliance import build_world, deliver_units, user_factory

pytestmark = pytest.mark.e2e


def test_regulator_dashboard_charts_match_the_progress_query(
    page, live_db, live_clock, live_user, log_in, screenshot
):
    regulator = live_user("regulator", role="admin")
    with live_db() as session:
        reg = session.get(User, regulator.user_id)
        world = build_world(
            session,
            live_clock.now(),
            user_factory(session, live_clock, prefix="CMP", password=PASSWORD),
            reg,
            hospitals=3,
            lots=2,
            agreed=1000,
            regions=["310101", "310104", "320102"],
        )
        live_clock.advance(days=40)
        deliver_units(session, live_clock, world, world.contract(0, 0), 600)
        deliver_units(session, live_clock, world, world.contract(1, 1), 200)
        deliver_units(session, live_clock, world, world.contract(2, 0), 100)
        f = queries.Filters(tender_id=world.tender.id, contract_year=1)
        expected = queries.progress(
            session,
            filters=f,
            groups=("total", "lot", "region"),
            as_of=live_clock.now(),
            rules=ComplianceRules(),
        )
        tender_id = world.tender.id
    log_in(page, regulator)
    assert "/regulator/compliance" in page.url  # the regulator's home
    page.goto(f"/regulator/compliance?tender={tender_id}&year=1")
    for group, testid in (("lot", "chart-lot"), ("region", "chart-region")):
        bars = page.locator(f"[data-testid={testid}] g.bar")
        shown = {
            bars.nth(i).get_attribute("data-key"): bars.nth(i).get_attribute("data-value")
            for i in range(bars.count())
        }
        assert shown == {str(row.key): str(row.completion) for row in expected[group]}
    total = expected["total"][0]
    assert total.completion == Decimal("900") / Decimal("6000") * 1  # 0.15 hand-computed
    figure = page.get_by_test_id("fig-completion")
    assert figure.get_attribute("data-value") == str(total.completion)
    last = page.locator("[data-testid=chart-curve] circle.point").last
    assert last.get_attribute("data-value") == str(total.completion)
    screenshot(page, "regulator-dashboard")
    page.locator("[data-testid=chart-lot] a").first.click()
    assert "/regulator/compliance/progress" in page.url
