"""The reconciliation report catches a payable that no accepted receipt line backs, and one
whose amount differs from its receipt line's (payables carry no foreign key; this check is
what proves them)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from procurement.settlement import services as settlement
from procurement.settlement.models import Payable


def test_a_payable_with_a_changed_amount_or_a_missing_receipt_line_fails_reconciliation(
    make_contract, accept, fund_actor, db_session, clock
):
    world = make_contract(agreed=2800)
    first, second = accept(world, packs=10), accept(world, packs=5)
    settlement.accrue_payables(db_session, now=clock.now(), actor=fund_actor)
    assert settlement.reconcile(db_session, actor=fund_actor).ok
    db_session.execute(
        update(Payable).where(Payable.receipt_line_id == first.id).values(amount=Decimal("57.00"))
    )
    db_session.execute(
        update(Payable).where(Payable.receipt_line_id == second.id).values(receipt_line_id=10**9)
    )
    report = settlement.reconcile(db_session, actor=fund_actor)
    ids = {p.receipt_line_id: p.id for p in db_session.query(Payable)}
    assert report.payables_amount_mismatch == [ids[first.id]]
    assert report.payables_without_receipt_line == [ids[10**9]]
    assert not report.ok


def test_a_payable_of_a_fully_rejected_line_would_fail_reconciliation(
    make_contract, accept, fund_actor, db_session, clock
):
    world = make_contract(agreed=2800)
    line = accept(world, packs=2, accepted=0)  # all 56 units rejected: no payable accrues
    result = settlement.accrue_payables(db_session, now=clock.now(), actor=fund_actor)
    assert (result.created, result.amount) == (0, Decimal("0.00"))
    db_session.add(
        Payable(
            receipt_line_id=line.id,
            contract_id=world.contract.id,
            hospital_id=line.hospital_id,
            manufacturer_id=line.manufacturer_id,
            amount=Decimal("0.00"),
            accepted_at=clock.now(),
            due_at=clock.now(),
        )
    )
    db_session.flush()
    report = settlement.reconcile(db_session, actor=fund_actor)
    assert len(report.payables_without_receipt_line) == 1
