"""Rules sets, presets, JSON snapshots and comparable prices (RULES.md 1-3)."""

import json
from decimal import Decimal as D

import pytest

from procurement.catalog.rules import (
    MAX_WINNERS_BATCH9,
    PRESETS,
    RulesSet,
    comparable_unit_price,
    preset,
    price_cut,
)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_round_trips_through_json(name):
    rules = PRESETS[name]
    assert RulesSet.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules


def test_snapshot_keeps_decimals_as_strings():
    data = preset().to_dict()
    assert data["selection"]["win_multiple"] == "1.8"
    assert data["selection"]["absolute_floors"] == {"oral_solid": "0.10"}
    assert data["volume"]["standard_ratios"] == ["0.5", "0.6", "0.7", "0.8"]


def test_default_preset_is_batch_10():
    rules = preset()
    assert rules.name == "national-2024"
    assert rules.selection.revival is True
    assert rules.selection.cut_rule is False
    assert rules.selection.anchor_mode == "lowest"


def test_national_2021_uses_batch_9_table_and_cut_rule_without_revival():
    sel = PRESETS["national-2021"].selection
    assert sel.max_winners_table == MAX_WINNERS_BATCH9
    assert (sel.cut_rule, sel.revival) == (True, False)


def test_national_2025_anchors_on_half_the_mean():
    assert PRESETS["national-2025"].selection.anchor_mode == "half_mean_or_lowest"


def test_preset_overrides_any_field_by_name():
    rules = preset("national-2024", cut_rule=True, granularity="single", min_share=D("0.1"))
    assert rules.selection.cut_rule is True
    assert rules.allocation.granularity == "single"
    assert rules.allocation.min_share == D("0.1")


def test_unknown_override_is_refused():
    with pytest.raises(ValueError, match="unknown rules field"):
        preset(no_such_rule=1)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [(1, 1), (2, 2), (3, 2), (4, 3), (6, 3), (7, 4), (10, 6), (15, 9), (16, 10), (40, 10)],
)
def test_max_winners_follows_the_batch_10_table(declared, expected):
    assert preset().selection.max_winners(declared) == expected


@pytest.mark.parametrize(
    ("price", "strength", "expected"),
    [
        ("1.7", "20", "1.0000"),  # one doubling: 1.7 / 1.7
        ("0.6", "5", "1.0200"),  # one halving: 0.6 x 1.7
        ("2.89", "40", "1.0000"),  # two doublings: 2.89 / 2.89
        ("1.2345", "10", "1.2345"),  # reference strength itself
    ],
)
def test_comparable_price_on_powers_of_two_is_exact(price, strength, expected):
    assert comparable_unit_price(D(price), D(strength), D("10"), D("1.7")) == D(expected)


def test_comparable_price_on_other_strengths_rounds_half_up_to_4_places():
    # 15 mg vs 10 mg: 1.7 ** log2(1.5) = 1.36399...; 1.5 / 1.36399 = 1.09971... -> 1.0997
    assert comparable_unit_price(D("1.5"), D("15"), D("10"), D("1.7")) == D("1.0997")


def test_price_cut_is_one_minus_comparable_over_ceiling():
    assert price_cut(D("0.45"), D("1.00")) == D("0.5500")
    assert price_cut(D("1.00"), D("3.00")) == D("0.6667")
