"""Year-end check on the ledger (balanced, idempotent) and supplier credit from orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.bidding.models import BiddingBan
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.compliance.credit.models import CreditEvent
from procurement.compliance.services import (
    appeal_credit_event,
    credit_levels,
    decide_appeal,
    get_year_end,
    import_credit_events,
    record_credit_event,
    repair_credit,
    run_year_end,
)
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.errors import Conflict, Forbidden, RuleViolation
from procurement.orders import services as orders
from procurement.settlement.models import LedgerPosting, LedgerTransaction

D = Decimal


def test_year_end_posts_balanced_deduction_and_retained_savings_once(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=2, agreed=1000)  # reference 0.9000, winning 0.2000
    deliver(world, world.contract(0), 1000)
    deliver(world, world.contract(1), 800)
    with pytest.raises(Conflict):
        run_year_end(
            db_session, tender_id=world.tender.id, contract_year=1, now=clock.now(), actor=world.reg
        )
    clock.advance(days=365)
    run = run_year_end(
        db_session, tender_id=world.tender.id, contract_year=1, now=clock.now(), actor=world.reg
    )
    by_h = {x.hospital_id: x for x in run.results}
    full = by_h[world.hospitals[0].organization.id]
    short = by_h[world.hospitals[1].organization.id]
    # full: balance 630.00 - 140.00 = 490.00; payments none due -> rate 1; score 100 -> A 50%
    assert (full.deduction, full.retained, full.grade) == (D("0"), D("245.00"), "A")
    # short: 200 x 0.7 x 0.7 = 98.00; below 100% -> nothing retained
    assert (short.deduction, short.retained) == (D("98.00"), D("0"))
    count = db_session.scalar(select(func.count()).select_from(LedgerPosting))
    again = run_year_end(
        db_session, tender_id=world.tender.id, contract_year=1, now=clock.now(), actor=world.reg
    )
    assert again.id == run.id
    assert db_session.scalar(select(func.count()).select_from(LedgerPosting)) == count
    for txn in db_session.scalars(select(LedgerTransaction)):
        assert sum(p.amount for p in txn.postings) == 0
    _, mine = get_year_end(db_session, tender_id=world.tender.id, contract_year=1, actor=world.h(1))
    assert [x.hospital_id for x in mine] == [world.hospitals[1].organization.id]


def test_the_year_end_check_ends_the_years_contracts_and_closes_a_one_year_tender(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=2, agreed=1000)
    world.tender.contract_years = 1
    db_session.commit()
    deliver(world, world.contract(0), 500)
    clock.advance(days=365)
    run_year_end(
        db_session, tender_id=world.tender.id, contract_year=1, now=clock.now(), actor=world.reg
    )
    db_session.expire_all()
    statuses = {c.status for c in db_session.scalars(select(Contract))}
    assert statuses == {ContractStatus.ENDED}
    assert db_session.get(Tender, world.tender.id).status == TenderStatus.CLOSED
    with pytest.raises(RuleViolation) as refused:  # nothing can be ordered on it any more
        orders.place_order(
            db_session,
            request=orders.OrderRequest(
                lines=[orders.LineRequest(packs=1, contract_id=world.contract(0).id)]
            ),
            now=clock.now(),
            actor=world.h(0),
        )
    assert refused.value.code == "contract-not-active"


def test_rejected_orders_become_credit_events_once(db_session, clock, comp_world):
    world = comp_world(hospitals=1)
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=5, contract_id=world.contract(0).id)]
        ),
        now=clock.now(),
        actor=world.h(0),
    )
    orders.reject_order(
        db_session, order_id=placed.order_id, reason="no stock", now=clock.now(), actor=world.m
    )
    assert import_credit_events(db_session, now=clock.now()) == 1
    assert import_credit_events(db_session, now=clock.now()) == 0
    event = db_session.scalar(select(CreditEvent))
    assert (event.kind.value, event.points) == ("order_rejected_or_unconfirmed", 3)


def _gave_up(db_session, clock, world, days_ago=0, lot=None):
    return record_credit_event(
        db_session,
        manufacturer_id=world.manufacturer.organization.id,
        kind="gave_up_win",
        occurred_at=clock.now() - timedelta(days=days_ago),
        detail="withdrew after winning",
        lot_id=lot,
        now=clock.now(),
        actor=world.reg,
    )


def _bans(db_session, world, now):
    bans = db_session.scalars(
        select(BiddingBan).where(BiddingBan.manufacturer_id == world.manufacturer.organization.id)
    )
    return [b for b in bans if b.active_at(now)]


def test_levels_bar_bidding_and_an_overturned_appeal_lifts_the_ban(db_session, clock, comp_world):
    world = comp_world(hospitals=1)
    first = _gave_up(db_session, clock, world, days_ago=1)
    (level,) = credit_levels(db_session, now=clock.now(), actor=world.reg)
    assert (level.points, level.level) == (20, "seriously_dishonest")
    _gave_up(db_session, clock, world, days_ago=2, lot=world.lots[0].id)
    (ban,) = _bans(db_session, world, clock.now())
    assert (ban.product_id, ban.level) == (None, "especially_seriously_dishonest")
    appeal = appeal_credit_event(
        db_session, event_id=first.id, reason="force majeure", now=clock.now(), actor=world.m
    )
    with pytest.raises(Forbidden):
        decide_appeal(
            db_session,
            appeal_id=appeal.id,
            decision="overturned",
            note="ok",
            now=clock.now(),
            actor=world.m,
        )
    decide_appeal(
        db_session,
        appeal_id=appeal.id,
        decision="overturned",
        note="proved",
        now=clock.now(),
        actor=world.reg,
    )
    (level,) = credit_levels(db_session, now=clock.now(), actor=world.m)
    assert (level.points, level.level) == (20, "seriously_dishonest")
    assert [b.level for b in _bans(db_session, world, clock.now())] == ["seriously_dishonest"]
    repair = repair_credit(
        db_session,
        manufacturer_id=world.manufacturer.organization.id,
        note="remediated",
        now=clock.now(),
        actor=world.reg,
    )
    assert (repair.level_before, repair.level_after) == ("seriously_dishonest", "none")
    assert _bans(db_session, world, clock.now()) == []
