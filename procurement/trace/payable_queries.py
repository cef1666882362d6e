"""What the settlement pays of a receipt line (issue 18 item 7, ``require_trace_codes``): the
amount of its packages received by scan, as written at acceptance in ``trace_line_coding``;
a line received without the scan flow (no coding row) pays its accepted amount as before.
Used by ``settlement/services/payables.py`` (one outer join, no extra query)."""

from __future__ import annotations

from sqlalchemy import func

from procurement.orders.models import ReceiptLine
from procurement.trace.scan_models import LineCoding


def coded_amount():
    return func.coalesce(LineCoding.coded_amount, ReceiptLine.accepted_amount)


def with_coding(rows):
    return rows.outerjoin(LineCoding, LineCoding.shipment_line_id == ReceiptLine.shipment_line_id)


def expected_amount(line):
    """The payable amount of receipt line table ``line`` (an alias): for the integrity check."""
    return func.coalesce(LineCoding.coded_amount, line.c.accepted_amount)


def join_coding(query, line):
    return query.outerjoin(LineCoding, LineCoding.shipment_line_id == line.c.shipment_line_id)
