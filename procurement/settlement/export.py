"""Files: statements as CSV and XLSX, the bank's payment file of a run as CSV.

Pure (no Flask, no SQLAlchemy): takes the service results, returns bytes. The payment file is
byte-for-byte deterministic (rows sorted by manufacturer code, fixed 2-place amounts, LF line
ends, no BOM), so generating it again for the same run gives the same file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from openpyxl import Workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAYMENT_FILE_HEADER = (
    "run_reference",
    "manufacturer_code",
    "manufacturer_name",
    "amount",
    "currency",
    "payables_count",
)


class StatementLike(Protocol):
    party_code: str
    party_name: str
    party_kind: str
    period_from: Any
    period_to: Any
    summary: dict[str, Any]
    columns: list[str]
    lines: list[dict[str, Any]]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    """CSV in UTF-8 (with a BOM by default, so spreadsheet programs read Chinese names)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([_text(v) for v in row] for row in rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _statement_sections(st: StatementLike) -> tuple[list[list[Any]], list[list[Any]]]:
    head = [
        ["party_code", st.party_code],
        ["party_name", st.party_name],
        ["party_kind", st.party_kind],
        ["from", st.period_from.isoformat()],
        ["to", st.period_to.isoformat()],
        *([key, value] for key, value in st.summary.items()),
    ]
    lines = [list(st.columns), *([line.get(c) for c in st.columns] for line in st.lines)]
    return head, lines


def statement_csv(st: StatementLike) -> bytes:
    """The summary (key, value rows), a blank row, then the lines with their header."""
    head, lines = _statement_sections(st)
    return csv_bytes([*head, [], *lines])


def statement_xlsx(st: StatementLike) -> bytes:
    """Two sheets: "summary" (key, value) and "lines"; amounts are numbers, not text."""
    head, lines = _statement_sections(st)
    book = Workbook()
    summary = book.active
    summary.title = "summary"
    for row in head:
        summary.append([_cell(v) for v in row])
    sheet = book.create_sheet("lines")
    for row in lines:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    return value


def payment_file_csv(reference: str, payments: Iterable[tuple[str, str, Decimal, str, int]]):
    """The bank's file of one run: one row per manufacturer (code, name, amount, currency,
    payables count), sorted by manufacturer code."""
    rows = [
        [reference, code, name, amount, currency, count]
        for code, name, amount, currency, count in sorted(payments)
    ]
    return csv_bytes([PAYMENT_FILE_HEADER, *rows], bom=False)
