"""Pure order rules: region classes, the agreed split, due times and breach durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from procurement.orders import rules

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("310101", "city"),
        ("310000", "city"),
        ("320125", "county"),
        ("320581", "county"),
        ("540102", "remote"),
        ("650000", "remote"),
    ],
)
def test_region_class_follows_the_county_level_code(code, expected):
    assert rules.region_class(code, rules.DEFAULT_REMOTE_PROVINCES) == expected


@pytest.mark.parametrize(
    ("remaining", "quantity", "split"),
    [
        (280, 100, (100, 0)),
        (280, 280, (280, 0)),
        (280, 560, (280, 280)),
        (0, 28, (0, 28)),
        (-56, 28, (0, 28)),
    ],
)
def test_the_split_fills_the_remaining_agreed_volume_first(remaining, quantity, split):
    assert rules.split_agreed(remaining, quantity) == split


def test_due_times_by_region_class_and_emergency():
    levels = rules.ServiceLevels()
    assert levels.due_times(T0, "county", False) == (
        T0 + timedelta(hours=24),
        T0 + timedelta(hours=48),
    )
    assert levels.due_times(T0, "remote", True) == (
        T0 + timedelta(hours=4),
        T0 + timedelta(hours=4),
    )


def test_a_breach_counts_hours_late_to_the_step_or_to_now():
    due = T0 + timedelta(hours=24)
    assert rules.find_breach("confirm", due, due, T0 + timedelta(days=9)) is None
    late = rules.find_breach("confirm", due, due + timedelta(minutes=90), T0)
    assert late.hours_late == Decimal("1.50")
    still_open = rules.find_breach("deliver", due, None, due + timedelta(minutes=20))
    assert (still_open.happened_at, still_open.hours_late) == (None, Decimal("0.33"))
    assert rules.find_breach("deliver", due, None, due) is None


def test_the_lifecycle_allows_cancel_only_before_confirmation():
    assert rules.action_allowed("cancel", "placed")
    assert not rules.action_allowed("cancel", "confirmed")
    assert rules.allowed_moves("closed") == []


def test_the_fingerprint_ignores_key_order_but_not_values():
    assert rules.fingerprint("s", {"a": 1, "b": 2}) == rules.fingerprint("s", {"b": 2, "a": 1})
    assert rules.fingerprint("s", {"a": 1}) != rules.fingerprint("s", {"a": 2})
    assert rules.fingerprint("s", {"a": 1}) != rules.fingerprint("t", {"a": 1})
