"""Monthly reconciliation (对账, RULES.md 11) and what a settlement run then pays (RULES.md 5).

Every world: a tender with ``settlement.reconciliation`` on; unit price 0.2000, 28 units a
pack (a pack = 28 x 0.20 = 5.60); deliveries accepted on 2026-01-05 09:00 UTC (17:00 in
Shanghai); January's reconciliation issued on 2026-02-01 09:00 UTC, deadline 10 days later.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from procurement.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from procurement.settlement import services as settlement
from procurement.settlement.errors import (
    MonthNotOver,
    NothingDue,
    ReconciliationClosed,
    ResolutionNotAllowed,
)
from procurement.settlement.models import Payable
from procurement.settlement.monthly_models import HeldReason, LineStatus, ReconciliationStatus
from procurement.settlement.services import monthly_reconciliation as recon
from tests.fixtures.reconciliation import FEBRUARY_1

JANUARY = date(2026, 1, 1)


def _at(day: int, month: int = 2, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _issue(db_session, clock, fund_actor):
    clock.set(FEBRUARY_1)
    return recon.issue_month(db_session, month=JANUARY, now=clock.now(), actor=fund_actor)


def _run(db_session, clock, fund_actor, key):
    return settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key=key,
        now=clock.now(),
        actor=fund_actor,
    )


def test_a_month_is_issued_per_hospital_and_manufacturer_with_exact_lines_and_totals(
    reconciled, deliver_accepted, make_contract, db_session, clock, fund_actor
):
    """Hospital H, manufacturer M: 10 packs (280 x 0.20 = 56.00) and 5 packs (140 x 0.20 =
    28.00), total 84.00; a second manufacturer M2 at H: 3 packs = 16.80. A contract without
    reconciliation and a February delivery are left out. Issued again: nothing new."""
    world = reconciled()
    other = reconciled()
    other_world = make_contract(hospital=world.hospital, agreed=2800)  # reconciliation off
    first, second = deliver_accepted(world, 10), deliver_accepted(world, 5)
    deliver_accepted(other, 3)
    deliver_accepted(other_world, 1)
    with pytest.raises(MonthNotOver):
        recon.issue_month(db_session, month=JANUARY, now=_at(31, 1, 15), actor=fund_actor)
    issued = _issue(db_session, clock, fund_actor)
    mine = next(r for r in issued if r.manufacturer_id == world.manufacturer.organization.id)
    assert [
        (line.receipt_line_id, line.quantity, line.unit_price, line.amount) for line in mine.lines
    ] == [
        (first.id, 280, Decimal("0.2000"), Decimal("56.00")),
        (second.id, 140, Decimal("0.2000"), Decimal("28.00")),
    ]
    assert (mine.total_amount, mine.month, mine.deadline_at) == (
        Decimal("84.00"),
        JANUARY,
        _at(11),
    )
    assert sorted(r.total_amount for r in issued) == [Decimal("16.80"), Decimal("84.00")]
    assert recon.issue_month(db_session, month=JANUARY, now=clock.now(), actor=fund_actor) == []


def test_nothing_is_paid_before_confirmation_then_both_confirm_and_the_run_pays_it(
    reconciled, deliver_accepted, invoice, db_session, clock, fund_actor
):
    """56.00 + 28.00 = 84.00 paid once both confirmed on 2026-02-03 09:00; due 30 days after
    the later of acceptance (01-05) and confirmation (02-03): 2026-03-05 09:00."""
    world = reconciled()
    first, second = deliver_accepted(world, 10), deliver_accepted(world, 5)
    (reconciliation,) = _issue(db_session, clock, fund_actor)
    invoice(world, first, second)
    with pytest.raises(NothingDue):
        _run(db_session, clock, fund_actor, "early")
    clock.set(_at(2))
    recon.confirm(db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=world.h)
    assert reconciliation.status == ReconciliationStatus.OPEN
    clock.set(_at(3))
    recon.confirm(db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=world.m)
    assert (reconciliation.status, reconciliation.confirmed_at) == (
        ReconciliationStatus.CONFIRMED,
        _at(3),
    )
    run = _run(db_session, clock, fund_actor, "after")
    assert (run.payables_count, run.total_amount) == (2, Decimal("84.00"))
    for line in (first, second):
        assert db_session.get(Payable, line.id).due_at == _at(5, 3)
    with pytest.raises(ReconciliationClosed):
        recon.confirm(
            db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=world.h
        )


def test_a_disputed_line_waits_and_the_rest_is_paid_then_the_correction_releases_it(
    reconciled, deliver_accepted, invoice, db_session, clock, fund_actor
):
    """Line 2 (28.00) disputed; both confirm on 02-02: the run pays line 1 only (56.00, due
    03-04 09:00). The manufacturer corrects line 2 on 02-20: the next run pays 28.00, due 30
    days after 02-20 = 03-22 09:00."""
    world = reconciled()
    first, second = deliver_accepted(world, 10), deliver_accepted(world, 5)
    (reconciliation,) = _issue(db_session, clock, fund_actor)
    invoice(world, first, second)
    disputed = next(x for x in reconciliation.lines if x.receipt_line_id == second.id)
    clock.set(_at(2))
    with pytest.raises(ValidationFailed) as error:
        recon.dispute_line(
            db_session,
            reconciliation_id=reconciliation.id,
            line_id=disputed.id,
            reason="  ",
            now=clock.now(),
            actor=world.h,
        )
    assert "reason" in error.value.extra["errors"]
    recon.dispute_line(
        db_session,
        reconciliation_id=reconciliation.id,
        line_id=disputed.id,
        reason="2 boxes crushed",
        now=clock.now(),
        actor=world.h,
    )
    for side in (world.h, world.m):
        recon.confirm(db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=side)
    assert (disputed.status, disputed.held_reason) == (LineStatus.DISPUTED, HeldReason.DISPUTED)
    run = _run(db_session, clock, fund_actor, "first")
    assert (run.payables_count, run.total_amount) == (1, Decimal("56.00"))
    assert db_session.get(Payable, first.id).due_at == _at(4, 3)
    assert db_session.get(Payable, second.id) is None  # held: neither accrued nor paid
    maker = world.manufacturer.organization.id
    st = settlement.statement(
        db_session, party_id=maker, period_from=JANUARY, now=clock.now(), actor=fund_actor
    )
    assert {k: v for k, v in st.summary.items() if k.startswith("held")} == {
        "held_disputed": Decimal("28.00")
    }
    with pytest.raises(ResolutionNotAllowed):  # only the manufacturer corrects
        recon.resolve_line(
            db_session,
            reconciliation_id=reconciliation.id,
            line_id=disputed.id,
            resolution="corrected",
            now=clock.now(),
            actor=world.h,
        )
    clock.set(_at(20))
    recon.resolve_line(
        db_session,
        reconciliation_id=reconciliation.id,
        line_id=disputed.id,
        resolution="corrected",
        note="credit note CN-7",
        now=clock.now(),
        actor=world.m,
    )
    assert (disputed.status, disputed.held_reason) == (LineStatus.CONFIRMED, None)
    again = _run(db_session, clock, fund_actor, "second")
    assert (again.payables_count, again.total_amount) == (1, Decimal("28.00"))
    assert db_session.get(Payable, second.id).due_at == _at(22, 3)


def test_silence_confirms_at_the_deadline_when_the_rules_say_so(
    reconciled, deliver_accepted, invoice, db_session, clock, fund_actor
):
    """Deadline 02-11 09:00. Closing at 08:59 confirms nothing; the next day confirms it as of
    the deadline. The payable accrued on 01-05 (due 02-04) falls due 30 days after the
    deadline: 2026-03-13 09:00. A tender with auto-confirm off stays open."""
    world = reconciled()
    quiet = reconciled(reconciliation_auto_confirm=False, reconciliation_days=5)
    line = deliver_accepted(world, 10)
    deliver_accepted(quiet, 1)
    settlement.accrue_payables(db_session, now=clock.now(), actor=fund_actor)
    assert db_session.get(Payable, line.id).due_at == _at(4)
    issued = _issue(db_session, clock, fund_actor)
    invoice(world, line)
    assert recon.close_due(db_session, now=_at(11, hour=8), actor=fund_actor) == 0
    assert recon.close_due(db_session, now=_at(12)) == 1
    auto = next(r for r in issued if r.manufacturer_id == world.manufacturer.organization.id)
    still = next(r for r in issued if r is not auto)
    assert (auto.status, auto.confirmed_at, auto.auto_confirmed) == (
        ReconciliationStatus.CONFIRMED,
        _at(11),
        True,
    )
    assert (still.status, still.deadline_at) == (ReconciliationStatus.OPEN, _at(6))
    assert db_session.get(Payable, line.id).due_at == _at(13, 3)
    assert recon.close_due(db_session, now=_at(13)) == 0


def test_only_the_parties_see_and_act_on_a_reconciliation(
    reconciled, deliver_accepted, make_actor, db_session, clock, fund_actor
):
    world = reconciled()
    deliver_accepted(world, 1)
    (reconciliation,) = _issue(db_session, clock, fund_actor)
    stranger = make_actor("hospital")
    with pytest.raises(NotFound):
        recon.get_reconciliation(db_session, reconciliation_id=reconciliation.id, actor=stranger)
    with pytest.raises(NotFound):
        recon.confirm(
            db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=stranger
        )
    with pytest.raises(Forbidden):
        recon.confirm(
            db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=fund_actor
        )
    with pytest.raises(Forbidden):
        recon.issue_month(db_session, month=JANUARY, now=clock.now(), actor=world.h)
    assert [r.id for r in recon.list_reconciliations(db_session, actor=stranger)] == []
    assert [r.id for r in recon.list_reconciliations(db_session, actor=fund_actor)] == [
        reconciliation.id
    ]
    recon.confirm(db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=world.h)
    with pytest.raises(Conflict):
        recon.confirm(
            db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=world.h
        )
    clock.advance(timedelta(days=10))
    with pytest.raises(ReconciliationClosed):
        recon.confirm(
            db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=world.m
        )


def test_issuing_writes_one_reconciliation_issued_event_for_both_parties(
    reconciled, deliver_accepted, db_session, clock, fund_actor
):
    """10 packs (56.00) in January: one reconciliation, one ``reconciliation.issued`` event in
    the outbox, for the hospital and the manufacturer, with the total and the deadline."""
    from sqlalchemy import select

    from procurement.events.models import Event
    from procurement.events.types import EventType

    world = reconciled()
    deliver_accepted(world, 10)
    [issued] = _issue(db_session, clock, fund_actor)
    [event] = db_session.scalars(
        select(Event).where(Event.type == EventType.RECONCILIATION_ISSUED)
    ).all()
    assert (event.subject_type, event.subject_id) == ("reconciliation", issued.id)
    assert {a.organization_id for a in event.audience} == {
        world.hospital.organization.id,
        world.manufacturer.organization.id,
    }
    assert event.payload["total_amount"] == "56.00"
    assert event.payload["month"] == "2026-01-01"
    assert event.payload["links"]["reconciliation"].endswith(f"/reconciliations/{issued.id}")


def test_a_confirmed_line_without_an_invoice_is_held_as_no_invoice_until_one_is_recorded(
    reconciled, deliver_accepted, invoice, db_session, clock, fund_actor
):
    """Both confirm on 02-02 with line 1 (56.00) invoiced and line 2 (28.00) not: the match
    flags line 2 "no_invoice", the run pays 56.00 and the statement holds 28.00. The invoice
    of 02-10 releases line 2: the next run pays 28.00, due 30 days later, 03-12 09:00."""
    world = reconciled()
    first, second = deliver_accepted(world, 10), deliver_accepted(world, 5)
    (reconciliation,) = _issue(db_session, clock, fund_actor)
    invoice(world, first)
    clock.set(_at(2))
    for side in (world.h, world.m):
        recon.confirm(db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=side)
    held = {line.receipt_line_id: line.held_reason for line in reconciliation.lines}
    assert held == {first.id: None, second.id: HeldReason.NO_INVOICE}
    run = _run(db_session, clock, fund_actor, "first")
    assert (run.payables_count, run.total_amount) == (1, Decimal("56.00"))
    assert db_session.get(Payable, second.id) is None
    st = settlement.statement(
        db_session,
        party_id=world.hospital.organization.id,
        period_from=JANUARY,
        now=clock.now(),
        actor=fund_actor,
    )
    assert {k: v for k, v in st.summary.items() if k.startswith("held")} == {
        "held_no_invoice": Decimal("28.00")
    }
    clock.set(_at(10))
    invoice(world, second, number="FP-2")
    assert (
        next(x for x in reconciliation.lines if x.receipt_line_id == second.id).held_reason is None
    )
    again = _run(db_session, clock, fund_actor, "second")
    assert (again.payables_count, again.total_amount) == (1, Decimal("28.00"))
    assert db_session.get(Payable, second.id).due_at == _at(12, 3)
