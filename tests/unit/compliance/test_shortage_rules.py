"""Shortage rules (RULES.md 14) by hand: the reporting calendar, stock cover and the grading
county -> city -> province -> national by duration and by breadth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from procurement.compliance.shortage import rules as r


@pytest.mark.parametrize(
    ("today", "newest_overdue"),
    [
        (date(2026, 12, 10), "2026-10"),  # November's report is due today: not yet missing
        (date(2026, 12, 11), "2026-11"),
        (date(2027, 1, 11), "2026-12"),  # across the year
        (date(2026, 3, 1), "2026-01"),  # February's report is due 03-10
    ],
)
def test_a_months_report_is_missing_from_the_day_after_the_10th(today, newest_overdue):
    assert r.overdue_periods(today)[0] == newest_overdue
    assert len(r.overdue_periods(today)) == 12


def test_due_date_and_days_overdue():
    assert r.due_date("2026-11") == date(2026, 12, 10)
    assert r.due_date("2026-12") == date(2027, 1, 10)
    assert r.due_date("2026-11", r.ShortageRules(shortage_report_day=5)) == date(2026, 12, 5)
    assert r.days_overdue("2026-11", date(2026, 12, 10)) == 0
    assert r.days_overdue("2026-11", date(2026, 12, 17)) == 7


@pytest.mark.parametrize(
    ("days", "level"),
    [
        (0, "county"),
        (6, "county"),
        (7, "city"),
        (13, "city"),
        (14, "province"),
        (29, "province"),
        (30, "national"),
    ],
)
def test_level_by_duration(days, level):
    assert r.level_by_duration(days) == level


def test_one_supplier_cover_is_its_stock_over_its_whole_daily_demand():
    """A supplies county X 10 a day and Y 20 a day, stock 420: 420 / 30 = 14 days in both."""
    cover = r.county_cover(
        [r.Supply(1, "320102", Decimal(10)), r.Supply(1, "320104", Decimal(20))], {1: 420}
    )
    assert cover == {"320102": Decimal(14), "320104": Decimal(14)}


def test_two_suppliers_stock_is_spread_by_demand():
    """County X: A 10/day (A's total 10, stock 100 -> all 100 to X) and B 30/day (B's total
    60, stock 600 -> 600 x 30/60 = 300 to X): (100 + 300) / 40 = 10 days. County Y: B 30/day
    -> 300 / 30 = 10 days. A product without a report is left out."""
    supplies = [
        r.Supply(1, "X", Decimal(10)),
        r.Supply(2, "X", Decimal(30)),
        r.Supply(2, "Y", Decimal(30)),
        r.Supply(3, "Z", Decimal(5)),
    ]
    assert r.county_cover(supplies, {1: 100, 2: 600}) == {"X": Decimal(10), "Y": Decimal(10)}


def _s(county, cover=None, unfilled=0, duration=0):
    return r.CountyState(county, None if cover is None else Decimal(cover), unfilled, duration)


def test_a_county_short_of_cover_or_with_orders_unfilled_3_days_is_a_county_shortage():
    graded = r.grade([_s("320102", cover="14.9"), _s("330102", unfilled=3), _s("340102", "15", 2)])
    assert {c: (g.level, g.region, g.reason) for c, g in graded.items()} == {
        "320102": ("county", "320102", "cover"),
        "330102": ("county", "330102", "unfilled"),
    }


def test_two_counties_of_a_city_make_a_city_shortage_and_two_cities_a_province_one():
    graded = r.grade(
        [
            _s("320102", cover="3"),
            _s("320104", cover="3"),  # Nanjing: two counties -> city
            _s("320205", unfilled=7, duration=7),  # Wuxi: one county for 7 days -> city
            _s("330102", cover="3"),  # Hangzhou: one county, day 0 -> county
        ]
    )
    # Jiangsu has two cities at city level -> province for their counties
    assert {c: (g.level, g.region, g.by) for c, g in graded.items()} == {
        "320102": ("province", "320000", "breadth"),
        "320104": ("province", "320000", "breadth"),
        "320205": ("province", "320000", "breadth"),
        "330102": ("county", "330102", "duration"),
    }


def test_two_provinces_at_province_level_make_a_national_shortage():
    graded = r.grade([_s("320102", cover="1", duration=14), _s("330102", unfilled=20, duration=20)])
    assert {g.level for g in graded.values()} == {"national"}
    assert {g.region for g in graded.values()} == {r.NATION}


def test_thirty_days_alone_is_national():
    (g,) = r.grade([_s("320102", cover="1", duration=30)]).values()
    assert (g.level, g.by) == ("national", "duration")
