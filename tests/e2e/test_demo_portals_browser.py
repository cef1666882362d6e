"""The four portals on demo data built up to today, in a real browser: a manufacturer bids on the
tender open today, a hospital orders and receives, the fund office runs a settlement, the
regulator follows an alert from the dashboard to its rows and escalates it. Screenshots go to
``screenshots/demo-*.png``.

The demo (tiny scale) is built on its own database and served by its own live server, so the
other journeys' data and this world never meet.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from procurement.core.clock import business_date
from procurement.orders import services as orders

pytestmark = pytest.mark.e2e
NEXT_STEP = {"none": "reminder", "reminder": "public_notice", "public_notice": "summons"}
STEP_LABELS = {"reminder": "提醒", "public_notice": "通报", "summons": "约谈"}


def test_a_demo_manufacturer_bids_on_the_tender_open_today(demo, portal, screenshot):
    world = demo.world
    upcoming = world.rounds[2]
    code, lot = upcoming.code, upcoming.lots[0]
    product_id = world.products[(world.makers[0].code, lot.id)][-1]
    page = portal("maker")
    page.goto("/manufacturer/bidding")
    page.get_by_role("link", name=code).click()
    page.get_by_test_id("bid-L01").click()
    form = page.get_by_test_id("bid-form")
    form.locator("select[name=product_id]").select_option(str(product_id))
    form.locator("input[name=price_per_pack]").fill("0.50")
    form.locator("input[name=capacity]").fill("2000000")
    form.locator("input[name=cost_commitment]").check()
    screenshot(page, "demo-manufacturer-bid-form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.get_by_test_id("bid-status").inner_text() == "已提交"
    assert re.fullmatch(r"[0-9a-f]{64}", page.get_by_test_id("digest").inner_text())
    screenshot(page, "demo-manufacturer-receipt")


def test_a_demo_hospital_orders_and_receives_today(demo, portal, screenshot):
    page = portal("hospital")
    page.goto("/hospital/orders/new")
    packs = page.get_by_test_id("quick-order").locator("input[data-contract]").first
    contract_id = int(packs.get_attribute("data-contract"))
    packs.fill("3")
    page.locator("input[name=delivery_address]").fill("药剂科 1 号库")
    with page.expect_navigation():
        page.get_by_test_id("quick-order").locator("button[type=submit]").click()
    placed = page.locator(".flash").first.inner_text()  # "订单 PO-... 已下达。"
    number = re.search(r"PO-\d{8}-[0-9A-F]{10}", placed).group(0)
    quantity = _confirm_and_ship(demo, number, contract_id)
    page.goto("/hospital/orders")
    with page.expect_navigation():
        page.get_by_test_id(f"order-{number}").get_by_test_id("order-link").click()
    with page.expect_navigation():
        page.locator("a[data-testid^=receive-]").first.click()
    page.locator("input[name$=accepted_quantity]").fill(str(quantity))
    page.locator("input[name$=rejected_quantity]").fill("0")
    with page.expect_navigation():
        page.get_by_test_id("receive-form").locator("button[type=submit]").click()
    page.goto("/hospital/orders")
    status = page.get_by_test_id(f"order-{number}").get_by_test_id("status").inner_text()
    assert status == "已验收"
    screenshot(page, "demo-hospital-orders")


def _confirm_and_ship(demo, number: str, contract_id: int) -> int:
    """The contracted manufacturer's system confirms and ships the order the next morning."""
    world = demo.world
    with demo.factory() as session:
        found = orders.list_orders(session, now=demo.clock.now(), actor=world.regulator.actor)
        order = next(o for o in found if o.number == number)
        maker = next(m for m in world.makers if m.id == order.manufacturer_id)
        demo.clock.advance(hours=3)
        orders.confirm_order(session, order_id=order.id, now=demo.clock.now(), actor=maker.actor)
        line = next(ln for ln in order.lines if ln.contract_id == contract_id)
        made = business_date(demo.clock.now()) - timedelta(days=30)
        ship = orders.ShipLine(
            line.id, line.quantity, "DEMO-E2E-01", made, made + timedelta(days=700)
        )
        demo.clock.advance(hours=16)
        orders.create_shipment(
            session, order_id=order.id, lines=[ship], now=demo.clock.now(), actor=maker.actor
        )
        return line.quantity


def test_the_demo_fund_office_runs_a_settlement_and_opens_a_payment(demo, portal, screenshot):
    today = business_date(demo.clock.now())
    page = portal("fund")
    assert page.url.endswith("/fund")  # the to-do list is the fund office's home
    screenshot(page, "demo-fund-todo")
    page.goto("/fund/runs")
    form = page.get_by_test_id("start-run")
    form.locator("input[name=cut_off]").fill(today.isoformat())
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert asked
    assert "无法撤销" in asked[0]  # the irreversible step asked first
    assert page.get_by_test_id("status").inner_text() == "已完成"
    screenshot(page, "demo-fund-run")
    with page.expect_navigation():
        page.get_by_test_id("payments").locator("a").first.click()
    assert "/settlement/payments/" in page.url
    assert page.get_by_test_id("payment-amount").inner_text().startswith("¥")
    screenshot(page, "demo-fund-payment")
    with page.expect_navigation():
        page.get_by_test_id("print-notice").click()
    assert "付款通知" in page.get_by_test_id("document").inner_text()
    screenshot(page, "demo-fund-payment-notice")
    page.goto("/fund/runs")
    assert f"SR{today:%Y%m%d}-" in page.get_by_test_id("runs").inner_text()
    screenshot(page, "demo-fund-runs")


def test_the_demo_regulator_follows_an_alert_and_escalates_it(demo, portal, screenshot):
    page = portal("regulator")
    page.goto(f"/regulator/compliance?tender={demo.world.rounds[1].tender_id}&year=1")
    assert Decimal(page.get_by_test_id("fig-agreed").get_attribute("data-value")) > 0
    screenshot(page, "demo-regulator-dashboard")
    counts = page.get_by_test_id("alerts-by-step")
    step = next(
        s for s in NEXT_STEP if int(counts.locator(f"a[data-step={s}]").get_attribute("data-value"))
    )
    with page.expect_navigation():
        counts.locator(f"a[data-step={step}]").click()
    row = page.locator("[data-testid=alerts] tr[data-alert]").first
    alert_id = row.get_attribute("data-alert")
    with page.expect_navigation():  # the case page: escalating asks for confirmation there
        row.get_by_test_id("alert-link").click()
    page.locator("#escalate-note").fill("请于十日内说明原因")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("button", has_text="升级").click()
    page.goto(f"/regulator/compliance/alerts?step={NEXT_STEP[step]}")
    escalated = page.locator(f"[data-testid=alerts] tr[data-alert='{alert_id}']")
    assert escalated.locator("td[data-step]").get_attribute("data-step") == NEXT_STEP[step]
    assert escalated.locator("td[data-step]").inner_text() == STEP_LABELS[NEXT_STEP[step]]
    screenshot(page, "demo-regulator-alerts")
