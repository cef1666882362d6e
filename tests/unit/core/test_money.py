from decimal import Decimal

import pytest

from procurement.core.money import (
    Money,
    as_entered,
    line_total,
    plain,
    round_amount,
    round_quantity,
    round_ratio,
    round_unit_price,
    to_decimal,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.01235", "0.0124"),  # half up, not half even
        ("0.01245", "0.0125"),
        ("0.01244999", "0.0124"),
        ("-0.00005", "-0.0001"),  # half away from zero
        ("12", "12.0000"),
        ("0.00125", "0.0013"),  # half even: 0.0012
        ("1.23445", "1.2345"),  # half even: 1.2344
    ],
)
def test_unit_prices_round_half_up_to_four_places(raw, expected):
    assert str(round_unit_price(Decimal(raw))) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.345", "2.35"),
        ("2.335", "2.34"),
        ("2.3449", "2.34"),
        ("-2.345", "-2.35"),
        ("0.125", "0.13"),  # half even: 0.12
        ("2.675", "2.68"),  # the float 2.675 is 2.67499999...; the Decimal is exact
        ("1.005", "1.01"),  # half even: 1.00
        ("-0.125", "-0.13"),  # half away from zero
    ],
)
def test_amounts_round_half_up_to_fen(raw, expected):
    assert str(round_amount(Decimal(raw))) == expected


def test_ratios_keep_four_places():
    assert round_ratio(Decimal("0.56785")) == Decimal("0.5679")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1234.5", 1235), ("1234.4999", 1234), ("0.5", 1), ("2.5", 3)]
)
def test_quantities_round_half_up_to_whole_units(raw, expected):
    result = round_quantity(Decimal(raw))
    assert result == expected
    assert type(result) is int


def test_agreed_volume_example_rounds_like_a_person_would():
    # 12,345 tablets reported x 70 % agreed ratio = 8,641.5 -> 8,642 tablets
    assert round_quantity(Decimal(12345) * Decimal("0.70")) == 8642


def test_a_line_total_rounds_once_at_the_end():
    # 3 x 0.0125 = 0.0375 -> 0.04; rounding each unit first would give 3 x 0.01 = 0.03
    assert line_total(3, Decimal("0.0125")) == Decimal("0.04")
    assert line_total(100_000, Decimal("0.1235")) == Decimal("12350.00")


def test_a_line_total_refuses_a_non_integer_quantity():
    with pytest.raises(TypeError):
        line_total(2.0, Decimal("1"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        line_total(True, Decimal("1"))


@pytest.mark.parametrize("value", [0.1, 1.0, True])
def test_floats_and_bools_are_refused_as_money(value):
    with pytest.raises(TypeError, match="refusing"):
        to_decimal(value)


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity"])
def test_text_that_is_not_a_finite_number_is_refused(value):
    with pytest.raises(ValueError, match="number"):
        to_decimal(value)


def test_strings_ints_and_decimals_convert_exactly():
    assert to_decimal("0.1") + to_decimal("0.2") == Decimal("0.3")
    assert to_decimal(7) == Decimal(7)
    assert to_decimal(Decimal("1.50")) == Decimal("1.50")


def test_money_adds_and_subtracts_in_one_currency():
    total = Money("10.005") + Money("0.10") - Money("1")
    assert total == Money(Decimal("9.105"))
    assert total.rounded() == Money(Decimal("9.11"))
    assert str(Money("1234567.005")) == "1,234,567.01 CNY"
    assert -Money("2") == Money("-2")


def test_money_refuses_to_mix_currencies():
    with pytest.raises(ValueError, match="cannot mix CNY and USD"):
        Money("1") + Money("1", "USD")


def test_money_refuses_floats_and_non_iso_currencies():
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ISO 4217"):
        Money("1", "yuan")
    with pytest.raises(TypeError):
        Money("1") + Decimal("1")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("1.370000", "1.37"),
        ("1.37", "1.37"),
        ("6", "6.00"),
        ("1.372500", "1.3725"),
        ("0.123456", "0.123456"),
        ("120.500000", "120.50"),
    ],
)
def test_a_price_reads_as_entered_never_rounded(stored, shown):
    assert str(as_entered(Decimal(stored))) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [("150", "150"), ("150.000", "150"), ("1.5E+2", "150"), ("0.50", "0.5"), ("12.5", "12.5")],
)
def test_a_strength_reads_without_an_exponent(value, shown):
    assert plain(Decimal(value)) == shown
