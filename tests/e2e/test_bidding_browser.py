"""A manufacturer submits a sealed bid through the form in a real browser and sees its receipt."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from procurement.auth.models import User
from procurement.auth.services import actor_of
from procurement.catalog import services as catalog

pytestmark = pytest.mark.e2e
DAY = timedelta(days=1)


def seed(live_db, live_clock, regulator, manufacturer):
    """A bidding_open tender (one lot: 10 mg reference, ceiling 1.2000) and a 20 mg product."""
    start = live_clock.now()
    with live_db() as session:
        reg = actor_of(session.get(User, regulator.user_id))
        tender = catalog.create_tender(
            session,
            data={
                "code": f"E2E-BID-{regulator.user_id}",
                "name": "E2E 带量采购",
                "category": "drug",
                "region_scope": ["310000", "320000"],
                "demand_deadline": start + DAY,
                "bid_deadline": start + 10 * DAY,
                "opening_at": start + 10 * DAY,
                "contract_start": (start + 20 * DAY).date(),
                "contract_years": 2,
            },
            now=start,
            actor=reg,
        )
        catalog.add_lot(
            session,
            tender_id=tender.id,
            data={
                "code": "L01",
                "generic_name": "阿托伐他汀",
                "dosage_form": "片剂",
                "dosage_class": "oral_solid",
                "reference_strength": Decimal("10"),
                "strength_unit": "mg",
                "smallest_unit": "tablet",
                "ceiling_unit_price": Decimal("1.2000"),
                "reference_unit_price": Decimal("3"),
            },
            now=start,
            actor=reg,
        )
        catalog.open_demand(session, tender_id=tender.id, now=start, actor=reg)
        catalog.open_bidding(session, tender_id=tender.id, now=start + DAY, actor=reg)
        product = catalog.register_product(
            session,
            data={
                "approval_number": f"国药准字H2099{manufacturer.user_id:04d}",
                "generic_name": "阿托伐他汀",
                "dosage_form": "片剂",
                "dosage_class": "oral_solid",
                "strength": Decimal("20"),
                "strength_unit": "mg",
                "smallest_unit": "tablet",
                "pack_size": 28,
                "consistency_evaluated": True,
                "approval_date": date(2020, 1, 1),
            },
            now=start,
            actor=actor_of(session.get(User, manufacturer.user_id)),
        )
        return tender.id, tender.code, product.id


def test_a_manufacturer_submits_a_sealed_bid_and_sees_its_receipt(
    page, live_user, live_db, live_clock, log_in, screenshot
):
    regulator, manufacturer = live_user("regulator"), live_user("manufacturer")
    _tender_id, code, product_id = seed(live_db, live_clock, regulator, manufacturer)
    live_clock.advance(days=2)  # bidding is open, the deadline is 8 days away

    log_in(page, manufacturer)
    page.goto("/manufacturer/bidding")
    page.get_by_role("link", name=code).click()
    page.get_by_test_id("bid-L01").click()
    form = page.get_by_test_id("bid-form")
    form.locator("select[name=product_id]").select_option(str(product_id))
    form.locator("input[name=price_per_pack]").fill("47.60")
    # 47.60 / 28 = 1.7000 per 20 mg tablet; 1.7 ** log2(20 / 10) = 1.7 -> comparable 1.0000.
    judged = page.get_by_test_id("judged")
    assert "1.7000" in judged.inner_text()
    assert judged.get_attribute("data-comparable") == "1.0000"
    assert "ok" in judged.get_attribute("class")
    form.locator("input[name=capacity]").fill("500000")
    form.locator("textarea[name=note]").fill("e2e sealed note")
    form.locator("input[name=cost_commitment]").check()
    screenshot(page, "bidding-form-live-comparable")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    receipt = page.get_by_test_id("receipt")
    assert page.get_by_test_id("bid-status").inner_text() == "已提交"
    assert re.fullmatch(r"[0-9a-f]{64}", page.get_by_test_id("digest").inner_text())
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", reference)  # random, not the sequential bid id
    assert "47.6" not in page.content()
    assert "500000" not in receipt.inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("download-receipt").click()
    assert download.value.suggested_filename == f"bid-{reference}-receipt-v1.json"
    path = screenshot(page, "bidding-receipt")
    assert path.stat().st_size > 1000
