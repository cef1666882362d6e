"""Read a shipment line's code file: CSV or XLSX (columns ``code`` and optional ``case``, the
case code a box sits in), or plain text (one code a line, no aggregation). Pure.

Row numbers are the file's: a CSV/XLSX's header is row 1, a text file's first line is row 1.
CSV and XLSX go through ``catalog/tabular.py`` (MAX_UPLOAD_ROWS rows); a text file may hold
up to MAX_CODES_PER_FILE codes, which is what a million-box shipment sends."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import NamedTuple

from procurement.catalog.tabular import CellError, TableError, read_table

MAX_CODES_PER_FILE = 1_000_000
CODE_COLUMNS = ("code",)
OPTIONAL_COLUMNS = ("case",)
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


class CodeRow(NamedTuple):
    """One code of a file (a tuple: a million-code file makes a million of them)."""

    row: int
    code: str
    case: str | None = None  # the case code standing for this box (aggregation)


def read_codes(filename: str, data: bytes) -> list[CodeRow]:
    """The codes of an upload; raises TableError (nothing is read) when the file is unusable."""
    if filename.lower().endswith(TABLE_SUFFIXES) or data.startswith(b"PK\x03\x04"):
        table = read_table(filename, data, required=CODE_COLUMNS, optional=OPTIONAL_COLUMNS)
        return [CodeRow(n, c["code"], c.get("case") or None) for n, c in table.rows]
    return _text_codes(data)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: making a million small objects (rows, tuples)
    otherwise triggers a thousand collections, each walking every object made so far (it
    tripled the time of reading a million-code file). Nothing made here forms a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _text_codes(data: bytes) -> list[CodeRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError([CellError(1, "file", "the file is not UTF-8 text")]) from None
    with gc_paused():
        return _text_rows(text)


def _text_rows(text: str) -> list[CodeRow]:
    codes = (CodeRow(n, c) for n, line in enumerate(text.splitlines(), 1) if (c := line.strip()))
    rows = list(islice(codes, MAX_CODES_PER_FILE + 1))  # one more says the file is too long
    if len(rows) > MAX_CODES_PER_FILE:
        raise TableError(
            [
                CellError(
                    rows[MAX_CODES_PER_FILE].row,
                    "file",
                    f"at most {MAX_CODES_PER_FILE} codes per file (MAX_CODES_PER_FILE); "
                    "split the file",
                )
            ]
        )
    if not rows:
        raise TableError([CellError(1, "file", "the file holds no codes")])
    return rows
