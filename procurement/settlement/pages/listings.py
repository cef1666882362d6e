"""The settlement pages' listings (filters, sorts, paging) and the words a statement's
summary keys, columns, line kinds and accounts are shown in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from procurement.orders.models import OrderLine, OrderStatus, PurchaseOrder
from procurement.settlement import queries
from procurement.settlement.models import Payable, RunStatus, SettlementRun
from procurement.web.listing import Choice, DateFrom, DateTo, Listing, Number, Sort, Text
from procurement.web.session import now

RUNS = Listing(
    filters=(
        Choice("status", _l("Status"), RunStatus, lambda q, v: q.where(SettlementRun.status == v)),
        DateFrom("from", _l("Cut-off from"), SettlementRun.cut_off),
        DateTo("to", _l("Cut-off until"), SettlementRun.cut_off),
    ),
    sorts=(
        Sort("started", _l("Started"), SettlementRun.started_at),
        Sort("cut_off", _l("Cut-off"), SettlementRun.cut_off),
        Sort("amount", _l("Amount"), SettlementRun.total_amount),
    ),
    default_sort="-started",
    tiebreak=SettlementRun.id,
)


def _payable_state(query, value: str):
    if value == "paid":
        return query.where(Payable.paid_at.is_not(None))
    query = query.where(Payable.paid_at.is_(None))
    return query.where(Payable.due_at < now()) if value == "overdue" else query


PAYABLE_STATES = (
    ("unpaid", _l("Unpaid")),
    ("overdue", _l("Overdue")),
    ("paid", _l("Already paid")),
)
PAYABLES = Listing(
    filters=(
        Choice("status", _l("Status"), lambda: PAYABLE_STATES, _payable_state),
        Text(
            "hospital",
            _l("Hospital"),
            lambda q, v: q.where(
                or_(queries.HOSPITAL.code == v, queries.HOSPITAL.name.ilike(f"%{v}%"))
            ),
        ),
        Text(
            "manufacturer",
            _l("Manufacturer"),
            lambda q, v: q.where(or_(queries.MAKER.code == v, queries.MAKER.name.ilike(f"%{v}%"))),
        ),
        Number("contract", _l("Contract"), lambda q, v: q.where(Payable.contract_id == v)),
        DateFrom("from", _l("Accepted from"), Payable.accepted_at),
        DateTo("to", _l("Accepted until"), Payable.accepted_at),
    ),
    sorts=(
        Sort("due", _l("Payment due"), Payable.due_at),
        Sort("accepted", _l("Accepted"), Payable.accepted_at),
        Sort("amount", _l("Amount"), Payable.amount),
    ),
    default_sort="due",
    tiebreak=Payable.id,
)
PAYMENT_PAYABLES = Listing(
    sorts=(
        Sort("hospital", _l("Hospital"), queries.HOSPITAL.name),
        Sort("accepted", _l("Accepted"), Payable.accepted_at),
        Sort("amount", _l("Amount"), Payable.amount),
    ),
    default_sort="hospital",
    tiebreak=Payable.id,
)
# A statement's lines, 50 a page; its form's fields are kept as the pager's parameters.
STATEMENT_LINES = Listing(
    filters=tuple(Text(name, name, lambda q, v: q) for name in ("party_id", "from", "to")),
)
# What a statement's summary keys, columns, line kinds and accounts are called on the page.
STATEMENT_WORDS = {
    "receivables_accrued": _l("Receivables accrued"),
    "payables_accrued": _l("Payables accrued"),
    "payments": _l("Payments"),
    "outstanding_at_end": _l("Outstanding at the end"),
    "overdue": _l("Overdue"),
    "held_unconfirmed": _l("Held now: reconciliation not confirmed"),
    "held_disputed": _l("Held now: disputed"),
    "held_mismatch": _l("Held now: order, receipt and invoice differ"),
    "held_no_invoice": _l("Held now: no invoice"),
    "held_unscanned": _l("Held now: accepted without scanning its codes"),
    "advance_received": _l("Advance received"),
    "charged_to_advance": _l("Charged to the advance"),
    "charged_to_allocation": _l("Charged to the allocation"),
    "advance_remaining": _l("Advance remaining"),
    "accepted_value": _l("Value accepted"),
    "kind": _l("Kind"),
    "date": _l("Date"),
    "reference": _l("Reference"),
    "amount": _l("Amount"),
    "count": _l("Count"),
    "days_overdue": _l("Days overdue"),
    "transaction": _l("Transaction"),
    "account": _l("Account"),
    "payment": _l("Payment"),
    "fund_pool": _l("Fund pool"),
    "hospital_allocation": _l("Hospital allocation"),
    "hospital_advance": _l("Hospital advance"),
    "manufacturer_payable": _l("Manufacturer payable"),
    "manufacturer_paid": _l("Paid to the manufacturer"),
    "retained_savings": _l("Retained savings"),
    "budget_deduction": _l("Budget deduction"),
}
CONTRACT_ORDERS = Listing(
    filters=(
        Choice(
            "status", _l("Status"), OrderStatus, lambda q, v: q.where(PurchaseOrder.status == v)
        ),
        DateFrom("from", _l("Placed from"), PurchaseOrder.placed_at),
        DateTo("to", _l("Placed until"), PurchaseOrder.placed_at),
    ),
    sorts=(Sort("placed", _l("Placed"), PurchaseOrder.placed_at),),
    default_sort="-placed",
    tiebreak=OrderLine.id,
)
