"""The one tabular writer: user text never a formula, numbers never prefixed."""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from procurement.web.tabular_export import (
    csv_bytes,
    csv_cell,
    decimal_as_number,
    inert,
    xlsx_bytes,
)

HYPERLINK = '=HYPERLINK("http://e.vil","x")'
TRIGGERS = [HYPERLINK, "=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_text_a_spreadsheet_would_evaluate_gets_a_leading_quote(text):
    assert inert(text) == "'" + text


@pytest.mark.parametrize("text", ["", "L01", "氨氯地平", "a=1", "1-2", "'=1", " =1"])
def test_other_text_is_left_as_it_is(text):
    assert inert(text) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("-12.50"), "-12.50"), (-3, "-3"), (-0.5, "-0.5"), (None, ""), (True, "True")],
)
def test_numbers_are_never_prefixed(value, text):
    assert csv_cell(value) == text


def test_the_csv_reads_back_with_every_trigger_quoted_and_numbers_bare():
    data = csv_bytes([["name", "amount"], *([t, Decimal("-1.50")] for t in TRIGGERS)])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1:] == [["'" + t, "-1.50"] for t in TRIGGERS]


def read_cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_the_xlsx_has_no_formula_cell_and_keeps_the_text_exactly():
    data = xlsx_bytes([("t", [["name", "amount", "count"], *([t, -1, 2] for t in TRIGGERS)])])
    cells = read_cells(data)
    assert [c for c in cells if c.data_type == "f"] == []
    texts = [c for c in cells if c.column == 1 and c.row > 1]
    # An XML parser may read a bare carriage return back as a line feed (the standard library's
    # does, lxml's keeps it, and openpyxl uses lxml when it is installed); the cell is still
    # quoted text either way.
    lf = lambda text: text.replace("\r", "\n")  # noqa: E731
    assert [(lf(c.value), c.data_type, c.quotePrefix) for c in texts] == [
        (lf(t), "s", True) for t in TRIGGERS
    ]
    numbers = [c for c in cells if c.column > 1 and c.row > 1]
    assert {(c.value, c.data_type, c.quotePrefix) for c in numbers} == {
        (-1, "n", False),
        (2, "n", False),
    }


def test_xlsx_amounts_are_numbers_only_where_a_double_holds_them_exactly():
    assert decimal_as_number(Decimal("-56.00")) == Decimal("-56.00")
    assert decimal_as_number(Decimal("0.2000")) == Decimal("0.2000")
    assert decimal_as_number(Decimal("0.1234")) == "0.1234"
    assert decimal_as_number(Decimal("12345678901234567.89")) == "12345678901234567.89"
    data = xlsx_bytes(
        [("t", [[Decimal("-56.00"), Decimal("12345678901234567.89")]])], decimal=decimal_as_number
    )
    first, second = read_cells(data)
    assert (first.value, first.data_type) == (-56, "n")
    assert (second.value, second.data_type, second.quotePrefix) == (
        "12345678901234567.89",
        "s",
        False,
    )


# Writers that would put user text in a file cell as it is: only tabular_export may use them.
RAW_WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook")}
PACKAGE = Path(__file__).resolve().parents[3] / "procurement"


def _raw_writer_uses(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            found += [
                f"from {node.module} import {a.name}"
                for a in node.names
                if (top, a.name) in RAW_WRITERS
            ]
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("xlsxwriter")]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in RAW_WRITERS
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_export_writes_csv_or_xlsx_but_through_the_one_writer():
    """Issue 13: the formula injection must not come back through a new export's own writer."""
    offenders = [
        f"{path.relative_to(PACKAGE)}: {use}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "tabular_export.py"
        for use in _raw_writer_uses(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []
    own = _raw_writer_uses(ast.parse((PACKAGE / "web" / "tabular_export.py").read_text("utf-8")))
    assert "csv.writer" in own  # the scan really sees a writer where there is one
