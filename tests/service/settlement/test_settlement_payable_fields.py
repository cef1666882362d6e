"""A payable stores only what cannot be derived (revision 9d1e5b7c3a20); what users see of it
(API, pages, exports) keeps its fields: the receipt line, the currency, the contract's region
and the payment deadline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from procurement.settlement import services as settlement


def test_a_listed_payable_shows_its_receipt_line_currency_region_and_deadline(
    make_contract, accept, fund_actor, db_session, clock
):
    world = make_contract(agreed=2800)
    line = accept(world, packs=10)
    settlement.accrue_payables(db_session, now=clock.now(), actor=fund_actor)
    db_session.expunge_all()  # read back from the database, not from the session
    [payable] = settlement.list_payables(db_session, actor=fund_actor, now=clock.now())
    assert (payable.id, payable.receipt_line_id) == (line.id, line.id)
    assert (payable.currency, payable.region_code) == ("CNY", world.contract.region_code)
    assert payable.amount == line.accepted_amount == Decimal("56.00")  # 280 units x 0.2000
    assert payable.due_at - payable.accepted_at == timedelta(days=30)
    assert payable.deadline_days == 30
