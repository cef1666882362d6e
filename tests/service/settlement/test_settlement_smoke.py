from datetime import date
from decimal import Decimal

from procurement.settlement import services as settlement


def test_a_run_pays_an_accepted_receipt_line(make_contract, accept, fund_actor, db_session, clock):
    world = make_contract(agreed=2800)
    line = accept(world, packs=10)
    assert line.accepted_amount == Decimal("56.00")
    run = settlement.start_run(db_session, cut_off=clock.now().date(), idempotency_key="k1",
                               now=clock.now(), actor=fund_actor)
    assert (run.status, run.payables_count, run.total_amount) == ("completed", 1, Decimal("56.00"))
    report = settlement.reconcile(db_session, actor=fund_actor)
    assert report.ok, report
