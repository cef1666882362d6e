"""The pure code parser and file reader: formats, package keys, registration checks."""

from __future__ import annotations

from datetime import date

import pytest

from procurement.catalog.tabular import TableError
from procurement.trace.checks import _row_by_row, check_rows
from procurement.trace.codes import (
    MASHANG_CHECK_DIGITS_VERIFIED,
    CodeFormat,
    CodeRefused,
    LineFacts,
    ProductFormats,
    check_pattern,
    check_prefix,
    kept_as_sent,
    lookup_key,
    normal_gtin,
    parse_code,
)
from procurement.trace.files import MAX_CODES_PER_FILE, CodeRow, read_codes

PRODUCT = ProductFormats("X", prefix="8123456", gtin="07032069804988", pattern=r"ZY[0-9]{10}")
LINE = LineFacts("B1", date(2027, 12, 31))


@pytest.mark.parametrize(
    ("code", "key", "kind"),
    [
        ("81234560000000000001", "81234560000000000001", CodeFormat.MASHANG),
        ("(01)07032069804988(21)S1(10)B1(17)271231", "010703206980498821S1", CodeFormat.GS1),
        ("]d201070320698049881727123110B1\x1d21S1", "010703206980498821S1", CodeFormat.GS1),
        ("ZY0000000001", "ZY0000000001", CodeFormat.REGISTERED),
    ],
)
def test_each_format_gives_its_package_key(code, key, kind):
    parsed = parse_code(code, PRODUCT, LINE)
    assert (parsed.key, parsed.format) == (key, kind)


def test_gs1_expiry_day_00_is_the_months_last_day():
    # AI 17 with day 00 means the last day of the month (biip reads it so): 2027-12-31
    assert parse_code("(01)07032069804988(21)S1(10)B1(17)271200", PRODUCT, LINE).key


def test_the_mashang_check_digits_are_not_verified_and_say_so():
    assert MASHANG_CHECK_DIGITS_VERIFIED is False
    assert parse_code("81234569999999999999", PRODUCT, LINE).format == CodeFormat.MASHANG


def test_a_code_of_a_product_without_formats_is_refused():
    with pytest.raises(CodeRefused, match="no registered"):
        parse_code("81234560000000000001", ProductFormats("Y"), LINE)


def test_registration_checks():
    assert check_prefix("8123456") is None
    assert check_prefix("812345") == "a 码上放心 product prefix is 7 digits"
    assert check_prefix("812345a") == "a 码上放心 product prefix is 7 digits"
    assert normal_gtin("7032069804988") == "07032069804988"
    with pytest.raises(CodeRefused):
        normal_gtin("7032069804989")
    assert check_pattern(r"AB[0-9]+") is None
    assert check_pattern("[") == "not a valid regular expression"
    assert check_pattern("A*") == "the format matches an empty code"


def test_lookup_keys_for_anyone_typing_a_code():
    assert lookup_key(" 81234560000000000001 ") == "81234560000000000001"
    assert lookup_key("(01)07032069804988(21)S1(10)B1") == "010703206980498821S1"
    assert lookup_key("") is None
    assert lookup_key("x" * 101) is None


def test_a_text_file_is_one_code_a_line_and_blank_lines_are_skipped():
    rows = read_codes("c.txt", "\ufeffA1\n\n  A2  \r\nA3".encode())
    assert rows == [CodeRow(1, "A1"), CodeRow(3, "A2"), CodeRow(4, "A3")]


def test_a_csv_needs_the_code_column_and_reads_cases():
    assert read_codes("c.csv", b"code,case\nA1,C1\nA2,\n") == [
        CodeRow(2, "A1", "C1"),
        CodeRow(3, "A2", None),
    ]
    with pytest.raises(TableError):
        read_codes("c.csv", b"serial\nA1\n")
    with pytest.raises(TableError):
        read_codes("c.txt", b"\n\n")


@pytest.mark.parametrize(
    "code",
    [
        "81234560000000000001",  # 码上放心 of the product
        "91234560000000000001",  # another prefix
        "8123456000000000001",  # 19 digits
        "812345600000000000011",  # 21 digits
        "8123456000000000000١",  # a non-ASCII digit
        "ZY0000000001",  # registered
        "ZY00000000011",  # registered, one digit too many
        "(01)07032069804988(21)S1(10)B1(17)271231",  # GS1: never kept as sent
        "010703206980498821S1",
    ],
)
def test_the_whole_file_test_accepts_only_codes_parse_code_keeps_as_sent(code):
    kept = bool(kept_as_sent(PRODUCT)(code))
    try:
        parsed = parse_code(code, PRODUCT, LINE)
    except CodeRefused:
        assert not kept
        return
    assert not kept or parsed.key == code
    assert kept == (parsed.format != CodeFormat.GS1)


def test_a_product_without_mashang_or_registered_format_has_no_whole_file_test():
    assert kept_as_sent(ProductFormats("G", gtin="07032069804988")) is None
    assert kept_as_sent(ProductFormats("P", prefix="8123456"))("81234560000000000009")


def _file(*codes: str) -> list[CodeRow]:
    return [CodeRow(n, code) for n, code in enumerate(codes, start=2)]


@pytest.mark.parametrize(
    "codes",
    [
        ("81234560000000000001", "81234560000000000002", "ZY0000000003"),  # plain: whole lists
        ("81234560000000000001", "81234560000000000001", "ZY0000000003"),  # a repeat
        ("81234560000000000001", "91234560000000000002", "ZY0000000003"),  # another product
        ("81234560000000000001", "(01)07032069804988(21)S1(10)B1(17)271231", "ZY0000000003"),
    ],
)
def test_a_file_checked_by_whole_lists_gives_what_the_row_by_row_check_gives(codes):
    rows = _file(*codes)
    assert check_rows(rows, PRODUCT, LINE, packs=3) == _row_by_row(rows, PRODUCT, LINE, 3)


def test_a_text_file_holds_at_most_max_codes_per_file_codes():
    codes = "\n".join(f"8123456{n:013d}" for n in range(MAX_CODES_PER_FILE))
    assert len(read_codes("c.txt", f"\n{codes}\n\n".encode())) == MAX_CODES_PER_FILE
    with pytest.raises(TableError) as error:
        read_codes("c.txt", f"\n{codes}\n\nX\n".encode())
    assert error.value.errors[0].row == MAX_CODES_PER_FILE + 3  # the line of the code too many
