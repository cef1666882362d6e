"""In Chinese, in a real browser: January's reconciliation is issued; the hospital (desktop,
1366 px) disputes a line (an empty reason is shown beside that line's field), and the
manufacturer on a phone (390 px) sees the dispute and its reason beside the line.

World: one contract with reconciliation on; 10 packs (280 x 0.20 = 56.00) and 5 packs (140 x
0.20 = 28.00) accepted on 2026-01-05; issued 2026-02-01 09:00 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from procurement.auth.models import Organization, User
from procurement.auth.services import actor_of
from procurement.orders import services as orders
from procurement.settlement.services import monthly_reconciliation as recon
from tests.fixtures.orders import build_contract
from tests.fixtures.reconciliation import RECONCILED

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/recon")


def _deliver(session, clock, contract, hospital, maker, packs):
    placed = orders.place_order(
        session,
        request=orders.OrderRequest(lines=[orders.LineRequest(packs=packs, contract_id=contract)]),
        now=clock.now(),
        actor=hospital,
    )
    orders.confirm_order(session, order_id=placed.order_id, now=clock.now(), actor=maker)
    order = orders.get_order(session, order_id=placed.order_id, now=clock.now(), actor=maker)
    today = clock.now().date()
    line = order.lines[0]
    shipment = orders.create_shipment(
        session,
        order_id=order.id,
        lines=[
            orders.ShipLine(
                line.id,
                line.open_quantity,
                "B2026001",
                today - timedelta(days=30),
                today + timedelta(days=700),
            )
        ],
        now=clock.now(),
        actor=maker,
    )
    orders.record_receipt(
        session,
        shipment_id=shipment.id,
        lines=[orders.ReceiveLine(shipment.lines[0].id, shipment.lines[0].quantity, 0, None)],
        now=clock.now(),
        actor=hospital,
    )


def seed(live_db, live_clock, hospital, manufacturer, regulator, fund):
    with live_db() as session:
        org = {
            u.org_code: session.query(Organization).filter_by(code=u.org_code).one()
            for u in (hospital, manufacturer, regulator)
        }
        contract = build_contract(
            session,
            live_clock.now(),
            hospital_org=org[hospital.org_code],
            manufacturer_org=org[manufacturer.org_code],
            regulator_org=org[regulator.org_code],
            agreed=2800,
            rules_snapshot=RECONCILED,
        )
        h, m, f = (actor_of(session.get(User, u.user_id)) for u in (hospital, manufacturer, fund))
        _deliver(session, live_clock, contract.id, h, m, 10)
        _deliver(session, live_clock, contract.id, h, m, 5)
        live_clock.set(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
        (rec,) = recon.issue_month(session, month=date(2026, 1, 1), now=live_clock.now(), actor=f)
        return rec.id, [line.id for line in rec.lines]


def _shot(page, name: str, screenshot) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_hospital_disputes_a_line_and_the_manufacturer_sees_it_on_a_phone(
    browser, live_server, live_db, live_clock, live_user, log_in, screenshot
):
    hospital = live_user("hospital", region_code="310101")
    manufacturer = live_user("manufacturer", region_code="320000")
    regulator = live_user("regulator")
    fund = live_user("fund")
    rec_id, (first, second) = seed(live_db, live_clock, hospital, manufacturer, regulator, fund)
    url = f"/settlement/reconciliations/{rec_id}"

    h = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=DESKTOP).new_page()
    log_in(h, hospital)
    h.goto("/settlement/reconciliations")
    assert "2026-01" in h.get_by_test_id("reconciliations").inner_text()
    h.goto(url)
    row = h.locator(f'tr[data-line="{second}"]')
    assert "¥28.00" in row.inner_text().replace("￥", "¥")
    with h.expect_navigation():
        row.get_by_role("button", name="对此明细提出异议").click()
    row = h.locator(f'tr[data-line="{second}"]')
    assert row.locator(".field-error").inner_text().strip() == "缺少必填字段。"
    assert h.locator(".field-error").count() == 1  # beside this line's reason only
    row.get_by_label("异议原因").fill("两盒外包装破损")
    with h.expect_navigation():
        row.get_by_role("button", name="对此明细提出异议").click()
    row = h.locator(f'tr[data-line="{second}"]')
    assert row.get_attribute("data-status") == "disputed"
    assert "两盒外包装破损" in row.get_by_test_id("dispute-reason").inner_text()
    assert row.get_by_test_id("held-reason").inner_text().strip() == "暂缓：有异议"
    _shot(h, "recon-hospital-disputed-1366", screenshot)

    m = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE).new_page()
    log_in(m, manufacturer)
    m.goto(url)
    row = m.locator(f'tr[data-line="{second}"]')
    assert "两盒外包装破损" in row.get_by_test_id("dispute-reason").inner_text()
    assert m.locator(f'tr[data-line="{first}"]').get_attribute("data-status") == "open"
    assert row.get_by_role("button", name="标记为已更正").is_visible()
    width = m.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width} px wide on a 390 px screen"
    _shot(m, "recon-manufacturer-sees-dispute-390", screenshot)
