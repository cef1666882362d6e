"""The simulation comparison as CSV or XLSX (through the platform's one writer)."""

from __future__ import annotations

from typing import Any

from procurement.simulation.comparison import EXPORT_COLUMNS, export_rows
from procurement.web.tabular_export import XLSX_MIMETYPE, csv_bytes, xlsx_bytes

FORMATS = ("csv", "xlsx")


def export_file(compared: list[dict[str, Any]], fmt: str, baseline_name: str) -> tuple[bytes, str]:
    """The file's bytes and mimetype: one row per lot and variant, then each variant's totals."""
    rows = [list(EXPORT_COLUMNS), *export_rows(compared, baseline_name)]
    if fmt == "xlsx":
        return xlsx_bytes([("simulation", rows)]), XLSX_MIMETYPE
    return csv_bytes(rows), "text/csv"
