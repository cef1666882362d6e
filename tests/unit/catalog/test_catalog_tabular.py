"""Pure parsing of uploads and page forms, and the lifecycle table."""

import io
import itertools
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from procurement.catalog import forms, tabular
from procurement.catalog.lifecycle import MOVES, TenderStatus, allowed_next
from procurement.catalog.tabular import CellParser, TableError, read_table
from procurement.core import limits


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


# ---- limits, checked while the file is read (core/limits.py) ---------------------------


def _xlsx_of(rows: int, *, dimension: bool = True) -> bytes:
    """An XLSX whose first sheet has a header and ``rows`` one-cell rows, written straight as
    sheet XML (openpyxl would take longer to write it than the reader may take to refuse it)."""
    book = Workbook()
    book.active.append(["lot_code", "quantity"])
    buffer = io.BytesIO()
    book.save(buffer)
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, rows + 2))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="A1:B{rows + 1}"/>' if dimension else "")
        + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>lot_code</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>quantity</t></is></c></row>'
        f"{body}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            data = sheet.encode() if item.filename.endswith("sheet1.xml") else source.read(item)
            z.writestr(item.filename, data)
    return out.getvalue()


def test_an_xlsx_of_300000_rows_is_refused_at_the_row_limit_while_streaming(monkeypatch):
    """The limit is checked row by row: the reader stops one row past it instead of loading the
    whole sheet first (it took 18.5 s that way)."""
    pulled = 0
    stream = tabular._xlsx_rows

    def counted(data):
        nonlocal pulled
        for row in stream(data):
            pulled += 1
            yield row

    monkeypatch.setattr(tabular, "_xlsx_rows", counted)
    data = _xlsx_of(300_000)
    with pytest.raises(TableError) as caught:
        read_table("big.xlsx", data, required=("lot_code", "quantity"))
    error = caught.value.errors[0]
    assert "MAX_UPLOAD_ROWS" in error.message
    assert error.row == limits.MAX_UPLOAD_ROWS + 2
    assert pulled == limits.MAX_UPLOAD_ROWS + 2  # the header, the rows allowed, one more


def test_an_xlsx_that_unpacks_beyond_its_limit_is_refused_before_it_is_opened(monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook over MAX_UPLOAD_XLSX_UNPACKED_BYTES")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    data = _xlsx_of(1_000_000, dimension=False)  # ~45 MB of sheet XML in a ~7 MB upload
    with pytest.raises(TableError) as caught:
        read_table("bomb.xlsx", data, required=("lot_code", "quantity"))
    assert "MAX_UPLOAD_XLSX_UNPACKED_BYTES" in caught.value.errors[0].message


def test_a_csv_of_exactly_the_row_limit_is_read():
    data = b"lot_code,quantity\n" + b"L01,1\n" * limits.MAX_UPLOAD_ROWS
    table = read_table("d.csv", data, required=("lot_code", "quantity"))
    assert len(table.rows) == limits.MAX_UPLOAD_ROWS


def test_a_csv_of_blank_rows_is_refused_early_in_little_memory():
    data = b"lot_code,quantity\n" + b",\n" * 7_400_000  # 14.8 MB, once 931 MiB
    tracemalloc.start()
    try:
        with pytest.raises(TableError) as caught:
            read_table("blank.csv", data, required=("lot_code", "quantity"))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "MAX_UPLOAD_BLANK_ROWS" in caught.value.errors[0].message
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MiB"


def test_a_row_wider_than_the_column_limit_is_refused():
    data = b"lot_code,quantity\nL01,1" + b",x" * limits.MAX_UPLOAD_COLUMNS + b"\n"
    with pytest.raises(TableError) as caught:
        read_table("wide.csv", data, required=("lot_code", "quantity"))
    assert "MAX_UPLOAD_COLUMNS" in caught.value.errors[0].message
