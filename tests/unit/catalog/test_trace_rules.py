"""The trace rules group (RULES.md 11): codes required from 2025-07-01 by default, the
switches round-trip through a tender's frozen rules, bad values refused."""

from __future__ import annotations

from datetime import date

import pytest

from procurement.catalog.rules import RulesSet, TraceRules, preset


def test_codes_are_required_from_the_first_of_july_2025_by_default():
    rules = TraceRules()
    assert rules.codes_required(date(2025, 6, 30)) is False
    assert rules.codes_required(date(2025, 7, 1)) is True
    assert TraceRules(require_trace_codes=False).codes_required(date(2026, 1, 5)) is False
    assert (rules.receive_without_code, rules.expiry_alert_days) == (False, (180, 90))


def test_the_switches_round_trip_through_a_frozen_snapshot():
    rules = preset("national-2024", receive_without_code=True, expiry_alert_days=(120, 30))
    snapshot = rules.to_dict()
    assert snapshot["trace"]["receive_without_code"] is True
    assert RulesSet.from_dict(snapshot).trace == rules.trace
    assert TraceRules.from_snapshot(snapshot).expiry_alert_days == (120, 30)
    assert TraceRules.from_snapshot(None) == TraceRules()


@pytest.mark.parametrize("bad", [{"trace_codes_from": "2025-13-01"}, {"expiry_alert_days": ()}])
def test_bad_values_are_refused(bad):
    with pytest.raises(ValueError):  # noqa: PT011 (the message names the field)
        TraceRules(**bad)
