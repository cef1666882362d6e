"""The dashboard read through the rollup equals the straightforward computation, at every
moment: right after a fold, with receipt lines, off-contract receipts and payables above its
watermarks, across the payment deadline within its day, and after what invalidates it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import NamedTuple

import pytest
from sqlalchemy import select

from procurement.cli import cli
from procurement.compliance.dashboard import delta_queries as rollup_delta
from procurement.compliance.dashboard import rollup_services as rollup
from procurement.compliance.dashboard import services as board
from procurement.compliance.dashboard.models import Rollup
from procurement.compliance.dashboard.services import dashboard
from procurement.compliance.progress import queries
from procurement.orders import services as orders
from procurement.settlement.services import accrue_payables, start_run
from tests.fixtures.compliance import ship_and_receive
from tests.oracles.compliance_dashboard import dashboard_from_scratch


class RowFigures(NamedTuple):
    """The figures of one progress row of a dashboard."""

    label: str
    agreed: int
    accepted: int
    contracts: int
    behind: int
    at_risk: int
    zero: int
    saving: Decimal
    completion: Decimal | None
    status: str
    time_progress: Decimal


def snapshot(board) -> dict:
    """Every figure of a dashboard, order-free (group rows keyed by group and key)."""
    rows = {
        (grp, row.key): RowFigures(**{name: getattr(row, name) for name in RowFigures._fields})
        for grp, group_rows in board.groups.items()
        for row in group_rows
    }
    return {
        "rows": rows,
        "hospitals": [row.key for row in board.groups["hospital"]],
        "figures": board.figures,
        "curve": board.curve,
        "window": board.window,
        "savings": board.savings,
        "alerts": board.alerts_by_step,
        "year": board.year,
        "tender": board.tender.id if board.tender else None,
    }


def both(session, clock, world) -> dict:
    """The rollup's figures, after asserting they equal the full computation's."""
    args = {"tender_id": world.tender.id, "year": 1, "actor": world.reg}
    shown = snapshot(dashboard(session, now=clock.now(), **args))
    recomputed = snapshot(dashboard_from_scratch(session, now=clock.now(), **args))
    assert shown == recomputed
    return shown


def rollup_ids(session) -> list[int]:
    return list(session.scalars(select(Rollup.id).order_by(Rollup.id)))


@pytest.fixture
def fund(make_actor):
    return make_actor("fund", region_code="310000")


@pytest.fixture
def busy_world(db_session, clock, comp_world, deliver, off_contract, fund):
    """3 hospitals in 2 provinces x 2 lots, four months into the year: deliveries, a hospital
    that bought nothing, a non-winning purchase, payables partly paid by a run."""
    world = comp_world(hospitals=3, lots=2, agreed=1000, regions=["310101", "310101", "320101"])
    deliver(world, world.contract(0, 0), 300)
    deliver(world, world.contract(1, 1), 100, accept=60)
    off_contract(world, 0, 50)
    accrue_payables(db_session, now=clock.now(), actor=fund)
    clock.advance(days=40)
    deliver(world, world.contract(0, 1), 200)
    start_run(
        db_session, cut_off=clock.now().date(), idempotency_key="r1", now=clock.now(), actor=fund
    )
    clock.advance(days=70)  # month 4: zero purchases and at-risk checks apply
    deliver(world, world.contract(1, 0), 20)
    accrue_payables(db_session, now=clock.now(), actor=fund)
    return world


def test_a_fresh_rollup_gives_the_figures_of_the_full_computation(db_session, clock, busy_world):
    figures = both(db_session, clock, busy_world)
    assert len(rollup_ids(db_session)) == 1
    total = figures["rows"][("total", 0)]
    assert total.accepted == 300 + 60 + 200 + 20
    assert total.zero == 2  # hospital 2 bought nothing on either lot
    assert figures["figures"]["non_winning_quantity"] == 50


def test_receipts_and_payables_above_the_watermark_are_counted_live(
    db_session, clock, busy_world, deliver, off_contract, fund
):
    world = busy_world
    before = both(db_session, clock, world)
    folded = rollup_ids(db_session)
    clock.advance(hours=2)
    deliver(world, world.contract(2, 0), 400)  # a zero-purchase contract turns on track
    deliver(world, world.contract(1, 1), 10)  # a behind contract moves
    off_contract(world, 2, 30, lot=1)
    accrue_payables(db_session, now=clock.now(), actor=fund)
    after = both(db_session, clock, world)
    assert rollup_ids(db_session) == folded  # read as rollup + delta, not folded again
    assert after["rows"][("total", 0)].accepted == before["rows"][("total", 0)].accepted + 410
    assert after["rows"][("total", 0)].zero == before["rows"][("total", 0)].zero - 1
    assert after["figures"]["non_winning_quantity"] == 80
    assert after["curve"] != before["curve"]


def test_unpaid_payables_fall_due_within_the_rollups_day(
    db_session, clock, comp_world, deliver, fund
):
    world = comp_world(hospitals=2, agreed=1000)
    deliver(world, world.contract(0), 300)
    accrue_payables(db_session, now=clock.now(), actor=fund)
    clock.advance(days=30, hours=-1)  # due in an hour (30-day deadline)
    before = both(db_session, clock, world)
    clock.advance(hours=2)  # same day, now overdue
    after = both(db_session, clock, world)
    assert len(rollup_ids(db_session)) == 1
    assert before["figures"]["payment_on_time_rate"] is None
    assert after["figures"]["payment_on_time_rate"] == 0


def test_a_payment_run_and_a_new_day_each_fold_anew(db_session, clock, busy_world, fund):
    both(db_session, clock, busy_world)
    first = rollup_ids(db_session)
    start_run(
        db_session, cut_off=clock.now().date(), idempotency_key="r2", now=clock.now(), actor=fund
    )
    both(db_session, clock, busy_world)
    second = rollup_ids(db_session)
    assert len(second) == 1  # older rollups are deleted
    assert second != first
    clock.advance(days=1)
    both(db_session, clock, busy_world)
    assert rollup_ids(db_session) not in (first, second)


def test_too_many_rows_above_the_watermark_fold_anew(
    db_session, clock, busy_world, deliver, monkeypatch
):
    both(db_session, clock, busy_world)
    first = rollup_ids(db_session)
    monkeypatch.setattr(rollup, "DELTA_LIMIT", 0)
    deliver(busy_world, busy_world.contract(2, 1), 100)
    both(db_session, clock, busy_world)
    assert rollup_ids(db_session) != first


def test_after_the_year_a_late_receipt_above_the_watermark_does_not_count(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=2, agreed=1000)
    deliver(world, world.contract(0), 300)
    clock.advance(days=300)
    deliver(world, world.contract(1), 100)
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=5, contract_id=world.contract(1).id)]
        ),
        now=clock.now(),
        actor=world.h(1),
    )
    end = world.contract(0).period_end
    clock.set(datetime.combine(end + timedelta(days=2), time(9), tzinfo=UTC))
    first = both(db_session, clock, world)
    assert first["window"].running is False
    ship_and_receive(db_session, clock, world, placed.order_id, world.h(1))  # after the year
    later = both(db_session, clock, world)
    assert len(rollup_ids(db_session)) == 1
    assert later == first
    assert later["rows"][("total", 0)].accepted == 400


def test_compliance_check_folds_the_rollup_the_dashboard_then_reads(
    runner, db_session, clock, busy_world
):
    result = runner.invoke(cli, args=["compliance", "check"])
    assert result.exit_code == 0, result.output
    assert f"dashboard rollup of tender {busy_world.tender.id} year 1 current" in result.output
    folded = rollup_ids(db_session)
    assert len(folded) == 1
    both(db_session, clock, busy_world)
    assert rollup_ids(db_session) == folded


def test_hospitals_furthest_behind_follow_receipts_above_the_watermark(
    db_session, clock, comp_world, deliver, monkeypatch
):
    """With a top of 2 among 5 hospitals: receipts lift the two furthest behind, and the
    next ones (read from the fold's ranking) take their places, as the full computation."""
    monkeypatch.setattr(queries, "furthest_behind", partial(queries.furthest_behind, limit=2))
    monkeypatch.setattr(board, "_lagging", partial(board._lagging, limit=2))
    monkeypatch.setattr(rollup_delta, "read", partial(rollup_delta.read, top=2))
    world = comp_world(hospitals=5, agreed=1000)
    for h, units in enumerate((0, 10, 20, 30, 40)):
        if units:
            deliver(world, world.contract(h), units)
    clock.advance(days=100)
    first = both(db_session, clock, world)
    ids = [u.organization.id for u in world.hospitals]
    assert first["hospitals"] == ids[:2]
    deliver(world, world.contract(0), 900)
    deliver(world, world.contract(1), 900)
    later = both(db_session, clock, world)
    assert len(rollup_ids(db_session)) == 1
    assert later["hospitals"] == ids[2:4]


def test_new_contracts_fold_anew(db_session, clock, busy_world, comp_world):
    both(db_session, clock, busy_world)
    first = rollup_ids(db_session)
    comp_world(hospitals=1)  # contracts of another tender: a higher contract id
    both(db_session, clock, busy_world)
    assert rollup_ids(db_session) != first
