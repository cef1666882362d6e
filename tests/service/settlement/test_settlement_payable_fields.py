"""A payable stores only what cannot be derived (revision 9d1e5b7c3a20); what users see of it
(API, pages, exports) keeps its fields: the receipt line, the currency, the contract's region
and the payment deadline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from procurement.catalog.models import Tender
from procurement.settlement import services as settlement
from procurement.settlement.models import Payable


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


def test_a_tender_with_its_own_payment_deadline_gets_it_and_the_others_keep_thirty_days(
    make_contract, accept, fund_actor, db_session, clock
):
    own, default = make_contract(agreed=2800), make_contract(agreed=2800)
    assert own.contract.tender_id != default.contract.tender_id
    tender = db_session.get(Tender, own.contract.tender_id)
    tender.rules_snapshot = {**(tender.rules_snapshot or {}), "payment_deadline_days": 45}
    db_session.flush()
    first, second = accept(own, packs=1), accept(default, packs=1)
    settlement.accrue_payables(db_session, now=clock.now(), actor=fund_actor)
    db_session.expunge_all()
    due = {p.id: (p.due_at - p.accepted_at, p.deadline_days) for p in db_session.query(Payable)}
    assert due == {first.id: (timedelta(days=45), 45), second.id: (timedelta(days=30), 30)}
