"""A violation-list ban the regulator records without an end date lasts the default 12 months
(RULES.md 8, VIOLATION_BAN_MONTHS); one with an end date keeps it; credit bans stay open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from procurement.auth.services import actor_of
from procurement.bidding import services
from procurement.bidding.services.bans import VIOLATION_BAN_MONTHS, add_months
from procurement.core.clock import as_utc


@pytest.mark.parametrize(
    ("start", "until"),
    [
        # 2026-03-15 10:00 CST -> 2027-03-15 10:00 CST
        (datetime(2026, 3, 15, 2, 0, tzinfo=UTC), datetime(2027, 3, 15, 2, 0, tzinfo=UTC)),
        # 2028-02-29 08:00 CST: 2029 has no 29 February -> 2029-02-28 08:00 CST
        (datetime(2028, 2, 29, 0, 0, tzinfo=UTC), datetime(2029, 2, 28, 0, 0, tzinfo=UTC)),
        # 2026-12-31 23:30 UTC is 2027-01-01 07:30 CST -> 2028-01-01 07:30 CST
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), datetime(2027, 12, 31, 23, 30, tzinfo=UTC)),
    ],
)
def test_twelve_months_on_the_business_calendar(start, until):
    assert VIOLATION_BAN_MONTHS == 12
    assert add_months(start, VIOLATION_BAN_MONTHS) == until


def _ban(db_session, clock, regulator, maker, **data):
    data = {"manufacturer_id": maker.organization_id, "level": "violation-list", **data}
    return services.create_ban(db_session, data=data, now=clock.now(), actor=actor_of(regulator))


def test_a_ban_without_an_end_date_lasts_twelve_months(db_session, clock, make_user, regulator):
    maker = make_user(kind="manufacturer")
    start = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
    ban = _ban(db_session, clock, regulator, maker, reason="gave up a win", starts_at=start)
    db_session.expire_all()
    assert as_utc(ban.until) == datetime(2027, 3, 15, 2, 0, tzinfo=UTC)
    assert ban.active_at(datetime(2027, 3, 15, 1, 59, tzinfo=UTC))
    assert not ban.active_at(datetime(2027, 3, 15, 2, 0, tzinfo=UTC))


def test_a_given_end_date_is_kept_and_a_ban_from_now_ends_a_year_later(
    db_session, clock, make_user, regulator
):
    maker = make_user(kind="manufacturer")
    six_months = clock.now() + timedelta(days=182)
    kept = _ban(db_session, clock, regulator, maker, reason="late supply", until=six_months)
    assert as_utc(kept.until) == six_months
    fresh = _ban(db_session, clock, regulator, maker, reason="r")
    assert as_utc(fresh.until) == add_months(clock.now(), 12)
    assert as_utc(fresh.starts_at) == clock.now()
