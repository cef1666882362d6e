"""The regulator reviews a listing request that breaks the 1.5x rule, in Chinese at 1366 and
390 px: the request page shows the failed check with its figures, approval is refused, the
regulator rejects it with a reason, and the manufacturer reads the rejection.

Hand-computed: the product won at 0.2000 a tablet supplying Shanghai (310000) only; in Jiangsu
(320000), which it does not supply, it may be listed at 1.5 x 0.2000 = 0.3000 at most. The
request asks 0.3500: the check fails."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from procurement.auth.models import Organization, User
from procurement.auth.services import actor_of
from procurement.catalog import services as catalog
from procurement.listing import models as listing_models
from procurement.listing import services as listing
from procurement.listing.rules import ListingRules
from tests.fixtures.listing import build_win

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
REASON = "超过中选价1.5倍，请按不高于0.3000元/片重新申报"


def _both_sizes(page, screenshot, name):
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-1366")


def _seed(live_db, live_clock, regulator, maker, hospital) -> tuple[int, str]:
    now = live_clock.now()
    with live_db() as session:
        maker_user = session.get(User, maker.user_id)
        product = catalog.register_product(
            session,
            data={
                "approval_number": f"国药准字H2099{maker.user_id:04d}",
                "generic_name": "缬沙坦",
                "trade_name": "代文",
                "dosage_form": "胶囊剂",
                "dosage_class": "oral_solid",
                "strength": Decimal("80"),
                "strength_unit": "mg",
                "smallest_unit": "capsule",
                "pack_size": 28,
                "consistency_evaluated": True,
                "approval_date": date(2019, 3, 1),
            },
            now=now,
            actor=actor_of(maker_user),
        )
        org = lambda code: session.scalar(select(Organization).where(Organization.code == code))  # noqa: E731
        lot = build_win(
            session,
            now,
            product=product,
            regulator_org=org(regulator.org_code),
            hospital_orgs=[org(hospital.org_code)],
            unit_price="0.2000",
            regions=("310000",),
        )
        request = listing.file_listing_request(
            session,
            product_id=product.id,
            region_code="320000",
            unit_price=Decimal("0.3500"),
            evidence="参照2025年某省挂网价0.3500元/粒",
            rules=ListingRules(),
            now=now,
            actor=actor_of(maker_user),
        )
        return request.id, lot.tender.code


def test_the_regulator_rejects_a_request_above_one_and_a_half_times_the_winning_price(
    page, live_user, live_db, live_clock, log_in, screenshot
):
    regulator = live_user("regulator")
    maker = live_user("manufacturer", region_code="320000")
    hospital = live_user("hospital", region_code="310101")
    request_id, tender_code = _seed(live_db, live_clock, regulator, maker, hospital)

    log_in(page, regulator)
    page.goto("/regulator/listing-requests")
    row = page.locator(f"tr[data-request='{request_id}']")
    assert "未通过" in row.inner_text()
    _both_sizes(page, screenshot, "listing-review-list")
    row.get_by_role("link").first.click()

    failed = page.locator("tr[data-check='unsupplied_region']")
    assert failed.get_attribute("data-check-status") == "fail"
    assert failed.locator(".check-figures").inner_text() == (
        f"0.3500 超过中选价 0.2000（采购批次 {tender_code} 品种 L01）的 1.5 倍 = 0.3000，"
        "即其在非供应地区江苏省的最高挂网价。"
    )
    assert page.get_by_test_id("region").inner_text() == "江苏省"
    _both_sizes(page, screenshot, "listing-review-request")

    decision = page.get_by_test_id("decision")
    with page.expect_navigation():
        decision.get_by_role("button", name="批准").click()
    assert "不能批准" in page.get_by_test_id("form-errors").inner_text()
    _both_sizes(page, screenshot, "listing-review-approve-refused")

    page.get_by_test_id("decision").locator("textarea[name=reason]").fill(REASON)
    with page.expect_navigation():
        page.get_by_test_id("decision").get_by_role("button", name="拒绝").click()
    assert page.locator("[data-status='rejected']").first.is_visible()
    assert page.get_by_test_id("decision-reason").inner_text() == REASON
    assert page.get_by_test_id("decision").count() == 0

    log_in(page, maker)
    page.goto("/manufacturer/listing-requests")
    mine = page.locator(f"tr[data-request='{request_id}']")
    assert mine.locator("[data-status='rejected']").is_visible()
    _both_sizes(page, screenshot, "listing-manufacturer-requests")
    mine.get_by_role("link").first.click()
    assert page.get_by_test_id("decision-reason").inner_text() == REASON
    assert (
        page.locator("tr[data-check='unsupplied_region']").get_attribute("data-check-status")
        == "fail"
    )
    _both_sizes(page, screenshot, "listing-manufacturer-rejected")


def test_anyone_finds_an_active_listing_by_generic_name_on_a_phone(
    page, live_user, live_db, live_clock, screenshot
):
    regulator = live_user("regulator")
    maker = live_user("manufacturer", region_code="320000")
    hospital = live_user("hospital", region_code="310101")
    request_id, _ = _seed(live_db, live_clock, regulator, maker, hospital)
    with live_db() as session:
        reg = actor_of(session.get(User, regulator.user_id))
        listing.reject_request(
            session,
            request_id=request_id,
            reason="x",
            rules=ListingRules(),
            now=live_clock.now(),
            actor=reg,
        )
        product_id = session.get(listing_models.ListingRequest, request_id).product_id
        request = listing.file_listing_request(
            session,
            product_id=product_id,
            region_code="320000",
            unit_price=Decimal("0.2900"),
            evidence="不高于中选价1.5倍",
            rules=ListingRules(),
            now=live_clock.now(),
            actor=actor_of(session.get(User, maker.user_id)),
        )
        approved = listing.approve_request(
            session,
            request_id=request.id,
            reason=None,
            rules=ListingRules(),
            now=live_clock.now(),
            actor=reg,
        )
        listing_id = approved.listing.id
    page.set_viewport_size(PHONE)
    page.goto("/public/listings")
    page.get_by_label("通用名或商品名").fill("代文")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    row = page.locator(f"tr[data-listing='{listing_id}']")
    assert "¥0.2900" in row.inner_text()
    assert "江苏省" in row.inner_text()
    _both_sizes(page, screenshot, "listing-public")
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    assert "0.2900" in download.value.path().read_text(encoding="utf-8-sig")
