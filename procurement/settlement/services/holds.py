"""Which accepted receipt lines a settlement run may pay: the holds, in SQL.

A settlement run (``batches.eligible`` and ``batches.due_lines``) adds ``released_payables()``
and ``released_lines()`` to what it claims and accrues, so every hold is one condition here,
and a held line is simply not due (it stays unpaid, accrued or not, until its hold lifts).

Holds today:

- **reconciliation** (RULES.md 5 and 11): a line of a contract whose tender's rules turn
  ``settlement.reconciliation`` on is paid only once its reconciliation line is released
  (confirmed, undisputed, three-way matched, invoiced; ``monthly_models.ReconciliationLine``).
- **unscanned** (RULES.md 5 and 11, ``require_trace_codes``): a line whose shipment line
  carries traceability codes but that was accepted without scanning them (the orders area's
  quantity form or API: no ``trace_line_coding`` row) while its tender required codes on the
  acceptance date is not paid: the fund settles only packages whose codes were scanned
  (``HeldReason.UNSCANNED``, "accepted without scanning its codes"). Lines received by scan pay
  their coded amount instead (``trace.payable_queries.coded_amount``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from procurement.catalog.models import Tender
from procurement.catalog.rules import TraceRules
from procurement.contracts.models import Contract
from procurement.core.clock import day_start
from procurement.orders.models import ReceiptLine
from procurement.settlement.models import Payable
from procurement.settlement.monthly_models import ReconciliationLine
from procurement.trace.payable_queries import any_codes, unscanned_codes


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


def codes_required_since(session: Session) -> dict[date, list[int]]:
    """Tenders whose frozen rules require scanned codes, by the date from which they do."""
    found: dict[date, list[int]] = defaultdict(list)
    for tender_id, snapshot in session.execute(select(Tender.id, Tender.rules_snapshot)):
        rules = TraceRules.from_snapshot(snapshot)
        if rules.require_trace_codes:
            found[date.fromisoformat(rules.trace_codes_from)].append(tender_id)
    return dict(found)


def unscanned(session: Session, line_id) -> ColumnElement[bool] | None:
    """True for a receipt line (by id) whose shipment line carries codes, accepted without
    scanning them while its tender required codes on the acceptance date (None: no line can
    be, as no package was ever shipped with a code or no tender requires codes)."""
    required = codes_required_since(session) if any_codes(session) else {}
    if not required:
        return None
    line = aliased(ReceiptLine)
    since = [
        and_(Contract.tender_id.in_(ids), line.accepted_at >= day_start(first))
        for first, ids in sorted(required.items())
    ]
    return exists(
        select(line.id)
        .join(Contract, Contract.id == line.contract_id)
        .where(line.id == line_id, unscanned_codes(line.shipment_line_id), or_(*since))
        .correlate_except(line, Contract)
    )


def _conditions(session: Session, line_id, contract_id) -> tuple[ColumnElement[bool], ...]:
    """Every hold as a condition that is true when the line may be paid."""
    conditions = [or_(~reconciliation_on(contract_id), _released(line_id))]
    held = unscanned(session, line_id)
    if held is not None:
        conditions.append(~held)
    return tuple(conditions)


def released_payables(session: Session) -> tuple[ColumnElement[bool], ...]:
    """Conditions on ``Payable``: not held."""
    return (and_(*_conditions(session, Payable.id, Payable.contract_id)),)


def released_lines(session: Session) -> tuple[ColumnElement[bool], ...]:
    """Conditions on ``ReceiptLine``: not held."""
    return (and_(*_conditions(session, ReceiptLine.id, ReceiptLine.contract_id)),)
