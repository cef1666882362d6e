"""Which accepted receipt lines a settlement run may pay: the holds, in SQL.

A settlement run (``batches.eligible`` and ``batches.due_lines``) adds ``released_payables()``
and ``released_lines()`` to what it claims and accrues, so every hold is one condition here,
and a held line is simply not due (it stays unpaid, accrued or not, until its hold lifts).

Holds today:

- **reconciliation** (RULES.md 5 and 11): a line of a contract whose tender's rules turn
  ``settlement.reconciliation`` on is paid only once its reconciliation line is released
  (confirmed, undisputed, three-way matched; ``monthly_models.ReconciliationLine``).

HOOK for the traceability half of issue 18 item 7 (``require_trace_codes``): add the coded
condition as another term of ``_conditions`` (a line whose packages were not all scanned is
held), and its reason beside ``HeldReason`` so pages and statements say why.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select

from procurement.catalog.models import Tender
from procurement.contracts.models import Contract
from procurement.orders.models import ReceiptLine
from procurement.settlement.models import Payable
from procurement.settlement.monthly_models import ReconciliationLine


def reconciliation_on(contract_id) -> ColumnElement[bool]:
    """The contract's tender froze ``settlement.reconciliation`` = true."""
    flag = Tender.rules_snapshot["settlement"]["reconciliation"].as_boolean()
    return exists(
        select(Contract.id)
        .join(Tender, Tender.id == Contract.tender_id)
        .where(Contract.id == contract_id, flag.is_(True))
        .correlate_except(Contract, Tender)
    )


def _released(line_id) -> ColumnElement[bool]:
    return exists(
        select(ReconciliationLine.id)
        .where(
            ReconciliationLine.receipt_line_id == line_id,
            ReconciliationLine.released_at.is_not(None),
        )
        .correlate_except(ReconciliationLine)
    )


def _conditions(line_id, contract_id) -> tuple[ColumnElement[bool], ...]:
    """Every hold as a condition that is true when the line may be paid."""
    return (or_(~reconciliation_on(contract_id), _released(line_id)),)


def released_payables() -> tuple[ColumnElement[bool], ...]:
    """Conditions on ``Payable``: not held."""
    return (and_(*_conditions(Payable.id, Payable.contract_id)),)


def released_lines() -> tuple[ColumnElement[bool], ...]:
    """Conditions on ``ReceiptLine``: not held."""
    return (and_(*_conditions(ReceiptLine.id, ReceiptLine.contract_id)),)
