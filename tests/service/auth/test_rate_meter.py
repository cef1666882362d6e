"""The API rate limit's meter: each worker counts in memory and shares its count through the
database in batches of a twentieth of the limit, so the limit holds across workers to within
one batch per worker, and most requests write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from procurement.auth.models import ApiRateCounter
from procurement.auth.services.ratelimit import RateLimited, RateMeter
from procurement.core.rates import Rate

KEY = "token:shared-by-two-workers"


def _shared(db_session) -> int | None:
    return db_session.scalar(select(ApiRateCounter.requests).where(ApiRateCounter.key == KEY))


def test_a_worker_writes_its_count_once_a_batch(db_session, clock):
    rate = Rate.parse("40 per minute")  # a batch of 2
    meter = RateMeter()
    for _ in range(9):
        meter.count(db_session, key=KEY, rate=rate, now=clock.now())
    assert _shared(db_session) == 8  # the ninth waits for the tenth


def test_two_workers_hold_the_limit_to_within_a_batch_each(db_session, clock):
    rate, now = Rate.parse("40 per minute"), clock.now()
    first, second = RateMeter(), RateMeter()
    for _ in range(20):
        first.count(db_session, key=KEY, rate=rate, now=now)
    for _ in range(20):
        second.count(db_session, key=KEY, rate=rate, now=now)
    assert _shared(db_session) == 40
    # the first worker has not heard of the second's 20: one more (less than a batch) passes,
    # then it shares, sees 42 and refuses; the second knows the total and refuses at once
    first.count(db_session, key=KEY, rate=rate, now=now)
    with pytest.raises(RateLimited):
        first.count(db_session, key=KEY, rate=rate, now=now)
    with pytest.raises(RateLimited):
        second.count(db_session, key=KEY, rate=rate, now=now)


def test_a_small_limit_is_shared_on_every_request_and_exact(db_session, clock):
    rate, now = Rate.parse("3 per minute"), clock.now()
    first, second = RateMeter(), RateMeter()
    first.count(db_session, key=KEY, rate=rate, now=now)
    second.count(db_session, key=KEY, rate=rate, now=now)
    first.count(db_session, key=KEY, rate=rate, now=now)
    with pytest.raises(RateLimited):
        second.count(db_session, key=KEY, rate=rate, now=now)
