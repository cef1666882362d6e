"""CSV and XLSX files from rows of plain values; every export of the platform writes through here.

User text never comes back as a formula (OWASP's CSV-injection advice): a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading single quote
in CSV, and in XLSX as a string cell with Excel's quote prefix (openpyxl would otherwise store a
str starting with ``=`` as a formula). Numbers (int, Decimal, float) are never prefixed: a negative
amount is a number, not text. How a Decimal is written is the caller's choice (``decimal``): exact
text, or a number for XLSX.

Stdlib and openpyxl only (no Flask, no SQLAlchemy), so the pure export modules use it too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from procurement.core.money import AMOUNT_DECIMALS, has_places

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel holds numbers as IEEE doubles: 15 significant digits survive the round trip exactly.
EXACT_DOUBLE_DIGITS = 15

Rows = Iterable[Sequence[Any]]
DecimalFormat = Callable[[Decimal], Any]


def inert(text: str) -> str:
    """The text with a leading single quote if a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal)  # bool is an int: True/False, never a formula


def csv_cell(value: Any, decimal: DecimalFormat = str) -> str:
    """One CSV field: numbers as they are, any other value as inert text."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(decimal(value))
    if _number(value):
        return str(value)
    return inert(str(value))


def csv_bytes(
    rows: Rows, *, bom: bool = True, lineterminator: str = "\r\n", decimal: DecimalFormat = str
) -> bytes:
    """CSV in UTF-8, with a BOM by default so spreadsheet programs read Chinese names."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerows([csv_cell(v, decimal) for v in row] for row in rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def decimal_as_number(value: Decimal) -> Decimal | str:
    """An amount as an XLSX number when a double holds it exactly (2 places, at most 15
    significant digits), else as its exact text."""
    exact = has_places(value, AMOUNT_DECIMALS) and (
        len(value.as_tuple().digits) <= EXACT_DOUBLE_DIGITS
    )
    return value if exact else str(value)


def _xlsx_cell(sheet, value: Any, decimal: DecimalFormat) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = decimal(value)
        return value if _number(value) else str(value)  # a number's text: no formula
    if _number(value):
        return value
    cell = WriteOnlyCell(sheet, str(value))
    cell.data_type = "s"  # never "f": openpyxl makes any str starting with "=" a formula
    if cell.value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


def xlsx_bytes(sheets: Iterable[tuple[str, Rows]], *, decimal: DecimalFormat = str) -> bytes:
    """A workbook with one sheet per (title, rows); titles are cut to Excel's 31 characters."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v, decimal) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
