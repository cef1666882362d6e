"""Read a shipment line's code file: CSV or XLSX (columns ``code`` and optional ``case``, the
case code a box sits in), or plain text (one code a line, no aggregation). Pure.

Row numbers are the file's: a CSV/XLSX's header is row 1, a text file's first line is row 1.
CSV and XLSX go through ``catalog/tabular.py`` (MAX_UPLOAD_ROWS rows); a text file may hold
up to MAX_CODES_PER_FILE codes, which is what a million-box shipment sends."""

from __future__ import annotations

from dataclasses import dataclass

from procurement.catalog.tabular import CellError, TableError, read_table

MAX_CODES_PER_FILE = 1_000_000
CODE_COLUMNS = ("code",)
OPTIONAL_COLUMNS = ("case",)
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


@dataclass(frozen=True)
class CodeRow:
    row: int
    code: str
    case: str | None = None  # the case code standing for this box (aggregation)


def read_codes(filename: str, data: bytes) -> list[CodeRow]:
    """The codes of an upload; raises TableError (nothing is read) when the file is unusable."""
    if filename.lower().endswith(TABLE_SUFFIXES) or data.startswith(b"PK\x03\x04"):
        table = read_table(filename, data, required=CODE_COLUMNS, optional=OPTIONAL_COLUMNS)
        return [CodeRow(n, c["code"], c.get("case") or None) for n, c in table.rows]
    return _text_codes(data)


def _text_codes(data: bytes) -> list[CodeRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError([CellError(1, "file", "the file is not UTF-8 text")]) from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.strip()
        if not code:
            continue
        if len(rows) == MAX_CODES_PER_FILE:
            raise TableError(
                [
                    CellError(
                        number,
                        "file",
                        f"at most {MAX_CODES_PER_FILE} codes per file (MAX_CODES_PER_FILE); "
                        "split the file",
                    )
                ]
            )
        rows.append(CodeRow(number, code))
    if not rows:
        raise TableError([CellError(1, "file", "the file holds no codes")])
    return rows
