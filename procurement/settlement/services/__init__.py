"""Settlement use cases: ledger, advances, payables, runs, statements (one module each)."""

from procurement.settlement.services.advances import (
    AdvanceResult,
    AdvanceYear,
    advance_overview,
    list_advances,
    run_advances,
)
from procurement.settlement.services.ledger import balance, reverse_transaction
from procurement.settlement.services.payables import (
    AccrualResult,
    OverdueItem,
    accrue_payables,
    list_payables,
    overdue_payables,
)
from procurement.settlement.services.reconciliation import Reconciliation, reconcile
from procurement.settlement.services.runs import (
    get_run,
    list_runs,
    payment_file,
    plan_batches,
    start_run,
)
from procurement.settlement.services.statements import Statement, statement, statement_parties

__all__ = [
    "AccrualResult",
    "AdvanceResult",
    "AdvanceYear",
    "OverdueItem",
    "Reconciliation",
    "Statement",
    "accrue_payables",
    "advance_overview",
    "balance",
    "get_run",
    "list_advances",
    "list_payables",
    "list_runs",
    "overdue_payables",
    "payment_file",
    "plan_batches",
    "reconcile",
    "reverse_transaction",
    "run_advances",
    "start_run",
    "statement",
    "statement_parties",
]
