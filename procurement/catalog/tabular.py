"""Read CSV and XLSX uploads into rows, and parse cells, reporting errors by row and column.

Pure (stdlib + openpyxl): no Flask, no SQLAlchemy. Row numbers are the spreadsheet's: the
header is row 1, the first data row is row 2. Blank rows are skipped but still counted.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from procurement.core.limits import (
    MAX_UPLOAD_BLANK_ROWS,
    MAX_UPLOAD_COLUMNS,
    MAX_UPLOAD_ROWS,
    MAX_UPLOAD_XLSX_UNPACKED_BYTES,
)

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = MAX_UPLOAD_ROWS


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    message: str

    @property
    def key(self) -> str:
        return f"row {self.row}: {self.column}"


@dataclass
class Table:
    """Rows as ``(row_number, {column: text})``, column names normalised to lower case."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


class TableError(Exception):
    """The upload as a whole, or some of its cells, cannot be used; nothing is imported."""

    def __init__(self, errors: list[CellError]) -> None:
        super().__init__(errors[0].message if errors else "invalid table")
        self.errors = errors


def read_table(
    filename: str, data: bytes, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Table:
    """Parse an upload (CSV in UTF-8, with or without BOM, or XLSX) and check its header.

    The file is read row by row and reading stops at the first row beyond a limit
    (MAX_UPLOAD_ROWS data rows, MAX_UPLOAD_BLANK_ROWS blank ones, MAX_UPLOAD_COLUMNS cells a
    row), so an oversized file costs no more than the limit to refuse."""
    rows = _xlsx_rows(data) if _is_xlsx(filename, data) else _csv_rows(data)
    first = next(rows, None)
    if first is None or not any(c.strip() for c in first):
        raise TableError([CellError(1, "header", "the file is empty: no header row")])
    header = [c.strip().lower() for c in first]
    _check_header(header, required, optional)
    table, errors, blank = Table(), [], 0
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            blank += 1
            if blank > MAX_UPLOAD_BLANK_ROWS:
                raise _over(
                    number,
                    f"more than {MAX_UPLOAD_BLANK_ROWS} blank rows "
                    "(MAX_UPLOAD_BLANK_ROWS); delete them",
                )
            continue
        if len(table.rows) == MAX_UPLOAD_ROWS:
            raise _over(number, f"at most {MAX_UPLOAD_ROWS} rows per upload (MAX_UPLOAD_ROWS)")
        if any(c.strip() for c in cells[len(header) :]):
            errors.append(
                CellError(number, "row", f"{len(cells)} cells but the header has {len(header)}")
            )
        padded = list(cells) + [""] * (len(header) - len(cells))
        table.rows.append((number, {h: v.strip() for h, v in zip(header, padded, strict=False)}))
    if errors:
        raise TableError(errors)
    if not table.rows:
        raise TableError([CellError(2, "file", "the file has a header but no data rows")])
    return table


def _over(row: int, message: str) -> TableError:
    return TableError([CellError(row, "file", f"{message}; split the file")])


def _is_xlsx(filename: str, data: bytes) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(XLSX_MAGIC)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise TableError(
                [CellError(1, "file", "the CSV is not UTF-8 text; save it as 'CSV UTF-8'")]
            ) from None
        except csv.Error as exc:
            raise TableError([CellError(1, "file", f"the CSV cannot be read: {exc}")]) from None
        if len(cells) > MAX_UPLOAD_COLUMNS:
            raise _over(
                reader.line_num,
                f"more than {MAX_UPLOAD_COLUMNS} cells in a row (MAX_UPLOAD_COLUMNS)",
            )
        yield cells


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
        if unpacked > MAX_UPLOAD_XLSX_UNPACKED_BYTES:
            # openpyxl scans a sheet without a <dimension> once just to open it; a deflated
            # sheet can be a thousand times its upload's size.
            raise _over(
                1,
                f"the workbook unpacks to more than {MAX_UPLOAD_XLSX_UNPACKED_BYTES} "
                "bytes (MAX_UPLOAD_XLSX_UNPACKED_BYTES)",
            )
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(
            [CellError(1, "file", "the file is not a readable XLSX workbook")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # read_only streams the sheet's XML; max_col stops a sheet whose dimension claims
        # 16,384 columns from padding every row to that width.
        width = min(sheet.max_column or MAX_UPLOAD_COLUMNS + 1, MAX_UPLOAD_COLUMNS + 1)
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=width), start=1):
            cells = [_cell_text(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > MAX_UPLOAD_COLUMNS:
                raise _over(
                    number, f"more than {MAX_UPLOAD_COLUMNS} cells in a row (MAX_UPLOAD_COLUMNS)"
                )
            yield cells
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel stores every number as a float: print it exactly as typed where possible.
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _check_header(header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    errors: list[CellError] = []
    known = set(required) | set(optional)
    missing = [c for c in required if c not in header]
    if missing:
        errors.append(CellError(1, "header", f"missing column(s): {', '.join(missing)}"))
    unknown = [c for c in header if c and c not in known]
    if unknown:
        errors.append(
            CellError(
                1,
                "header",
                f"unknown column(s): {', '.join(unknown)}; expected "
                f"{', '.join(required + optional)}",
            )
        )
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    if duplicated:
        errors.append(CellError(1, "header", f"column(s) given twice: {', '.join(duplicated)}"))
    if errors:
        raise TableError(errors)


class CellParser:
    """Collects cell errors while converting the text of one row's cells."""

    def __init__(self, row: int, cells: dict[str, str]) -> None:
        self.row = row
        self.cells = cells
        self.errors: list[CellError] = []

    def fail(self, column: str, message: str) -> None:
        self.errors.append(CellError(self.row, column, message))

    def text(self, column: str, *, required: bool = True, default: str = "") -> str:
        value = self.cells.get(column, "")
        if not value:
            if required:
                self.fail(column, "is required")
            return default
        return value

    def integer(self, column: str, *, minimum: int = 0, default: int | None = None) -> int | None:
        value = self.cells.get(column, "")
        if not value and default is not None:
            return default
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            self.fail(column, f"'{value}' is not a whole number")
            return None
        if number < minimum:
            self.fail(column, f"{value} is below {minimum}")
            return None
        return int(number)

    def decimal(self, column: str) -> Decimal | None:
        value = self.cells.get(column, "")
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.fail(column, f"'{value}' is not a number")
            return None
        return number

    def boolean(self, column: str, *, default: bool = False) -> bool:
        value = self.cells.get(column, "").lower()
        if not value:
            return default
        if value in ("1", "true", "yes", "y", "是"):
            return True
        if value in ("0", "false", "no", "n", "否"):
            return False
        self.fail(column, f"'{value}' is not yes/no (use true or false)")
        return default
