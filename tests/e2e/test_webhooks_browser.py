"""A manufacturer's admin subscribes its ERP's endpoint in the pages (in Chinese), copies the
secret shown once, sees a signed delivery arrive and replays it (issue 17, item 3)."""

from __future__ import annotations

import re

from procurement.events.services import record_event
from procurement.events.types import EventType
from tests.fixtures.events import receiver as _receiver_fixture

receiver = _receiver_fixture


def test_an_admin_subscribes_an_endpoint_and_replays_a_delivery(
    live_server, live_db, live_clock, page, live_user, log_in, screenshot, receiver
):
    admin = live_user(kind="manufacturer", role="admin", region_code="320000")
    log_in(page, admin)
    page.goto("/account")
    with page.expect_navigation():
        page.get_by_test_id("webhooks").click()
    form = page.get_by_test_id("subscription-form")
    form.locator("input[name=url]").fill(receiver.url())
    form.get_by_label("已下单").check()
    form.get_by_label("已付款").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    shown = page.get_by_test_id("new-secret")
    assert "不会再次显示" in shown.inner_text()
    assert re.search(r"whsec_\S+", shown.inner_text())
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "webhooks-subscribed-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "webhooks-subscribed-390")

    with live_db() as session:
        from sqlalchemy import select

        from procurement.auth.models import Organization

        org = session.scalar(select(Organization).where(Organization.code == admin.org_code))
        record_event(
            session,
            EventType.ORDER_PLACED,
            "purchase_order",
            1,
            audience=[org.id],
            payload={"order_id": 1, "total_amount": "12.34"},
            now=live_clock.now(),
        )
        session.commit()
    assert len(receiver.hits) == 1

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/account/webhooks")
    with page.expect_navigation():
        page.get_by_test_id("subscriptions").locator("a").first.click()
    deliveries = page.get_by_test_id("deliveries")
    assert "已送达" in deliveries.inner_text()
    assert "HTTP 200" in deliveries.inner_text()
    with page.expect_navigation():
        deliveries.get_by_test_id("replay").first.click()
    assert len(receiver.hits) == 2
    assert receiver.hits[0].headers["webhook-id"] == receiver.hits[1].headers["webhook-id"]
    assert page.get_by_test_id("deliveries").inner_text().count("HTTP 200") == 2
    screenshot(page, "webhook-subscription-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "webhook-subscription-390")
