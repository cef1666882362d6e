"""Pure parsing of uploads and page forms, and the lifecycle table."""

import io
import itertools
from decimal import Decimal

import pytest
from openpyxl import Workbook

from procurement.catalog import forms
from procurement.catalog.lifecycle import MOVES, TenderStatus, allowed_next
from procurement.catalog.tabular import CellParser, TableError, read_table


def test_csv_with_a_bom_blank_rows_and_any_column_order_is_read_by_spreadsheet_row():
    data = "\ufeffQuantity,lot_code\n5,L01\n,\n7,L02\n".encode()
    table = read_table("d.csv", data, required=("lot_code", "quantity"))
    assert table.rows == [
        (2, {"quantity": "5", "lot_code": "L01"}),
        (4, {"quantity": "7", "lot_code": "L02"}),
    ]


def test_xlsx_is_recognised_by_its_content_even_with_a_csv_name():
    book = Workbook()
    book.active.append(["lot_code", "quantity"])
    book.active.append(["L01", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table("upload.csv", buffer.getvalue(), required=("lot_code", "quantity"))
    assert table.rows == [(2, {"lot_code": "L01", "quantity": "12"})]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"lot_code,quantity\n", "no data rows"),
        (b"lot_code,qty\nL01,1\n", "missing column(s): quantity"),
        (b"lot_code,quantity,colour\nL01,1,red\n", "unknown column(s): colour"),
        (b"lot_code,quantity,quantity\nL01,1,1\n", "given twice: quantity"),
        (b"lot_code,quantity\nL01,1,9\n", "3 cells but the header has 2"),
    ],
)
def test_a_malformed_table_is_refused_with_the_reason(data, message):
    with pytest.raises(TableError) as caught:
        read_table("d.csv", data, required=("lot_code", "quantity"))
    assert message in caught.value.errors[0].message


@pytest.mark.parametrize(
    ("text", "value", "error"),
    [
        ("12", 12, None),
        ("1,200", 1200, None),
        ("12.0", 12, None),
        ("12.5", None, "not a whole number"),
        ("abc", None, "not a whole number"),
        ("-1", None, "below 0"),
        ("", None, "not a whole number"),
    ],
)
def test_integer_cells(text, value, error):
    parser = CellParser(7, {"quantity": text})
    assert parser.integer("quantity") == value
    if error is None:
        assert parser.errors == []
    else:
        [only] = parser.errors
        assert error in only.message
        assert only.key == "row 7: quantity"


def test_decimal_cells_keep_every_digit_and_refuse_infinity():
    parser = CellParser(3, {"price": "0.1235", "bad": "Infinity"})
    assert parser.decimal("price") == Decimal("0.1235")
    assert parser.decimal("bad") is None
    assert parser.errors[0].key == "row 3: bad"


def test_a_page_time_is_china_standard_time():
    values, errors = forms.tender_from_form(
        {"demand_deadline": "2026-01-20T17:00", "bid_deadline": "x"}
    )
    assert values["demand_deadline"].utcoffset().total_seconds() == 8 * 3600
    assert "bid_deadline" in errors


def test_blank_demand_rows_on_the_page_are_not_reported():
    rows, errors = forms.demand_from_form(
        {"quantity_L01": "1,000", "usage_L01": "", "quantity_L02": ""}, ["L01", "L02"]
    )
    assert rows == [{"lot_code": "L01", "quantity": 1000, "last_year_usage": 0}]
    assert errors == {}


def test_the_lifecycle_is_one_straight_line_from_draft_to_closed():
    states = list(TenderStatus)
    assert [(m.source, m.target) for m in MOVES] == list(itertools.pairwise(states))
    assert allowed_next(TenderStatus.CLOSED) == []
