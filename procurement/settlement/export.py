"""Files: statements as CSV and XLSX, the bank's payment file of a run as CSV.

Pure (no Flask, no SQLAlchemy): takes the service results, returns bytes. The payment file is
byte-for-byte deterministic (rows sorted by manufacturer code, fixed 2-place amounts, LF line
ends, no BOM), so generating it again for the same run gives the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from procurement.core.money import AMOUNT_DECIMALS, fixed
from procurement.web import tabular_export
from procurement.web.tabular_export import XLSX_MIMETYPE, decimal_as_number, xlsx_bytes

__all__ = ["XLSX_MIMETYPE", "csv_bytes", "payment_file_csv", "statement_csv", "statement_xlsx"]

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


def _two_places(value: Decimal) -> str:
    return fixed(value, AMOUNT_DECIMALS)


def csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    """CSV in UTF-8 (with a BOM by default, so spreadsheet programs read Chinese names), LF line
    ends, amounts with 2 places, names never a formula."""
    return tabular_export.csv_bytes(rows, bom=bom, lineterminator="\n", decimal=_two_places)


Headings = Callable[[Sequence[str]], list[str]]


def _statement_sections(
    st: StatementLike, headings: Headings = list
) -> tuple[list[list[Any]], list[list[Any]]]:
    keys = ["party_code", "party_name", "party_kind", "from", "to", *st.summary]
    values = [
        st.party_code,
        st.party_name,
        st.party_kind,
        st.period_from.isoformat(),
        st.period_to.isoformat(),
        *st.summary.values(),
    ]
    head = [list(pair) for pair in zip(headings(keys), values, strict=True)]
    lines = [headings(st.columns), *([line.get(c) for c in st.columns] for line in st.lines)]
    return head, lines


def statement_csv(st: StatementLike, headings: Headings = list) -> bytes:
    """The summary (key, value rows), a blank row, then the lines with their header (named by
    ``headings``: the page's language)."""
    head, lines = _statement_sections(st, headings)
    return csv_bytes([*head, [], *lines])


def statement_xlsx(st: StatementLike, headings: Headings = list) -> bytes:
    """Two sheets: "summary" (key, value) and "lines"; amounts are numbers, not text."""
    head, lines = _statement_sections(st, headings)
    return xlsx_bytes([("summary", head), ("lines", lines)], decimal=decimal_as_number)


def payment_file_csv(reference: str, payments: Iterable[tuple[str, str, Decimal, str, int]]):
    """The bank's file of one run: one row per manufacturer (code, name, amount, currency,
    payables count), sorted by manufacturer code."""
    rows = [
        [reference, code, name, amount, currency, count]
        for code, name, amount, currency, count in sorted(payments)
    ]
    return csv_bytes([PAYMENT_FILE_HEADER, *rows], bom=False)
