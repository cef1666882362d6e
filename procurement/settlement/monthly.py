"""Pure rules of the monthly reconciliation and the three-way match (RULES.md 5 and 11).

No Flask, no SQLAlchemy: ``services/monthly_reconciliation.py`` and ``services/invoices.py``
apply them to rows. Reasons are the values of ``monthly_models.HeldReason``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

MATCH_TOLERANCE = Decimal("0.01")  # RULES.md 11: invoice and receipt amounts agree within 1 fen
MAX_INVOICES_PER_LINE = 2  # RULES.md 11, 两票制: manufacturer -> distributor -> hospital
MAX_DISPUTE_REASON = 500  # characters of a dispute's reason
MAX_NOTE = 500  # characters of a resolution's note
MAX_INVOICE_NUMBER = 40  # characters of an invoice number
MAX_INVOICE_LINES = 200  # receipt lines one invoice covers (RULES.md 4: lines of an order)


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of ``month`` and of the month after it."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


def match(
    accepted_quantity: int,
    accepted_amount: Decimal,
    ordered_price: Decimal,
    received_price: Decimal,
    invoiced_quantity: int | None,
    invoiced_amount: Decimal | None,
) -> str | None:
    """The three-way match of order, receipt and the hospital's invoice: None when the
    receipt's price is the order's, the invoice's quantity equals the accepted quantity and its
    amount is within ``MATCH_TOLERANCE`` of the accepted amount; otherwise the flag:
    "mismatch" (a difference) or "no_invoice" (no invoice to the hospital covers the line, so
    there is nothing to match: the line cannot be paid yet)."""
    if ordered_price != received_price:
        return "mismatch"
    if invoiced_quantity is None or invoiced_amount is None:
        return "no_invoice"
    if (
        invoiced_quantity == accepted_quantity
        and abs(invoiced_amount - accepted_amount) <= MATCH_TOLERANCE
    ):
        return None
    return "mismatch"


def held_reason(
    line_status: str, reconciliation_confirmed: bool, flag: str | None, scanned: bool = True
) -> str | None:
    """Why a reconciled line may not be paid yet, or None when it may. ``flag`` is the
    three-way match's (``match``); ``scanned`` is False for a line whose packages carry codes
    but were accepted without scanning them while codes were required (``services/holds.py``:
    "unscanned"). One reason a line, the first that applies: disputed, unscanned, mismatch,
    unconfirmed, no_invoice (a confirmed line still waits for its invoice)."""
    if line_status == "disputed":
        return "disputed"
    if not scanned:
        return "unscanned"
    if flag == "mismatch":
        return "mismatch"
    if not reconciliation_confirmed or line_status != "confirmed":
        return "unconfirmed"
    return flag


def later(first: datetime, second: datetime | None) -> datetime:
    """The later of two instants (the payment deadline runs from it, RULES.md 5)."""
    return first if second is None or first >= second else second
