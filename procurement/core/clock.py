"""Every "now" in the platform comes from here, so tests and the demo can move time.

Production uses :class:`SystemClock`. Tests and `procurement demo` use :class:`FrozenClock`
and move it forward explicitly. All times are timezone-aware UTC.

Calendar dates (today, contract days, deadline dates, statement periods, cut-offs, month
buckets) are taken in the platform's **business time zone** (setting ``BUSINESS_TIMEZONE``,
default ``Asia/Shanghai``), never as UTC dates: :func:`business_date` turns an instant into its
business date and :func:`day_start` a business date into the instant its day begins. The zone is
one per deployment, set once when the app starts (:func:`set_business_zone`).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_BUSINESS_ZONE = "Asia/Shanghai"
_business_zone = ZoneInfo(DEFAULT_BUSINESS_ZONE)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to. Thread-safe."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = as_utc(when)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._now += step
            return self._now


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (SQLite returns them naive); aware ones are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def set_business_zone(name: str) -> None:
    """Make ``name`` (an IANA zone, e.g. ``Asia/Shanghai``) the zone of every calendar date."""
    global _business_zone
    _business_zone = ZoneInfo(name)


def business_zone() -> ZoneInfo:
    return _business_zone


def business_date(instant: datetime) -> date:
    """The calendar date of ``instant`` in the business time zone."""
    return as_utc(instant).astimezone(_business_zone).date()


def business_time(instant: datetime) -> datetime:
    """``instant`` on the business time zone's wall clock (for sentences people read)."""
    return as_utc(instant).astimezone(_business_zone)


def business_month(instant: datetime) -> str:
    """``instant``'s business month as ``YYYY-MM``."""
    return business_date(instant).strftime("%Y-%m")


def day_start(day: date) -> datetime:
    """The UTC instant at which the business day ``day`` begins (its midnight)."""
    return datetime.combine(day, time.min, tzinfo=_business_zone).astimezone(UTC)
