"""The regulator runs an award on its page, confirms it, and the public results appear."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from procurement.auth.models import User
from procurement.auth.services import actor_of
from procurement.bidding import services as bidding
from procurement.bidding.seal import Sealer
from procurement.catalog import services as catalog
from tests.e2e.conftest import SEAL_KEY

pytestmark = pytest.mark.e2e
DAY = timedelta(days=1)
LOT = {
    "code": "L01",
    "generic_name": "瑞舒伐他汀",
    "dosage_form": "片剂",
    "dosage_class": "oral_solid",
    "reference_strength": Decimal("10"),
    "strength_unit": "mg",
    "smallest_unit": "tablet",
    "ceiling_unit_price": Decimal("1.0000"),
    "reference_unit_price": Decimal("2.5000"),
}


def _actor(session, user):
    return actor_of(session.get(User, user.user_id))


def _tender(session, reg, start, code):
    tender = catalog.create_tender(
        session,
        data={
            "code": code,
            "name": "E2E 集采 award",
            "category": "drug",
            "region_scope": ["310000", "320000"],
            "demand_deadline": start + DAY,
            "bid_deadline": start + 3 * DAY,
            "opening_at": start + 3 * DAY,
            "contract_start": (start + 30 * DAY).date(),
            "contract_years": 2,
        },
        now=start,
        actor=reg,
    )
    catalog.add_lot(session, tender_id=tender.id, data=LOT, now=start, actor=reg)
    catalog.open_demand(session, tender_id=tender.id, now=start, actor=reg)
    return tender.id


def _bid(session, tender_id, user, price, n, when):
    actor = _actor(session, user)
    product = catalog.register_product(
        session,
        data={
            "approval_number": f"国药准字H2098{user.user_id:04d}",
            "generic_name": "瑞舒伐他汀",
            "dosage_form": "片剂",
            "dosage_class": "oral_solid",
            "strength": Decimal("10"),
            "strength_unit": "mg",
            "smallest_unit": "tablet",
            "pack_size": 10,
            "consistency_evaluated": True,
            "approval_date": date(2020, 1, 1),
        },
        now=when,
        actor=actor,
    )
    lot_id = catalog.get_tender(session, tender_id=tender_id, actor=actor).lots[0].id
    bidding.submit_bid(
        session,
        lot_id=lot_id,
        now=when,
        actor=actor,
        sealer=Sealer([SEAL_KEY]),
        data={
            "product_id": product.id,
            "price_per_pack": Decimal(price),
            "capacity": 50_000 * n,
            "note": "",
            "revival_opt_in": False,
            "cost_commitment": True,
        },
    )


def seed(live_db, live_clock, regulator, hospitals, makers):
    start = live_clock.now()
    with live_db() as session:
        reg = _actor(session, regulator)
        tender_id = _tender(session, reg, start, f"E2E-AWD-{regulator.user_id}")
        for hospital, quantity in hospitals:
            catalog.submit_demand(
                session,
                tender_id=tender_id,
                now=start,
                actor=_actor(session, hospital),
                lines=[{"lot_code": "L01", "quantity": quantity, "last_year_usage": quantity}],
            )
        catalog.open_bidding(session, tender_id=tender_id, now=start + DAY, actor=reg)
        catalog.confirm_demand(session, tender_id=tender_id, now=start + DAY, actor=reg)
        for n, (maker, price) in enumerate(makers, start=1):
            _bid(session, tender_id, maker, price, n, start + DAY)
        bidding.open_bids(
            session,
            tender_id=tender_id,
            now=start + 3 * DAY,
            actor=reg,
            sealer=Sealer([SEAL_KEY]),
        )
    return tender_id


def test_the_regulator_runs_and_confirms_an_award_in_the_browser(
    page, live_user, live_db, live_clock, log_in, screenshot
):
    regulator = live_user("regulator")
    hospitals = [
        (live_user("hospital", region_code="310101"), 10_000),
        (live_user("hospital", region_code="320102"), 6_000),
    ]
    makers = [
        (live_user("manufacturer"), "3.0000"),
        (live_user("manufacturer"), "4.5000"),
        (live_user("manufacturer"), "9.0000"),
    ]
    tender_id = seed(live_db, live_clock, regulator, hospitals, makers)
    live_clock.advance(days=3, hours=1)

    log_in(page, regulator)
    page.goto("/regulator/award")
    page.get_by_role("link", name=f"E2E-AWD-{regulator.user_id}").click()
    page.get_by_test_id("granularity").select_option("region")
    page.get_by_test_id("start-run").click()
    assert page.get_by_test_id("lot-status-L01").inner_text().startswith("已中选")
    screenshot(page, "award-run")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_test_id("confirm-run").click()
    assert page.get_by_test_id("tender-status").inner_text() == "已中选"
    page.get_by_test_id("in-force").click()
    assert page.get_by_test_id("tender-status").inner_text() == "执行中"
    assert len(asked) == 2  # confirming the run and putting it in force each asked first
    assert "无法撤销" in asked[0]

    page.goto(f"/public/results/{tender_id}")
    text = page.get_by_test_id("public-lot-L01").inner_text()
    # 3 bidders -> shortlist 2: 0.3000 and 0.4500 (1.5x) win; 0.9000 ranks 3rd and loses.
    assert "0.3000" in text
    assert "0.4500" in text
    assert "0.9000" not in page.content()
    screenshot(page, "award-public-results")
