"""Hand-computed advance, charging order, overdue days; idempotent runs; crash and resume."""

from datetime import timedelta
from decimal import Decimal

import pytest

from procurement.core.errors import Conflict, Forbidden
from procurement.settlement import services as settlement
from procurement.settlement.models import AccountKind, LedgerTransaction, Payable
from procurement.settlement.services.ledger import account_ids
from tests.fixtures.settlement import ledger_rows


def _two_contracts(make_contract):
    """One hospital, one tender: 700 x 1.2345 = 864.15 and 300 x 0.5000 = 150.00."""
    first = make_contract(agreed=700, unit_price="1.2345", pack_size=1)
    lot = first.contract.lot
    second = make_contract(
        hospital=first.hospital, agreed=300, unit_price="0.5000", pack_size=1, lot=lot
    )
    return first, second


def test_the_advance_is_thirty_percent_of_the_annual_value_rounded_half_up(
    make_contract, fund_actor, db_session, clock
):
    first, _ = _two_contracts(make_contract)
    result = settlement.run_advances(
        db_session,
        tender_id=first.contract.tender_id,
        contract_year=1,
        now=clock.now(),
        actor=fund_actor,
    )
    # 864.15 + 150.00 = 1,014.15; x 0.30 = 304.245 -> 304.25
    (advance,) = result.created
    assert (advance.annual_value, advance.amount) == (Decimal("1014.15"), Decimal("304.25"))


def test_advances_retried_pay_each_hospital_once(make_contract, fund_actor, db_session, clock):
    first, _ = _two_contracts(make_contract)
    tender_id = first.contract.tender_id
    settlement.run_advances(
        db_session, tender_id=tender_id, contract_year=1, now=clock.now(), actor=fund_actor
    )
    again = settlement.run_advances(
        db_session, tender_id=tender_id, contract_year=1, now=clock.now(), actor=fund_actor
    )
    assert (again.created, again.already_paid) == ([], 1)
    hospital = first.hospital.organization.id
    account = account_ids(db_session, AccountKind.HOSPITAL_ADVANCE)[hospital]
    assert settlement.balance(db_session, account) == Decimal("304.25")


def test_a_charge_takes_the_advance_first_and_the_rest_from_the_allocation(
    make_contract, accept, fund_actor, db_session, clock
):
    first, _ = _two_contracts(make_contract)
    settlement.run_advances(
        db_session,
        tender_id=first.contract.tender_id,
        contract_year=1,
        now=clock.now(),
        actor=fund_actor,
    )
    accept(first, packs=400)  # 400 x 1.2345 = 493.80, more than the 304.25 advance
    run = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="r1",
        now=clock.now(),
        actor=fund_actor,
    )
    hospital = first.hospital.organization.id
    advance = account_ids(db_session, AccountKind.HOSPITAL_ADVANCE)[hospital]
    allocation = account_ids(db_session, AccountKind.HOSPITAL_ALLOCATION)[hospital]
    assert run.total_amount == Decimal("493.80")
    assert settlement.balance(db_session, advance) == Decimal("0.00")
    # 493.80 - 304.25 = 189.55 charged to the allocation
    assert settlement.balance(db_session, allocation) == Decimal("-189.55")


def test_overdue_days_count_started_days_past_the_thirty_day_deadline(
    make_contract, accept, fund_actor, db_session, clock
):
    world = make_contract(agreed=2800)
    accept(world, packs=10)  # accepted 2026-01-05 09:00, due 2026-02-04 09:00
    settlement.accrue_payables(db_session, now=clock.now(), actor=fund_actor)
    clock.set(clock.now() + timedelta(days=36))  # 2026-02-10 09:00: 6 days past due
    (item,) = settlement.overdue_payables(db_session, now=clock.now(), actor=fund_actor)
    assert (item.due_at.isoformat(), item.days_overdue, item.amount) == (
        "2026-02-04T09:00:00+00:00",
        6,
        Decimal("56.00"),
    )


def test_a_retried_idempotency_key_returns_the_first_run_and_pays_nothing_more(
    make_contract, accept, fund_actor, db_session, clock
):
    world = make_contract(agreed=2800)
    accept(world, packs=10)
    first = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="same",
        now=clock.now(),
        actor=fund_actor,
    )
    accept(world, packs=5)
    again = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="same",
        now=clock.now(),
        actor=fund_actor,
    )
    assert (again.id, again.total_amount) == (first.id, Decimal("56.00"))
    with pytest.raises(Conflict):
        settlement.start_run(
            db_session,
            cut_off=clock.now().date() + timedelta(days=1),
            idempotency_key="same",
            now=clock.now(),
            actor=fund_actor,
        )


def test_only_the_fund_office_starts_runs(make_contract, make_actor, db_session, clock):
    with pytest.raises(Forbidden):
        settlement.start_run(
            db_session,
            cut_off=clock.now().date(),
            idempotency_key="x",
            now=clock.now(),
            actor=make_actor("hospital"),
        )


class Crash(Exception):
    pass


def _world(make_contract, accept, make_user):
    """Two hospitals x three manufacturers, receipts of different sizes."""
    hospitals = [make_user(kind="hospital") for _ in range(2)]
    makers = [make_user(kind="manufacturer", region_code="320000") for _ in range(3)]
    for i, h in enumerate(hospitals):
        for j, m in enumerate(makers):
            world = make_contract(
                hospital=h,
                manufacturer=m,
                agreed=10_000,
                pack_size=1,
                unit_price=f"{1 + i + j}.2345",
            )
            accept(world, packs=100 + 37 * i + 11 * j)
    return makers


def _normalised(db_session, run):
    txns = [t.id for t in db_session.query(LedgerTransaction).filter_by(run_id=run.id)]
    return [(t.split(":")[-1], a.split(":")[0], x) for t, a, x in ledger_rows(db_session, txns)]


def test_a_run_killed_between_batches_and_rerun_ends_with_the_same_ledger(
    make_contract, accept, make_user, fund_actor, db_session, clock
):
    _world(make_contract, accept, make_user)
    whole = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="whole",
        now=clock.now(),
        actor=fund_actor,
        batch_size=1,
    )
    expected = _normalised(db_session, whole)
    _world(make_contract, accept, make_user)  # the same shape again, unpaid

    def crash_after_first(batch_no):
        if batch_no == 1:
            raise Crash("killed")

    with pytest.raises(Crash):
        settlement.start_run(
            db_session,
            cut_off=clock.now().date(),
            idempotency_key="crash",
            now=clock.now(),
            actor=fund_actor,
            batch_size=1,
            after_batch=crash_after_first,
        )
    resumed = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="crash",
        now=clock.now(),
        actor=fund_actor,
        batch_size=1,
    )
    assert (resumed.status, resumed.batches_done, len(resumed.payments)) == ("completed", 3, 3)
    assert _normalised(db_session, resumed) == expected
    unpaid = db_session.query(Payable).filter(Payable.paid_at.is_(None)).count()
    assert unpaid == 0
    assert settlement.reconcile(db_session, actor=fund_actor).ok


def test_a_reversed_payment_is_paid_again_by_the_next_run(
    make_contract, accept, fund_actor, db_session, clock
):
    world = make_contract(agreed=2800)
    accept(world, packs=10)
    run = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="a",
        now=clock.now(),
        actor=fund_actor,
    )
    settlement.reverse_transaction(
        db_session,
        transaction_id=run.payments[0].transaction_id,
        reason="wrong bank account",
        now=clock.now(),
        actor=fund_actor,
    )
    assert not settlement.reconcile(db_session, actor=fund_actor).payables_paid_twice
    again = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="b",
        now=clock.now(),
        actor=fund_actor,
    )
    assert again.total_amount == Decimal("56.00")
    report = settlement.reconcile(db_session, actor=fund_actor)
    assert report.ok
    assert report.payments_total == Decimal("56.00")
