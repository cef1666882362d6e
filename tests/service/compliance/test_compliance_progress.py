"""Progress queries on a real database: completion, time progress, status, side figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from procurement.compliance.progress import queries
from procurement.compliance.services import progress_report


def test_progress_by_hospital_counts_accepted_units_against_agreed(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=2, agreed=1000)
    deliver(world, world.contract(0), 300)
    deliver(world, world.contract(1), 100, accept=60)
    report = progress_report(
        db_session,
        filters=queries.Filters(tender_id=world.tender.id),
        group_by="hospital",
        now=clock.now(),
        actor=world.reg,
    )
    by_id = {row.key: row for row in report.rows}
    first = by_id[world.hospitals[0].organization.id]
    second = by_id[world.hospitals[1].organization.id]
    assert (first.agreed, first.accepted, first.completion) == (1000, 300, Decimal("0.3000"))
    assert (second.accepted, second.completion) == (60, Decimal("0.0600"))
    # the contract year started yesterday: 1 of 365 days elapsed
    assert report.window.time_progress == Decimal("0.0027")
    assert first.status == "on_track"


def test_hospital_sees_only_its_own_progress(db_session, clock, comp_world, deliver):
    world = comp_world(hospitals=2)
    report = progress_report(
        db_session,
        filters=queries.Filters(),
        group_by="hospital",
        now=clock.now(),
        actor=world.h(1),
    )
    assert [row.key for row in report.rows] == [world.hospitals[1].organization.id]


def test_status_turns_behind_then_zero_purchase_after_the_third_month(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=1, agreed=1000)
    other = comp_world(hospitals=1, agreed=1000)
    deliver(world, world.contract(0), 100)
    clock.advance(days=60)  # 61/365 = 0.1671; 0.8 x 0.1671 = 0.1337 > 0.10
    report = progress_report(
        db_session,
        filters=queries.Filters(tender_id=world.tender.id),
        group_by="total",
        now=clock.now(),
        actor=world.reg,
    )
    assert report.rows[0].status == "behind"
    clock.advance(days=40)  # past the third month, nothing accepted
    report = progress_report(
        db_session,
        filters=queries.Filters(tender_id=other.tender.id),
        group_by="total",
        now=clock.now(),
        actor=other.reg,
    )
    assert report.rows[0].status == "zero_purchase"


def test_non_winning_share_counts_accepted_off_contract_units(
    db_session, clock, comp_world, deliver, off_contract
):
    world = comp_world(hospitals=1, agreed=1000)
    deliver(world, world.contract(0), 300)
    off_contract(world, 0, 100)
    report = progress_report(
        db_session,
        filters=queries.Filters(tender_id=world.tender.id),
        group_by="lot",
        now=clock.now(),
        actor=world.reg,
    )
    extra = report.rows[0].extra
    assert extra["non_winning_quantity"] == 100
    assert extra["non_winning_share"] == Decimal("0.2500")  # 100 / (300 + 100)
    assert extra["confirm_on_time_rate"] is None or extra["confirm_on_time_rate"] >= 0
    clock.advance(timedelta(days=1))
