"""Shortage monitoring (短缺药品监测, RULES.md 14): the reporting calendar, stock cover and the
graded response county -> city -> province -> national. Pure: plain values in, plain values
out; no database, no clock (``today`` is passed in).

Definitions (the platform's, documented here once):

- **Reporting period**: a month ``YYYY-MM``. Its report (production in that month, stock on
  hand at its end, supply capacity in units per month) is due by day ``report_day`` of the next
  month (national practice: 每月10日前报送上月情况). It is missing from the day after.
- **Daily demand** of a product in a county: the agreed volumes of the running contracts of the
  county's buyers for it, divided by the days of the contract year. Agreed volumes, not recent
  orders: they are what the supplier committed to cover, and a quiet month of orders would
  otherwise read as plenty of cover.
- **Stock cover** of a county for a lot, in days: each supplier's reported stock is spread over
  the counties it supplies in proportion to their daily demand; the county's cover is the stock
  so assigned to it over its daily demand. One supplier: its stock / its total daily demand.
  Suppliers without a report are left out (their missing report is its own alert).
- **Unfilled order**: an order placed or confirmed (or partly shipped) with quantity still
  unshipped past its delivery deadline; it has been unfilled for the whole days since then.
- **Shortage** of a county for a lot: cover under ``cover_days``, or an order unfilled for
  ``unfilled_days``. Its duration counts from when it began (the oldest unfilled order's
  deadline, or the day the check first found the cover low). Level by duration: city from
  ``city_days``, province from ``province_days``, national from ``national_days``; by breadth:
  city when ``breadth`` counties of one city are short, province when ``breadth`` of its cities
  are at city level or above, national when ``breadth`` provinces are at province level.
- A **missing report** is graded by how long it is overdue with the same day counts (county
  from the first day)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Level(StrEnum):
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"
    NATIONAL = "national"


LEVELS = (Level.COUNTY, Level.CITY, Level.PROVINCE, Level.NATIONAL)
NATION = "000000"  # the level region of a national shortage (no GB/T 2260 code of its own)
PERIOD_LENGTH = 7  # YYYY-MM


@dataclass(frozen=True)
class ShortageRules:
    """Platform defaults (RULES.md 14); each a named parameter."""

    shortage_report_day: int = 10  # reports of a month are due by this day of the next
    shortage_cover_days: int = 15  # county level when stock cover is under this many days
    shortage_unfilled_days: int = 3  # ... or an order has been unfilled this many days
    shortage_city_days: int = 7  # city level after this many days
    shortage_province_days: int = 14
    shortage_national_days: int = 30
    shortage_breadth: int = 2  # regions of the level below that make the level above
    shortage_lookback_months: int = 12  # periods checked for missing reports
    shortage_max_quantity: int = 10**12  # the largest production/stock/capacity accepted


RULES = ShortageRules()


def city_of(region: str) -> str:
    """310101 -> 310100."""
    return region[:4] + "00"


def province_of(region: str) -> str:
    """310101 -> 310000."""
    return region[:2] + "0000"


def region_at(region: str, level: Level) -> str:
    """The region responsible at ``level`` for a county: itself, its city, province, nation."""
    return {
        Level.COUNTY: region,
        Level.CITY: city_of(region),
        Level.PROVINCE: province_of(region),
        Level.NATIONAL: NATION,
    }[level]


def higher(a: Level, b: Level) -> Level:
    return a if LEVELS.index(a) >= LEVELS.index(b) else b


# --- the reporting calendar ---


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def period_start(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def period_end(period: str) -> date:
    """The last day of the period's month."""
    year, month = int(period[:4]), int(period[5:7])
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(first_next.toordinal() - 1)


def due_date(period: str, rules: ShortageRules = RULES) -> date:
    """The day a period's report is due: ``report_day`` of the next month (2026-11 -> 12-10)."""
    nxt = period_end(period).toordinal() + 1
    first = date.fromordinal(nxt)
    return first.replace(day=rules.shortage_report_day)


def overdue_periods(today: date, rules: ShortageRules = RULES) -> list[str]:
    """The periods whose due date has passed by ``today``, newest first, ``lookback`` of them.
    On 2026-12-10 the newest is 2026-10 (11's report is due that day); on 12-11 it is 2026-11."""
    period = previous_period(period_of(today))
    if today <= due_date(period, rules):
        period = previous_period(period)
    out = []
    for _ in range(rules.shortage_lookback_months):
        out.append(period)
        period = previous_period(period)
    return out


def open_period(today: date, rules: ShortageRules = RULES) -> str:
    """The period a manufacturer reports now: last month's (due this month)."""
    return previous_period(period_of(today))


def days_overdue(period: str, today: date, rules: ShortageRules = RULES) -> int:
    """Whole days past the due date (0 on it or before)."""
    return max((today - due_date(period, rules)).days, 0)


# --- stock cover and levels ---


def level_by_duration(days: int, rules: ShortageRules = RULES) -> Level:
    if days >= rules.shortage_national_days:
        return Level.NATIONAL
    if days >= rules.shortage_province_days:
        return Level.PROVINCE
    if days >= rules.shortage_city_days:
        return Level.CITY
    return Level.COUNTY


@dataclass(frozen=True)
class Supply:
    """A supplier's product delivered into one county: its daily demand there (units a day)."""

    product: int
    county: str
    daily: Decimal


def daily_demand(agreed: int, days_in_year: int) -> Decimal:
    """Units a day: 3,650 agreed over a 365-day year -> 10."""
    return Decimal(agreed) / Decimal(days_in_year)


def county_cover(supplies: Iterable[Supply], stock: Mapping[int, int]) -> dict[str, Decimal]:
    """Days of stock cover per county (see the module's definition); counties whose suppliers
    all lack a report, or with no demand, are left out. Exact Decimals, not rounded."""
    rows = [s for s in supplies if s.product in stock and s.daily > 0]
    total: dict[int, Decimal] = {}
    for s in rows:
        total[s.product] = total.get(s.product, Decimal(0)) + s.daily
    assigned: dict[str, Decimal] = {}
    demand: dict[str, Decimal] = {}
    for s in rows:
        assigned[s.county] = assigned.get(s.county, Decimal(0)) + (
            Decimal(stock[s.product]) * s.daily / total[s.product]
        )
        demand[s.county] = demand.get(s.county, Decimal(0)) + s.daily
    return {county: assigned[county] / demand[county] for county in sorted(demand)}


@dataclass(frozen=True)
class CountyState:
    """What the check found in one county for one lot."""

    county: str
    cover: Decimal | None  # days; None: unknown
    unfilled_days: int  # the oldest unfilled order's days past its deadline (0: none)
    duration: int  # days the shortage has lasted (see ``shortage_since`` in the queries)


@dataclass(frozen=True)
class Grade:
    county: str
    level: Level
    region: str  # the region responsible at that level
    reason: str  # "cover", "unfilled", or "cover+unfilled"
    by: str  # "duration" or "breadth"


def is_short(state: CountyState, rules: ShortageRules = RULES) -> bool:
    low = state.cover is not None and state.cover < rules.shortage_cover_days
    return low or state.unfilled_days >= rules.shortage_unfilled_days


def _reason(state: CountyState, rules: ShortageRules) -> str:
    low = state.cover is not None and state.cover < rules.shortage_cover_days
    unfilled = state.unfilled_days >= rules.shortage_unfilled_days
    return "+".join(r for r, on in (("cover", low), ("unfilled", unfilled)) if on)


def grade(states: Iterable[CountyState], rules: ShortageRules = RULES) -> dict[str, Grade]:
    """The level of every county in shortage: by its own duration, then raised by breadth
    (``breadth`` counties of a city -> city; of a province's cities at city level or above ->
    province; provinces at province level or above -> national)."""
    short = [s for s in states if is_short(s, rules)]
    level = {s.county: level_by_duration(s.duration, rules) for s in short}
    by = dict.fromkeys(level, "duration")
    for lower, upper, parent in (
        (Level.COUNTY, Level.CITY, city_of),
        (Level.CITY, Level.PROVINCE, province_of),
        (Level.PROVINCE, Level.NATIONAL, lambda _r: NATION),
    ):
        groups: dict[str, set[str]] = {}
        for county, lv in level.items():
            if LEVELS.index(lv) >= LEVELS.index(lower):
                groups.setdefault(parent(county), set()).add(region_at(county, lower))
        for county, lv in list(level.items()):
            wide = len(groups.get(parent(county), ())) >= rules.shortage_breadth
            if wide and LEVELS.index(lv) >= LEVELS.index(lower) and lv != higher(lv, upper):
                level[county], by[county] = upper, "breadth"
    return {
        s.county: Grade(
            s.county,
            level[s.county],
            region_at(s.county, level[s.county]),
            _reason(s, rules),
            by[s.county],
        )
        for s in short
    }
