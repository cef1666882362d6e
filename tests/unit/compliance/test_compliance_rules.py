"""Pure compliance rules, hand-computed: completion, time progress, status thresholds
(just below, at, just above), credit levels and the rolling window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from procurement.compliance import rules as r

RULES = r.ComplianceRules()
D = Decimal


def test_completion_is_accepted_over_agreed_and_may_exceed_one():
    assert r.completion(300, 1000) == D("0.3000")
    assert r.completion(1050, 1000) == D("1.0500")
    assert r.completion(5, 0) is None


def test_time_progress_counts_days_elapsed_of_the_inclusive_year():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert r.time_progress(start, end, date(2026, 1, 1)) == D("0")
    assert r.time_progress(start, end, date(2026, 7, 2)) == D("0.4986")  # 182 / 365 = 0.49863
    assert r.time_progress(start, end, date(2027, 3, 1)) == D("1")


@pytest.mark.parametrize(
    ("accepted", "months", "expected"),
    [
        (399, 6, "behind"),  # 0.399 < 0.8 x 0.5 = 0.4
        (400, 6, "on_track"),
        (401, 6, "on_track"),
        (249, 6, "at_risk"),  # 0.249 < 0.5 x 0.5 = 0.25
        (250, 6, "behind"),
        (251, 6, "behind"),
        (249, 2, "behind"),  # at risk only after the third month
        (0, 3, "zero_purchase"),
        (0, 2, "behind"),
    ],
)
def test_status_thresholds(accepted, months, expected):
    assert r.status(accepted, 1000, D("0.5"), months, RULES).value == expected


def test_months_elapsed_counts_whole_months():
    assert r.months_elapsed(date(2026, 1, 4), date(2026, 4, 3)) == 2
    assert r.months_elapsed(date(2026, 1, 4), date(2026, 4, 4)) == 3


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (9, "none"),
        (10, "dishonest"),
        (19, "dishonest"),
        (20, "seriously_dishonest"),
        (39, "seriously_dishonest"),
        (40, "especially_seriously_dishonest"),
    ],
)
def test_credit_level_thresholds(points, level):
    assert r.level_for(points, RULES).value == level


def test_rolling_window_drops_events_older_than_twelve_months():
    now = datetime(2026, 6, 1, tzinfo=UTC)
    events = [
        r.CreditPoint(now - timedelta(days=365), 20),
        r.CreditPoint(now - timedelta(days=364), 10),
    ]
    assert r.standing(events, now, RULES).points == 10
    assert r.standing(events, now, RULES).level == r.CreditLevel.DISHONEST


def test_credit_repair_wipes_the_events_before_it():
    now = datetime(2026, 6, 1, tzinfo=UTC)
    events = [r.CreditPoint(now - timedelta(days=10), 20), r.CreditPoint(now, 3)]
    assert r.standing(events, now, RULES, repaired_at=now - timedelta(days=1)).points == 3


def test_bans_follow_the_levels_that_bar_bidding():
    assert r.bars_bidding(r.CreditLevel.DISHONEST) is None
    assert r.bars_bidding(r.CreditLevel.SERIOUSLY) == "products"
    assert r.bars_bidding(r.CreditLevel.ESPECIALLY) == "company"


def test_rules_snapshot_overrides_the_defaults():
    rules = r.from_snapshot(
        {
            "compliance": {
                "retention_scheme": "tiers",
                "fund_payment_ratio": "0.6",
                "credit_thresholds": [5, 10, 15],
            }
        }
    )
    assert (rules.retention_scheme, rules.fund_payment_ratio) == ("tiers", D("0.6"))
    assert r.level_for(10, rules) == r.CreditLevel.SERIOUSLY
    with pytest.raises(ValueError, match="unknown"):
        r.from_snapshot({"compliance": {"nonsense": 1}})
