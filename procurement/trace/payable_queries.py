"""What the settlement pays of a receipt line (issue 18 item 7, ``require_trace_codes``): the
amount of its packages received by scan, as written at acceptance in ``trace_line_coding``;
a line received without the scan flow (no coding row) pays its accepted amount as before,
unless its shipment line carries codes and codes were required (``unscanned_codes``: then
``settlement/services/holds.py`` holds it).
Used by ``settlement/services/payables.py`` (one outer join, no extra query)."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from procurement.orders.models import ReceiptLine
from procurement.trace.models import TracePackage
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


def any_codes(session) -> bool:
    """Whether any package was ever shipped with a code (else no line can be unscanned)."""
    return session.scalar(select(TracePackage.code).limit(1)) is not None


def unscanned_codes(shipment_line_id):
    """The shipment line carries codes but was accepted without the scan flow (no coding
    row): accepted through the orders area's quantity form or API."""
    shipped = select(TracePackage.code).where(TracePackage.shipment_line_id == shipment_line_id)
    coded = select(LineCoding.shipment_line_id).where(
        LineCoding.shipment_line_id == shipment_line_id
    )
    return and_(shipped.exists(), ~coded.exists())
