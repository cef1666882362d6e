"""The API rate limit: requests counted per key (an API token, or a client address) in fixed
windows of the injectable clock, in the database so every worker process shares the count."""

from __future__ import annotations

import functools
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import Insert, Update, bindparam, case, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procurement.auth.models import ApiRateCounter
from procurement.core.errors import DomainError
from procurement.core.rates import Rate
from procurement.db import UtcDateTime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RateLimited(DomainError):
    """Too many API requests in this window; wait ``retry_after`` seconds."""

    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, *, rate: Rate, retry_after: int) -> None:
        super().__init__(
            f"Too many API requests: the limit is {rate.text} per token, or per client address "
            f"without one (API_RATE_LIMIT); try again in {retry_after} seconds.",
            setting="API_RATE_LIMIT",
            limit=rate.text,
            retry_after=retry_after,
        )
        self.retry_after = retry_after


def window_start(now: datetime, seconds: int) -> datetime:
    elapsed = math.floor((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


def count_request(session: Session, *, key: str, rate: Rate, now: datetime) -> None:
    """Count one request for ``key`` (committed at once, whatever the request then does);
    raise RateLimited when the key is over ``rate`` in the current window."""
    start = window_start(now, rate.seconds)
    params = {"b_key": key, "b_start": start}
    connection = session.connection()
    count = connection.execute(_bump(), params).scalar()
    if count is None:
        try:
            with session.begin_nested():
                connection.execute(_first(), params)
            count = 1
        except IntegrityError:  # another worker counted this key's first request
            count = connection.execute(_bump(), params).scalar_one()
    session.commit()
    if count > rate.requests:
        end = start + timedelta(seconds=rate.seconds)
        raise RateLimited(rate=rate, retry_after=max(1, math.ceil((end - now).total_seconds())))


# Built once (on first use, not at import): this runs before every API request, and building
# the statement cost more than running it.
@functools.cache
def _bump() -> Update:
    table = ApiRateCounter.__table__
    start = bindparam("b_start", type_=UtcDateTime())
    return (
        update(table)
        .where(table.c.key == bindparam("b_key"))
        .values(
            requests=case((table.c.window_started_at == start, table.c.requests + 1), else_=1),
            window_started_at=start,
        )
        .returning(table.c.requests)
    )


@functools.cache
def _first() -> Insert:
    table = ApiRateCounter.__table__
    return insert(table).values(
        key=bindparam("b_key"),
        requests=1,
        window_started_at=bindparam("b_start", type_=UtcDateTime()),
    )
