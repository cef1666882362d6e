"""Rounding only through core/money.py, always half up (RULES.md), places by kind (the amount
and unit price tables are in test_money.py).

Every expected value is worked by hand; the half-even result Python would give by default is
noted where it differs, so a regression to the default mode fails here."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from procurement.core import limits
from procurement.core.money import (
    AMOUNT_DECIMALS,
    CENT,
    UNIT_PRICE_DECIMALS,
    fixed,
    has_places,
    round_places,
    round_ratio,
    stored_amount,
)

PACKAGE = Path(__file__).resolve().parents[3] / "procurement"


def test_ratios_round_half_up_to_four_places():
    # 1 / 32 = 0.03125 exactly: half up 0.0313 (half even would keep 0.0312)
    assert str(round_ratio(Decimal(1) / Decimal(32))) == "0.0313"


@pytest.mark.parametrize(
    ("raw", "places", "expected"),
    [
        ("0.125", 2, "0.13"),
        ("2.675", 2, "2.68"),
        ("0.25", 1, "0.3"),  # a percentage shown with one place; half even: 0.2
        ("0.15", 1, "0.2"),
        ("2.5", 0, "3"),  # half even: 2
        ("0.0000005", 6, "0.000001"),  # the optimizer's gap; half even: 0.000000
        ("87.345", 2, "87.35"),  # an assessment score; half even: 87.34
    ],
)
def test_any_measure_rounds_half_up_at_its_own_places(raw, places, expected):
    assert str(round_places(Decimal(raw), places)) == expected


@pytest.mark.parametrize(
    ("raw", "places", "expected"),
    [("47.6", 4, "47.6000"), ("2.675", 2, "2.68"), ("1E+2", 2, "100.00"), ("-0.005", 2, "-0.01")],
)
def test_fixed_text_has_exactly_the_places_and_no_exponent(raw, places, expected):
    assert fixed(Decimal(raw), places) == expected


@pytest.mark.parametrize(
    ("raw", "places", "expected"),
    [
        ("1.50", 2, True),
        ("1.5", 2, True),
        ("1.500000", 2, True),
        ("1.505", 2, False),
        ("3", 0, True),
    ],
)
def test_has_places_tells_without_rounding(raw, places, expected):
    assert has_places(Decimal(raw), places) is expected


def test_stored_amounts_come_back_in_fen():
    assert stored_amount(None) == Decimal("0.00")
    assert str(stored_amount(None)) == "0.00"
    # SQLite's SUM of 0.10 and 0.20 as a float: 0.30000000000000004
    assert str(stored_amount(0.1 + 0.2)) == "0.30"
    assert str(stored_amount(Decimal("40"))) == "40.00"
    assert str(stored_amount(Decimal("40.005"))) == "40.01"
    assert str(stored_amount(12)) == "12.00"
    with pytest.raises(TypeError):
        stored_amount(True)


def test_places_by_kind_are_the_ones_the_wire_limits_use():
    assert (AMOUNT_DECIMALS, UNIT_PRICE_DECIMALS) == (2, 4)
    assert (limits.AMOUNT_PLACES, limits.PRICE_PLACES) == (AMOUNT_DECIMALS, UNIT_PRICE_DECIMALS)
    assert Decimal("0.01") == CENT


def test_nothing_in_the_package_rounds_outside_core_money():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "core" / "money.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\.quantize\(", r"\bROUND_HALF_\w+", r"\bCENT\s*="):
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(PACKAGE)}:{line}: {match.group(0)}")
    assert found == []
