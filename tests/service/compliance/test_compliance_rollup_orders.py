"""Order timeliness through the dashboard rollup: settled orders folded, the others counted
live. Orders that change status after a fold are counted once, as they are now, and the
figures equal the full computation's at every moment."""

from __future__ import annotations

from sqlalchemy import func, select

from procurement.compliance.dashboard import order_fold_queries as order_fold
from procurement.compliance.dashboard.models import Rollup, RollupOpenOrder
from procurement.compliance.rules import share
from procurement.orders import services as orders
from procurement.orders.models import PurchaseOrder
from tests.fixtures.compliance import ship_and_receive
from tests.service.compliance.test_compliance_rollup import both, rollup_ids


def place(session, clock, world, h: int) -> int:
    request = orders.OrderRequest(
        lines=[orders.LineRequest(packs=5, contract_id=world.contract(h).id)]
    )
    return orders.place_order(session, request=request, now=clock.now(), actor=world.h(h)).order_id


def the_rollup(session) -> Rollup:
    (rollup,) = session.scalars(select(Rollup)).all()
    return rollup


def open_orders(session) -> set[int]:
    return set(session.scalars(select(RollupOpenOrder.order_id)))


def rates(figures) -> tuple:
    f = figures["figures"]
    return f["confirm_on_time_rate"], f["deliver_on_time_rate"]


def test_orders_that_settle_after_the_fold_are_counted_once_as_they_are_now(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=3, agreed=1000)
    received = deliver(world, world.contract(0), 100)  # confirmed and shipped on time
    late, rejected, cancelled = (place(db_session, clock, world, h) for h in (1, 2, 1))
    clock.advance(hours=23)  # 16:00 in Shanghai: a business day begins, nothing else due yet
    first = both(db_session, clock, world)
    rollup = the_rollup(db_session)
    assert rollup.order_mark == db_session.scalar(select(func.max(PurchaseOrder.id)))
    assert open_orders(db_session) == {late, rejected, cancelled}
    assert (rollup.confirm_due, rollup.confirm_on_time) == (1, 1)  # the received order only
    assert (rollup.deliver_due, rollup.deliver_on_time) == (1, 1)
    assert rates(first) == (1, 1)  # the three others are not due yet
    folded = rollup_ids(db_session)

    orders.close_order(db_session, order_id=received, now=clock.now(), actor=world.h(0))
    clock.advance(minutes=90)  # the same business day: the open orders' deadlines (24 h) passed
    ship_and_receive(db_session, clock, world, late, world.h(1))  # confirmed and shipped late
    orders.reject_order(
        db_session, order_id=rejected, reason="out of stock", now=clock.now(), actor=world.m
    )
    orders.cancel_order(db_session, order_id=cancelled, now=clock.now(), actor=world.h(1))
    newer = place(db_session, clock, world, 0)  # above the mark, not due yet
    later = both(db_session, clock, world)
    assert rollup_ids(db_session) == folded  # read as fold + live, not folded again
    # confirmations due: received (on time), late (late), rejected (never confirmed);
    # deliveries due (24 h in a city): received (on time), late (late); the cancelled and the
    # new one: none.
    assert rates(later) == (share(1, 3), share(1, 2))

    clock.advance(days=1)  # another day: a new fold, in which they are settled
    again = both(db_session, clock, world)
    assert rollup_ids(db_session) != folded
    assert open_orders(db_session) == {newer}
    rollup = the_rollup(db_session)
    assert (rollup.confirm_due, rollup.confirm_on_time) == (3, 1)
    assert (rollup.deliver_due, rollup.deliver_on_time) == (2, 1)
    assert rates(again) == (share(1, 4), share(1, 3))  # the new order is overdue now, live


def test_an_open_order_falling_due_within_the_day_is_counted_live(db_session, clock, comp_world):
    world = comp_world(hospitals=2, agreed=1000)
    pending = place(db_session, clock, world, 1)  # 09:00 UTC: confirm due in 24 h
    clock.advance(hours=23)  # 16:00 in Shanghai: the business day of the deadline begins
    first = both(db_session, clock, world)
    assert open_orders(db_session) == {pending}
    assert rates(first) == (None, None)
    folded = rollup_ids(db_session)
    clock.advance(minutes=90)  # the same business day, overdue and unconfirmed
    figures = both(db_session, clock, world)
    assert rollup_ids(db_session) == folded
    assert rates(figures)[0] == 0


def test_an_order_settling_while_the_fold_runs_is_counted_live_not_folded(
    db_session, clock, comp_world, monkeypatch
):
    """The rejection commits between the fold's two statements (after the open orders were
    listed, before the settled ones are counted): the order stays in the open set, so the
    fold leaves it out and every view counts it live, once."""
    world = comp_world(hospitals=2, agreed=1000)
    caught = place(db_session, clock, world, 1)
    counts = order_fold._counts

    def reject_first(session, query):
        monkeypatch.setattr(order_fold, "_counts", counts)
        orders.reject_order(
            session, order_id=caught, reason="no stock", now=clock.now(), actor=world.m
        )
        return counts(session, query)

    monkeypatch.setattr(order_fold, "_counts", reject_first)
    figures = both(db_session, clock, world)
    assert db_session.get(PurchaseOrder, caught).status == "rejected"
    assert open_orders(db_session) == {caught}
    rollup = the_rollup(db_session)
    assert (rollup.confirm_due, rollup.deliver_due) == (0, 0)
    assert rates(figures) == (0, None)  # its confirmation was due (rejected), counted once
