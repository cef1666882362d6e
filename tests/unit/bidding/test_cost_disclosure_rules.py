"""Cost disclosure rules (RULES.md 10), pure: threshold, who files, the deadline, the figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from procurement.bidding.costs import (
    disclosure_deadline,
    disclosure_threshold,
    figure_errors,
    needs_breakdown,
)


@pytest.mark.parametrize(
    ("anchor", "ratio", "threshold"),
    [
        ("0.2000", "1", "0.2000"),
        ("0.2000", "1.1", "0.2200"),
        ("0.1151", "0.9", "0.1036"),  # 0.10359 -> 0.1036 (4 places, half up)
    ],
)
def test_the_threshold_is_ratio_times_the_anchor_at_4_places(anchor, ratio, threshold):
    assert disclosure_threshold(Decimal(anchor), Decimal(ratio)) == Decimal(threshold)


@pytest.mark.parametrize(
    ("price", "needed"), [("0.1999", True), ("0.2000", False), ("0.2001", False)]
)
def test_only_a_price_strictly_below_the_threshold_files_a_breakdown(price, needed):
    assert needs_breakdown(Decimal(price), Decimal("0.2000")) is needed


@pytest.mark.parametrize(
    ("opened", "days", "deadline"),
    [
        # 09:00 UTC = 17:00 Shanghai on 12 Jan; 5 days -> the end of 17 Jan in Shanghai.
        (datetime(2026, 1, 12, 9, 0, tzinfo=UTC), 5, datetime(2026, 1, 17, 16, 0, tzinfo=UTC)),
        # 20:00 UTC on 12 Jan is already 13 Jan 04:00 in Shanghai: the count starts there.
        (datetime(2026, 1, 12, 20, 0, tzinfo=UTC), 5, datetime(2026, 1, 18, 16, 0, tzinfo=UTC)),
        (datetime(2026, 1, 12, 9, 0, tzinfo=UTC), 0, datetime(2026, 1, 12, 16, 0, tzinfo=UTC)),
    ],
)
def test_the_deadline_is_the_end_of_the_business_day_days_after_opening(opened, days, deadline):
    assert disclosure_deadline(opened, days) == deadline


def test_figures_summing_to_the_unit_price_hold_together():
    figures = {
        "manufacturing_cost": Decimal("0.1500"),
        "period_expenses": Decimal("0.0300"),
        "profit": Decimal("0.0200"),
    }
    assert figure_errors(figures, Decimal("0.2000")) == {}


def test_figures_that_do_not_sum_to_the_unit_price_say_both_totals_beside_the_profit():
    figures = {
        "manufacturing_cost": Decimal("0.1500"),
        "period_expenses": Decimal("0.0300"),
        "profit": Decimal("0.0250"),
    }
    errors = figure_errors(figures, Decimal("0.2000"))
    assert errors == {
        "profit": ["the three figures sum to 0.2050, not to the bid's unit price 0.2000"]
    }
