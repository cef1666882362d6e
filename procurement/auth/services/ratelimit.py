"""The API rate limit: requests counted per key (an API token, or a client address) in fixed
windows of the injectable clock, shared through the database so every worker process and
machine sees the count (:class:`RateMeter`)."""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Insert, Integer, Update, bindparam, case, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procurement.auth.models import ApiRateCounter
from procurement.core.errors import N_, Throttled
from procurement.core.rates import Rate
from procurement.db import UtcDateTime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RateLimited(Throttled):
    code = "rate-limited"
    title = N_("Too many requests")
    when = N_("A token or client address makes more API requests than API_RATE_LIMIT allows.")
    template = N_(
        "Too many API requests: the limit is {limit} per token, or per client address without "
        "one (API_RATE_LIMIT); try again in {retry_after} seconds."
    )

    def __init__(self, *, rate: Rate, retry_after: int) -> None:
        super().__init__(setting="API_RATE_LIMIT", limit=rate.text, retry_after=retry_after)


def window_start(now: datetime, seconds: int) -> datetime:
    elapsed = math.floor((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


SHARES_PER_WINDOW = 20  # a process shares its count after each 1/20 of the limit
KEYS_REMEMBERED = 10_000  # keys a process tallies before it forgets those of past windows


@dataclass
class _Tally:
    window: datetime
    shared: int = 0  # the key's total in the database when this process last shared
    pending: int = 0  # this process's requests not shared yet


class RateMeter:
    """Counts API requests per key in one process and shares the count through the database
    (``api_rate_counters``, so every worker and machine sees it) in batches: after each
    ``limit / SHARES_PER_WINDOW`` requests, and whenever the key seems over its limit, which is
    then checked against the shared total. A request costs a database write only at those
    moments, so the limit holds across workers to within one batch per worker (a small limit,
    20 or fewer a window, is shared on every request and exact)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}

    def count(self, session: Session, *, key: str, rate: Rate, now: datetime) -> None:
        """Count one request for ``key``; raise RateLimited when it is over ``rate``."""
        start = window_start(now, rate.seconds)
        batch = max(1, rate.requests // SHARES_PER_WINDOW)
        with self._lock:
            tally = self._tally(key, start)
            tally.pending += 1
            total = tally.shared + tally.pending
            share = tally.pending if tally.pending >= batch or total > rate.requests else 0
            tally.pending -= share
        if share:
            shared = add_requests(session, key=key, start=start, count=share)
            with self._lock:
                tally.shared = shared
                total = shared + tally.pending
        if total > rate.requests:
            end = start + timedelta(seconds=rate.seconds)
            retry = max(1, math.ceil((end - now).total_seconds()))
            raise RateLimited(rate=rate, retry_after=retry)

    def _tally(self, key: str, start: datetime) -> _Tally:
        tally = self._tallies.get(key)
        if tally is None or tally.window != start:
            if len(self._tallies) >= KEYS_REMEMBERED:
                self._tallies = {k: t for k, t in self._tallies.items() if t.window == start}
            tally = self._tallies[key] = _Tally(start)
        return tally


def add_requests(session: Session, *, key: str, start: datetime, count: int) -> int:
    """Add ``count`` requests to ``key``'s window starting at ``start`` (committed at once,
    whatever the request then does); returns the window's shared total."""
    params = {"b_key": key, "b_start": start, "b_count": count}
    connection = session.connection()
    total = connection.execute(_bump(), params).scalar()
    if total is None:
        try:
            with session.begin_nested():
                connection.execute(_first(), params)
            total = count
        except IntegrityError:  # another worker counted this key's first request
            total = connection.execute(_bump(), params).scalar_one()
    session.commit()
    return total


# Built once (on first use, not at import): building a statement costs more than running it.
@functools.cache
def _bump() -> Update:
    table = ApiRateCounter.__table__
    start = bindparam("b_start", type_=UtcDateTime())
    count = bindparam("b_count", type_=Integer())
    return (
        update(table)
        .where(table.c.key == bindparam("b_key"))
        .values(
            requests=case(
                (table.c.window_started_at == start, table.c.requests + count), else_=count
            ),
            window_started_at=start,
        )
        .returning(table.c.requests)
    )


@functools.cache
def _first() -> Insert:
    table = ApiRateCounter.__table__
    return insert(table).values(
        key=bindparam("b_key"),
        requests=bindparam("b_count", type_=Integer()),
        window_started_at=bindparam("b_start", type_=UtcDateTime()),
    )
