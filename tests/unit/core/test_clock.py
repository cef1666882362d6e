from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from procurement.core.clock import (
    DEFAULT_BUSINESS_ZONE,
    FrozenClock,
    SystemClock,
    as_utc,
    business_date,
    day_start,
    set_business_zone,
)

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_frozen_clock_stands_still_until_moved():
    clock = FrozenClock(START)
    assert clock.now() == START
    assert clock.now() == START


def test_advance_moves_by_a_delta_or_by_keywords_and_returns_the_new_time():
    clock = FrozenClock(START)
    assert clock.advance(hours=1, minutes=30) == START + timedelta(hours=1, minutes=30)
    assert clock.advance(timedelta(days=2)) == START + timedelta(days=2, hours=1, minutes=30)
    assert clock.now() == START + timedelta(days=2, hours=1, minutes=30)


def test_set_converts_other_timezones_to_utc():
    clock = FrozenClock(START)
    beijing = timezone(timedelta(hours=8))
    clock.set(datetime(2026, 3, 1, 8, 0, tzinfo=beijing))
    assert clock.now() == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_naive_times_are_taken_as_utc():
    assert as_utc(datetime(2026, 1, 1, 12)) == datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_the_system_clock_is_aware_utc_and_current():
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)


@pytest.mark.parametrize("start", [START, datetime(2026, 1, 5, 17, 0)])
def test_a_frozen_clock_always_reports_utc(start):
    assert FrozenClock(start).now().utcoffset() == timedelta(0)


def test_a_business_date_is_the_date_in_china_not_in_utc():
    assert business_date(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert business_date(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)
    # 23:30 UTC is 07:30 the next morning in Beijing
    assert business_date(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)) == date(2026, 3, 2)


def test_a_business_day_starts_at_midnight_china_standard_time():
    assert day_start(date(2026, 3, 2)) == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert day_start(date(2026, 3, 2)).tzinfo is UTC


def test_the_business_zone_is_a_setting():
    try:
        set_business_zone("Europe/London")
        assert business_date(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)) == date(2026, 3, 1)
        assert day_start(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)  # BST
    finally:
        set_business_zone(DEFAULT_BUSINESS_ZONE)
