"""``procurement settlement reconcile-month``: issues last month, then confirms in silence."""

from __future__ import annotations

from datetime import UTC, datetime

from procurement.cli import cli
from procurement.settlement.monthly_models import Reconciliation, ReconciliationStatus
from tests.fixtures.reconciliation import FEBRUARY_1


def test_reconcile_month_issues_last_month_then_confirms_it_at_the_deadline(
    runner, reconciled, deliver_accepted, db_session, clock
):
    world = reconciled()
    deliver_accepted(world, 10)  # 2026-01-05: 280 x 0.20 = 56.00
    clock.set(FEBRUARY_1)
    first = runner.invoke(cli, args=["settlement", "reconcile-month"])
    assert (first.exit_code, first.output.strip()) == (
        0,
        "2026-01: 1 reconciliations issued; 0 confirmed at their deadline",
    )
    too_early = runner.invoke(cli, args=["settlement", "reconcile-month", "--month", "2026-02"])
    assert too_early.exit_code == 1
    assert "2026-02" in too_early.output
    clock.set(datetime(2026, 2, 11, 9, 0, tzinfo=UTC))  # the deadline: 10 days after issue
    again = runner.invoke(cli, args=["settlement", "reconcile-month"])
    assert (
        again.output.strip() == "2026-01: 0 reconciliations issued; 1 confirmed at their deadline"
    )
    (rec,) = db_session.query(Reconciliation).all()
    db_session.refresh(rec)
    assert (rec.status, rec.total_amount, rec.auto_confirmed) == (
        ReconciliationStatus.CONFIRMED,
        56,
        True,
    )
