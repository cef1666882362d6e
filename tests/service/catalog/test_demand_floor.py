"""The demand floor (RULES.md 10): a report must reach floor_share (0.8) x the hospital's
average annual usage over the previous floor_years (2) years, from its accepted purchases on
the platform or, where it has none, the last-year usage it reports. "refuse" refuses a lower
report; "reason" takes it with a reason the regulator confirms before the lot's demand can be."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.auth.services import actor_of
from procurement.catalog import services
from procurement.catalog.errors import (
    DemandBelowFloor,
    DemandFloorNotConfirmed,
    FloorConfirmationNotNeeded,
)
from procurement.catalog.floor import demand_floor, usage_window
from procurement.catalog.models import DemandReport, DemandRevision
from procurement.catalog.services.usage import ORDER_LINES, RECEIPT_LINES
from procurement.db import Base

REFUSE, REASON = {"floor_mode": "refuse"}, {"floor_mode": "reason"}


def submit(session, tender, user, quantity, usage, now, reason=None):
    line = {"lot_code": "L01", "quantity": quantity, "last_year_usage": usage}
    if reason:
        line["floor_reason"] = reason
    return services.submit_demand(
        session, tender_id=tender.id, lines=[line], now=now, actor=actor_of(user)
    )


def count(session, model):
    return session.scalar(select(func.count(model.id)))


def test_the_floor_rounds_up_and_comes_from_the_platform_when_it_has_purchases():
    # 3,801 units over 2 years: 1,900.5 a year; 0.8 x 1,900.5 = 1,520.4 -> 1,521
    floor = demand_floor(share=Decimal("0.8"), years=2, platform_usage=3801, last_year_usage=10)
    assert (floor.quantity, floor.average, floor.source) == (1521, Decimal("1900.5"), "platform")
    floor = demand_floor(share=Decimal("0.8"), years=2, platform_usage=0, last_year_usage=1001)
    assert (floor.quantity, floor.source) == (801, "reported")  # 800.8 -> 801
    assert usage_window(date(2026, 3, 1), 2) == (date(2024, 3, 1), date(2026, 3, 1))
    assert usage_window(date(2028, 2, 29), 2) == (date(2026, 2, 28), date(2028, 2, 29))


@pytest.mark.parametrize("mode", [REFUSE, REASON])
def test_exactly_80_percent_of_the_reported_usage_is_accepted(
    db_session, clock, make_tender, make_user, mode
):
    tender = make_tender("demand_open", rules_overrides=mode)
    [report] = submit(db_session, tender, make_user(kind="hospital"), 800, 1000, clock.now())
    assert (report.quantity, report.floor_quantity, report.floor_reason) == (800, None, None)


def test_just_below_is_refused_naming_the_floor_the_average_and_its_source(
    db_session, clock, make_tender, make_user
):
    tender = make_tender("demand_open", rules_overrides=REFUSE)
    with pytest.raises(DemandBelowFloor) as caught:
        submit(db_session, tender, make_user(kind="hospital"), 799, 1000, clock.now(), "why")
    problem = caught.value
    assert problem.code == "demand-below-floor"
    assert (problem.params["floor"], problem.params["average"]) == (800, "1000")
    assert problem.params["share"] == "80 %"
    assert problem.detail.startswith(
        "Lot L01: 799 is below the demand floor 800 (80 % of the average annual usage 1000, "
        "from the reported last-year usage)."
    )
    assert list(problem.extra["errors"]) == ["rows.0.quantity"]
    db_session.rollback()
    assert count(db_session, DemandReport) == 0


@pytest.fixture
def bought(make_contract, accept, make_user):
    """A hospital that accepted 2,800 + 1,000 (of 1,400 shipped) = 3,800 amlodipine tablets on
    the platform, and 2,800 metformin tablets (another generic name: not counted)."""
    hospital = make_user(kind="hospital", region_code="310101")
    world = make_contract(hospital=hospital, agreed=100_000)
    accept(world, packs=100)
    accept(world, packs=50, accepted=1000)
    accept(make_contract(hospital=hospital, generic="二甲双胍", agreed=100_000), packs=100)
    return hospital


def test_the_floor_from_platform_purchases_at_exactly_80_percent_and_just_below(
    db_session, clock, make_tender, bought
):
    # 3,800 accepted over the 2 years before the contract start: 1,900 a year, floor 1,520
    tender = make_tender("demand_open", rules_overrides=REFUSE)
    floors = services.demand_floors(db_session, tender_id=tender.id, actor=actor_of(bought))
    assert {(f.quantity, f.average, f.source) for f in floors.values()} == {
        (1520, Decimal("1900"), "platform")
    }
    with pytest.raises(DemandBelowFloor) as caught:
        submit(db_session, tender, bought, 1519, 100, clock.now())  # reported usage ignored
    assert caught.value.params["floor"] == 1520
    assert caught.value.params["source"] == "platform purchases"
    db_session.rollback()
    [report] = submit(db_session, tender, bought, 1520, 100, clock.now())
    assert report.quantity == 1520


def test_purchases_outside_the_two_years_do_not_count(db_session, clock, make_tender, bought):
    # a tender whose contract starts over 2 years after the purchases: none in its window
    start = (clock.now() + timedelta(days=2 * 366 + 30)).date()
    tender = make_tender("demand_open", rules_overrides=REFUSE, contract_start=start)
    floors = services.demand_floors(db_session, tender_id=tender.id, actor=actor_of(bought))
    assert floors == {}
    [report] = submit(db_session, tender, bought, 80, 100, clock.now())
    assert report.quantity == 80


def test_a_low_report_with_a_reason_waits_for_the_regulators_confirmation(
    db_session, clock, make_tender, make_user, regulator
):
    tender = make_tender("demand_open", rules_overrides=REASON)
    hospital = make_user(kind="hospital")
    with pytest.raises(DemandBelowFloor) as caught:
        submit(db_session, tender, hospital, 799, 1000, clock.now())
    assert "give a reason" in caught.value.detail
    db_session.rollback()
    [report] = submit(db_session, tender, hospital, 799, 1000, clock.now(), "ward closed")
    assert (report.floor_quantity, report.floor_source) == (800, "reported")
    assert report.floor_reason == report.revisions[-1].floor_reason == "ward closed"
    clock.advance(days=8)  # past the demand deadline
    boss = actor_of(regulator)
    totals = services.demand_totals(db_session, tender_id=tender.id, actor=boss)
    lot = totals.lots[0]
    assert (lot.lot_code, lot.below_floor, lot.below_floor_pending) == ("L01", 1, 1)
    with pytest.raises(DemandFloorNotConfirmed) as refused:
        services.confirm_demand(db_session, tender_id=tender.id, now=clock.now(), actor=boss)
    assert refused.value.params["lots"] == "L01"
    db_session.rollback()
    assert db_session.get(DemandReport, report.id).confirmed_quantity is None
    confirmed = services.confirm_low_report(
        db_session, report_id=report.id, now=clock.now(), actor=boss
    )
    assert confirmed.floor_confirmed_at == clock.now()
    totals = services.confirm_demand(db_session, tender_id=tender.id, now=clock.now(), actor=boss)
    assert totals.lots[0].confirmed_quantity == 799


def test_only_a_report_below_its_floor_is_confirmed(
    db_session, clock, make_tender, make_user, regulator
):
    tender = make_tender("demand_open", rules_overrides=REASON)
    [report] = submit(db_session, tender, make_user(kind="hospital"), 800, 1000, clock.now())
    with pytest.raises(FloorConfirmationNotNeeded):
        services.confirm_low_report(
            db_session, report_id=report.id, now=clock.now(), actor=actor_of(regulator)
        )


def test_a_revision_after_the_confirmation_needs_a_new_one(
    db_session, clock, make_tender, make_user, regulator
):
    tender = make_tender("demand_open", rules_overrides=REASON)
    hospital = make_user(kind="hospital")
    [report] = submit(db_session, tender, hospital, 700, 1000, clock.now(), "ward closed")
    services.confirm_low_report(
        db_session, report_id=report.id, now=clock.now(), actor=actor_of(regulator)
    )
    [report] = submit(db_session, tender, hospital, 600, 1000, clock.now(), "ward closed")
    assert (report.version, report.floor_confirmed_at) == (2, None)
    [report] = submit(db_session, tender, hospital, 900, 1000, clock.now())
    assert (report.floor_quantity, report.floor_reason) == (None, None)
    assert count(db_session, DemandRevision) == 3


def test_the_floor_is_off_by_default(db_session, clock, make_tender, make_user):
    tender = make_tender("demand_open")
    [report] = submit(db_session, tender, make_user(kind="hospital"), 1, 1000, clock.now())
    assert report.quantity == 1


def test_the_usage_read_names_real_columns_of_the_orders_tables():
    for light in (RECEIPT_LINES, ORDER_LINES):
        real = Base.metadata.tables[light.name]
        assert {c.name for c in light.columns} <= {c.name for c in real.columns}
