"""Pure settlement rules (RULES.md section 5): advance, due date, overdue days, charging order.

No Flask, no SQLAlchemy: the services mirror these in set-based SQL and the tests pin both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from procurement.core.money import line_total, round_amount, to_decimal

DEFAULT_ADVANCE_RATIO = Decimal("0.30")  # national, 2019 / 2024: at least 30%
DEFAULT_PAYMENT_DEADLINE_DAYS = 30  # national; Henan: 30 days from accepted delivery
# Manufacturers per settlement-run batch (one crash-safe transaction each). Every batch reads
# the run's due receipt lines once, so fewer, larger batches finish a national run sooner;
# progress is reported per batch (benchmarks/settlement_run.py measures 50 against 20).
DEFAULT_RUN_BATCH_SIZE = 50
DEFAULT_RECONCILIATION_DAYS = 10  # RULES.md 11: both sides confirm or dispute within 10 days


@dataclass(frozen=True, slots=True)
class SettlementRules:
    advance_ratio: Decimal = DEFAULT_ADVANCE_RATIO
    payment_deadline_days: int = DEFAULT_PAYMENT_DEADLINE_DAYS
    # RULES.md 11: pay only lines of a confirmed, invoiced reconciliation. Off by default, on in
    # the national-2025 preset (catalog/rules_sections.py, PRESET_SECTIONS, says why).
    reconciliation: bool = False
    reconciliation_days: int = DEFAULT_RECONCILIATION_DAYS
    reconciliation_auto_confirm: bool = True  # silence confirms at the deadline

    @classmethod
    def from_snapshot(cls, snapshot: Mapping[str, Any] | None) -> SettlementRules:
        """Read a tender's frozen rules: ``settlement.advance_ratio`` and
        ``settlement.payment_deadline_days`` (or the same keys at the top level); defaults
        otherwise."""
        snapshot = snapshot or {}
        section = snapshot.get("settlement") or {}

        def pick(name: str) -> Any:
            return section.get(name, snapshot.get(name))

        ratio, days = pick("advance_ratio"), pick("payment_deadline_days")
        window, auto = pick("reconciliation_days"), pick("reconciliation_auto_confirm")
        return cls(
            advance_ratio=DEFAULT_ADVANCE_RATIO if ratio is None else to_decimal(str(ratio)),
            payment_deadline_days=DEFAULT_PAYMENT_DEADLINE_DAYS if days is None else int(days),
            reconciliation=bool(section.get("reconciliation", False)),
            reconciliation_days=DEFAULT_RECONCILIATION_DAYS if window is None else int(window),
            reconciliation_auto_confirm=True if auto is None else bool(auto),
        )


def annual_contract_value(lines: Iterable[tuple[int, Decimal]]) -> Decimal:
    """Sum of ``line_total(agreed_volume, unit_price)`` over a hospital's contracts of a year."""
    return sum((line_total(quantity, price) for quantity, price in lines), Decimal("0.00"))


def advance_amount(annual_value: Decimal, ratio: Decimal) -> Decimal:
    """The advance: ratio x annual value, rounded half-up to the fen (posting rounding)."""
    return round_amount(annual_value * ratio)


def due_at(accepted_at: datetime, deadline_days: int) -> datetime:
    return accepted_at + timedelta(days=deadline_days)


def days_overdue(due: datetime, now: datetime) -> int:
    """Started days past due: 0 until the due instant, then 1 for the first 24 hours, ..."""
    if now <= due:
        return 0
    return math.ceil((now - due) / timedelta(days=1))


def split_charge(advance_balance: Decimal, charge: Decimal) -> tuple[Decimal, Decimal]:
    """Charge the hospital: first against its advance balance, then its allocation."""
    from_advance = min(max(advance_balance, Decimal("0")), charge)
    return from_advance, charge - from_advance
