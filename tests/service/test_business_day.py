"""Calendar dates are business dates (Asia/Shanghai by default), never UTC dates: checked at the
day boundary, 23:30 UTC (07:30 the next morning in China) and 00:30 China Standard Time
(16:30 UTC the day before)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from procurement.compliance.dashboard.services import dashboard
from procurement.compliance.progress import queries
from procurement.core.errors import Conflict, RuleViolation
from procurement.settlement import services as settlement
from tests.oracles.compliance_dashboard import dashboard_from_scratch


def _starting(db_session, world, first_day: date):
    world.contract.period_start = first_day
    db_session.commit()
    return world


def test_an_order_on_the_contracts_first_day_is_accepted_at_0030_china_time(
    make_contract, place, db_session, clock
):
    world = _starting(db_session, make_contract(), date(2026, 1, 6))
    clock.set(datetime(2026, 1, 5, 16, 30, tzinfo=UTC))  # 2026-01-06 00:30 CST
    placed = place(world, packs=1)
    assert placed.order_id


def test_an_order_at_2330_china_time_the_evening_before_is_refused(
    make_contract, place, db_session, clock
):
    world = _starting(db_session, make_contract(), date(2026, 1, 6))
    clock.set(datetime(2026, 1, 5, 15, 30, tzinfo=UTC))  # 2026-01-05 23:30 CST
    with pytest.raises(RuleViolation) as refused:
        place(world, packs=1)
    assert refused.value.code == "contract-not-active"


def test_at_2330_utc_on_the_last_day_the_contract_has_already_ended_in_china(
    make_contract, place, db_session, clock
):
    world = make_contract()
    last_day = world.contract.period_end
    clock.set(datetime(last_day.year, last_day.month, last_day.day, 15, 30, tzinfo=UTC))
    assert place(world, packs=1).order_id  # 23:30 CST on the last day: still in force
    clock.set(datetime(last_day.year, last_day.month, last_day.day, 23, 30, tzinfo=UTC))
    with pytest.raises(RuleViolation) as refused:  # 07:30 CST the day after
        place(world, packs=1)
    assert refused.value.code == "contract-not-active"


def test_a_receipt_at_0030_china_time_belongs_to_the_next_days_cut_off(
    make_contract, accept, fund_actor, db_session, clock
):
    world = make_contract(pack_size=1, unit_price="1.0000")
    clock.set(datetime(2026, 1, 5, 16, 30, tzinfo=UTC))  # accepted 2026-01-06 00:30 CST
    accept(world, packs=7)
    with pytest.raises(Conflict) as on_the_5th:
        settlement.start_run(
            db_session,
            cut_off=date(2026, 1, 5),
            idempotency_key="r5",
            now=clock.now(),
            actor=fund_actor,
        )
    assert on_the_5th.value.code == "nothing-due"
    on_the_6th = settlement.start_run(
        db_session,
        cut_off=date(2026, 1, 6),
        idempotency_key="r6",
        now=clock.now(),
        actor=fund_actor,
    )
    assert on_the_6th.total_amount == 7


def test_the_completion_curve_counts_a_receipt_by_its_china_month(
    comp_world, deliver, db_session, clock
):
    clock.set(datetime(2026, 1, 20, 2, 0, tzinfo=UTC))
    world = comp_world(hospitals=1, agreed=1000)
    clock.set(datetime(2026, 1, 31, 16, 30, tzinfo=UTC))  # 2026-02-01 00:30 CST
    deliver(world, world.contract(0), 100)
    clock.set(datetime(2026, 2, 10, 2, 0, tzinfo=UTC))
    for compute in (dashboard_from_scratch, dashboard):
        board = compute(
            db_session, tender_id=world.tender.id, year=1, now=clock.now(), actor=world.reg
        )
        by_day = {point.day: point.completion for point in board.curve}
        # January ends with nothing accepted; February holds the 100 of 1,000 units
        assert by_day[date(2026, 1, 31)] == 0, compute
        assert by_day[date(2026, 2, 10)] == Decimal("0.1000"), compute


def test_the_progress_window_counts_todays_china_date(comp_world, db_session, clock):
    clock.set(datetime(2026, 1, 20, 2, 0, tzinfo=UTC))
    world = comp_world(hospitals=1, agreed=1000)
    filters = queries.Filters(tender_id=world.tender.id)
    window = queries.contract_window(
        db_session, filters, datetime(2026, 1, 20, 23, 30, tzinfo=UTC), rules=None
    )
    assert window.as_of == date(2026, 1, 21)
