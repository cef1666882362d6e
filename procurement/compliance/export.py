"""CSV and XLSX tables: every table of the compliance pages and API exports through here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response

from procurement.web.tabular_export import XLSX_MIMETYPE, csv_bytes, xlsx_bytes


def table_response(name: str, header: Sequence[str], rows: list[list[Any]], fmt: str) -> Response:
    """A CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) or XLSX download; ratios and
    amounts as their exact text, user text (names, alert details) never a formula."""
    filename, body, mimetype = table_file(name, header, rows, fmt)
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def table_file(
    name: str, header: Sequence[str], rows: list[list[Any]], fmt: str
) -> tuple[str, bytes, str]:
    """The table as a file: (file name, content, media type); CSV or XLSX as above."""
    if fmt == "xlsx":
        return f"{name}.xlsx", xlsx_bytes([(name, [header, *rows])]), XLSX_MIMETYPE
    return f"{name}.csv", csv_bytes([header, *rows]), "text/csv"


PROGRESS_HEADER = (
    "group",
    "key",
    "label",
    "agreed",
    "accepted",
    "completion",
    "time_progress",
    "status",
    "contracts",
    "behind",
    "at_risk",
    "zero_purchase",
    "non_winning_share",
    "off_platform_share",
    "confirm_on_time_rate",
    "deliver_on_time_rate",
    "payment_on_time_rate",
)


def progress_rows(rows) -> list[list[Any]]:
    return [
        [
            r.group,
            r.key,
            r.label,
            r.agreed,
            r.accepted,
            r.completion,
            r.time_progress,
            r.status,
            r.contracts,
            r.behind,
            r.at_risk,
            r.zero,
            r.extra.get("non_winning_share"),
            r.extra.get("off_platform_share"),
            r.extra.get("confirm_on_time_rate"),
            r.extra.get("deliver_on_time_rate"),
            r.extra.get("payment_on_time_rate"),
        ]
        for r in rows
    ]


YEAR_END_HEADER = (
    "hospital_id",
    "hospital",
    "lot",
    "agreed",
    "accepted",
    "completion",
    "shortfall",
    "reference_price",
    "winning_price",
    "deduction",
    "hospital_budget",
    "hospital_actual",
    "balance",
    "score",
    "grade",
    "retained",
)


def year_end_rows(results) -> list[list[Any]]:
    out = []
    for x in results:
        for line in x.lines:
            out.append(
                [
                    x.hospital_id,
                    x.hospital.name,
                    line.lot.code,
                    line.agreed,
                    line.accepted,
                    line.completion,
                    line.shortfall,
                    line.reference_price,
                    line.winning_price,
                    line.deduction,
                    x.budget,
                    x.actual,
                    x.balance,
                    x.score,
                    x.grade,
                    x.retained,
                ]
            )
    return out


ALERTS_HEADER = ("id", "kind", "severity", "subject", "step", "status", "raised_at", "detail")


def alert_rows(alerts) -> list[list[Any]]:
    """One row per alert, as the alerts list exports it."""
    return [
        [
            alert.id,
            alert.kind.value,
            alert.severity.value,
            alert.subject.name if alert.subject else "",
            alert.step.value,
            alert.status.value,
            alert.raised_at.isoformat(),
            alert.detail,
        ]
        for alert in alerts
    ]
