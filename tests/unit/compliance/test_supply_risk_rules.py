"""Supply-risk arithmetic without a database: HHI on the 0-10,000 scale, headroom, the rising
late-delivery rule and the score with its reasons, every figure worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.compliance.supply_risk.charts import Series, late_chart
from procurement.compliance.supply_risk.risk import (
    LotInput,
    MonthLate,
    Supply,
    Winner,
    assess,
    hhi,
    level,
    rising,
)


@pytest.mark.parametrize(
    ("volumes", "expected"),
    [
        ([600, 400], 5200),  # 60^2 + 40^2 = 3,600 + 1,600
        ([1000], 10_000),  # one supplier
        ([500, 500], 5000),  # 50^2 x 2
        ([1, 1, 1], 3333),  # 3 x 33.33...^2 = 3,333.33 -> 3,333
        ([2, 1], 5556),  # 66.67^2 + 33.33^2 = 5,555.56 -> 5,556
        ([], 0),
    ],
)
def test_hhi_is_the_sum_of_squared_percent_shares(volumes, expected):
    assert hhi(volumes) == expected


def _months(*pairs):
    return [MonthLate(f"2026-{i + 1:02d}", lines, late) for i, (lines, late) in enumerate(pairs)]


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        (((10, 0), (10, 1), (10, 2)), True),  # 0 < 10% < 20%, last 20% >= 10%
        (((10, 0), (10, 0), (20, 1)), False),  # 0, 0, 5%: not each above the one before
        (((100, 1), (100, 2), (100, 9)), False),  # rising, but the last 9% is under 10%
        (((100, 1), (100, 2), (100, 10)), True),  # the limit itself counts
        (((10, 5), (0, 0), (10, 6), (10, 7)), True),  # a month without lines is skipped
        (((10, 1), (10, 2)), False),  # fewer than three months with lines
        (((10, 3), (10, 2), (10, 1), (10, 2), (10, 3)), True),  # last three: 10%, 20%, 30%
    ],
)
def test_rising_needs_three_months_each_above_the_one_before_and_the_last_at_the_limit(
    pairs, expected
):
    assert rising(_months(*pairs)) is expected


def test_a_region_with_two_winners_60_40_and_a_short_backup_scores_20():
    """Region 320000: A 600, B 400 -> HHI 5,200 >= 2,500: 10 points; backup C (capacity 500,
    nothing agreed) can cover 500 of the region's 1,000: 10 points; score 20 (low)."""
    lot = assess(
        LotInput(
            1,
            "L01",
            "x",
            (Supply("320000", 1, 600), Supply("320000", 2, 400)),
            (Winner(1, "A", 1000), Winner(2, "B", 1000), Winner(3, "C", 500)),
            {"320000": 3},
        )
    )
    (region,) = lot.regions
    assert (lot.hhi, region.hhi, region.score, lot.score, level(lot.score)) == (
        5200,
        5200,
        20,
        20,
        "low",
    )
    assert [(s.winner.name, s.share) for s in region.shares] == [
        ("A", Decimal("0.6")),
        ("B", Decimal("0.4")),
    ]
    assert (region.backup.spare, region.backup_ready) == (500, True)
    assert [str(m) for m in region.reasons] == [
        "Concentrated supply: HHI 5,200 of 10,000 (rule: 2,500 or more).",
        "Backup C can cover 500 of the region's 1,000 units.",
    ]


def test_headroom_is_capacity_less_agreed_and_low_under_ten_percent():
    """A: 1,050 - 1,000 = 50 < 100 (10% of 1,000): low. B: 1,100 - 1,000 = 100, not under
    100: not low. D declared no capacity: unknown, not low."""
    lot = assess(
        LotInput(
            1,
            "L01",
            "x",
            (Supply("310000", 1, 1000), Supply("310000", 2, 1000), Supply("310000", 4, 1000)),
            (Winner(1, "A", 1050), Winner(2, "B", 1100), Winner(4, "D", None)),
        )
    )
    got = {w.name: (w.headroom, w.headroom_share, w.low_headroom) for w in lot.winners}
    assert got == {
        "A": (50, Decimal("0.05"), True),
        "B": (100, Decimal("0.1"), False),
        "D": (None, None, False),
    }
    (region,) = lot.regions
    # HHI 3 x 33.33^2 = 3,333 >= 2,500: 10; no backup: 35; A's low headroom: 15 -> 60 (high)
    assert (region.hhi, region.score, lot.level) == (3333, 60, "high")


def test_the_month_in_progress_is_shown_but_not_judged():
    """0%, 10% complete, then 50% in the month in progress: only two complete months."""
    months = [*_months((10, 0), (10, 1)), MonthLate("2026-03", 2, 1, complete=False)]
    assert rising(months) is False
    assert rising([*_months((10, 0), (10, 1), (10, 2)), MonthLate("2026-04", 1, 0, False)])


@pytest.mark.parametrize(
    ("capacity", "ready", "score", "reason"),
    [
        # spare 0: "no spare capacity", 25 points
        (400, False, 45, "Backup C has no spare capacity (capacity 400, agreed 400)."),
        # spare 55 < 10% of 1,000 = 100: too little, 25 points
        (
            455,
            False,
            45,
            "Backup C has too little spare capacity: 55, under 10.0% of the region's 1,000.",
        ),
        # spare 100 = 10% of 1,000: a backup, short of the region's volume, 10 points
        (500, True, 30, "Backup C can cover 100 of the region's 1,000 units."),
        # spare 1,000: covers the region, nothing
        (1400, True, 20, None),
    ],
)
def test_a_backup_counts_only_with_spare_for_a_tenth_of_the_region(capacity, ready, score, reason):
    """Region 320000: A alone, 1,000 (20 points); backup C already agreed 400 in 330000."""
    lot = assess(
        LotInput(
            1,
            "L01",
            "x",
            (Supply("320000", 1, 1000), Supply("330000", 3, 400)),
            (Winner(1, "A", 5000), Winner(3, "C", capacity)),
            {"320000": 3},
        )
    )
    region = next(r for r in lot.regions if r.region == "320000")
    assert (region.backup_ready, region.score) == (ready, score)
    assert [str(m) for m in region.reasons][1:] == ([reason] if reason else [])


def test_backups_the_award_never_recorded_are_unknown_not_missing():
    """A alone (20 points); the award has no record of backups: no backup points, no region
    counted as without a backup."""
    lot = assess(
        LotInput(1, "L01", "x", (Supply("320000", 1, 1000),), (Winner(1, "A", 5000),), None)
    )
    (region,) = lot.regions
    assert (region.backup_known, region.score, lot.without_backup) == (False, 20, ())


def test_the_late_chart_draws_the_month_in_progress_hollow_and_says_so():

    svg = late_chart(
        ["2026-05", "2026-06"],
        [Series("7", "甲药业", [Decimal("0.05"), Decimal("0.20")])],
        testid="late",
        title="t",
        in_progress="2026-06",
        in_progress_label="进行中",
    )
    may, june = svg.split("<circle")[1:]
    assert 'class="point"' in may
    assert "进行中" not in may
    assert 'class="point in-progress" fill="#fff"' in june
    assert "2026-06: 20.0% (进行中)" in june
    assert '<text x="604" y="200" font-size="10" text-anchor="middle" class="in-progress">' in svg
    assert ">进行中</tspan>" in svg
