"""Idempotency keys, distributor scoping, batch tracing and service-level breaches."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.auth.services import actor_of
from procurement.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from procurement.orders import services as orders
from procurement.orders.models import PurchaseOrder, SlaBreach, SlaKind, SupplyAlert
from procurement.orders.rules import ServiceLevels


def _count(db_session, model=PurchaseOrder) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_retried_idempotency_key_returns_the_first_order_and_creates_nothing(
    make_contract, place, db_session
):
    world = make_contract()
    first = place(world, packs=3, key="abc-1")
    again = place(world, packs=3, key="abc-1")
    assert (again.replayed, again.order_id, again.body) == (True, first.order_id, first.body)
    assert _count(db_session) == 1
    volume = orders.contract_volume(db_session, contract_id=world.contract.id, actor=world.h)
    assert volume.ordered == 84


def test_the_same_key_with_a_different_body_is_a_conflict(make_contract, place, db_session):
    world = make_contract()
    place(world, packs=3, key="abc-2")
    with pytest.raises(Conflict, match="different request"):
        place(world, packs=4, key="abc-2")
    assert _count(db_session) == 1


def test_a_refused_order_does_not_burn_its_key(make_contract, place, db_session):
    world = make_contract()
    with pytest.raises(ValidationFailed) as error:
        place(world, packs=0, key="abc-3")
    assert "lines.0.packs" in error.value.extra["errors"]
    db_session.rollback()
    assert place(world, packs=1, key="abc-3").replayed is False


@pytest.fixture
def appointed(make_contract, make_user, db_session, clock):
    """A Shanghai contract whose manufacturer appoints a distributor for Shanghai (310000)."""
    world = make_contract(region_code="310101")
    distributor = make_user(kind="distributor", region_code="310000")
    orders.appoint_distributor(
        db_session,
        request=orders.AppointmentRequest(
            distributor_code=distributor.organization.code,
            region_code="310000",
            contract_id=world.contract.id,
        ),
        now=clock.now(),
        actor=world.m,
    )
    return world, actor_of(distributor)


def test_an_appointed_distributor_sees_confirms_and_ships_its_regions_orders(
    appointed, place, ship, db_session, clock
):
    world, distributor = appointed
    oid = place(world).order_id
    assert [o.id for o in orders.list_orders(db_session, now=clock.now(), actor=distributor)] == [
        oid
    ]
    orders.confirm_order(db_session, order_id=oid, now=clock.now(), actor=distributor)
    shipment = ship(world, oid, actor=distributor)
    assert shipment.shipper_id == distributor.org_id


def test_a_distributor_cannot_ship_outside_its_region(
    appointed, make_contract, make_user, place, db_session, clock
):
    world, distributor = appointed
    jiangsu = make_user(kind="hospital", region_code="320102")
    other = make_contract(hospital=jiangsu, manufacturer=world.manufacturer, lot=world.contract.lot)
    oid = place(other).order_id
    assert orders.list_orders(db_session, now=clock.now(), actor=distributor) == []
    with pytest.raises(Forbidden, match="appointed for 310000"):
        orders.confirm_order(db_session, order_id=oid, now=clock.now(), actor=distributor)


def test_a_second_distributor_for_the_same_lot_and_region_is_refused(
    appointed, make_user, db_session, clock
):
    world, _ = appointed
    rival = make_user(kind="distributor")
    with pytest.raises(Conflict, match="one distributor per manufacturer"):
        orders.appoint_distributor(
            db_session,
            request=orders.AppointmentRequest(
                distributor_code=rival.organization.code,
                region_code="310104",
                lot_id=world.contract.lot_id,
            ),
            now=clock.now(),
            actor=world.m,
        )


def test_a_batch_is_traced_to_every_hospital_that_received_it(
    make_contract, make_user, place, ship, db_session, clock, make_actor
):
    first = make_contract()
    second = make_contract(manufacturer=first.manufacturer)
    for world in (first, second):
        oid = place(world, packs=2).order_id
        orders.confirm_order(db_session, order_id=oid, now=clock.now(), actor=world.m)
        shipment = ship(world, oid, batch="LOT-7")
        orders.record_receipt(
            db_session,
            shipment_id=shipment.id,
            lines=[orders.ReceiveLine(shipment.lines[0].id, 28, 28, "wet")],
            now=clock.now(),
            actor=world.h,
        )
    trace = orders.trace_batch(db_session, batch_no="LOT-7", actor=make_actor("regulator"))
    assert {s.hospital_id for s in trace.stops} == {
        first.hospital.organization_id,
        second.hospital.organization_id,
    }
    assert (trace.shipped, trace.accepted) == (112, 56)
    assert len(orders.trace_batch(db_session, batch_no="LOT-7", actor=first.m).stops) == 2
    with pytest.raises(NotFound):
        orders.trace_batch(db_session, batch_no="LOT-7", actor=make_contract().m)


def test_service_levels_come_from_the_rules_snapshot_or_the_defaults():
    assert ServiceLevels.from_snapshot(None).confirm_hours == 24
    levels = ServiceLevels.from_snapshot(
        {"service_levels": {"confirm_hours": 12, "deliver_hours": {"city": 8}}}
    )
    assert (levels.confirm_hours, levels.deliver_hours["city"], levels.deliver_hours["county"]) == (
        12,
        8,
        48,
    )


def test_a_late_confirmation_and_delivery_are_recorded_with_their_durations(
    make_contract, place, ship, db_session, clock
):
    world = make_contract()  # Shanghai city district: confirm 24 h, deliver 24 h
    oid = place(world).order_id
    clock.advance(hours=30)
    report = orders.detect_sla_breaches(db_session, now=clock.now())
    assert (report.new_breaches, report.alerts) == (2, 1)  # both overdue, still open
    assert db_session.scalar(select(func.count()).select_from(SupplyAlert)) == 1
    orders.confirm_order(db_session, order_id=oid, now=clock.now(), actor=world.m)
    clock.advance(hours=6)
    ship(world, oid)
    clock.advance(hours=1)
    orders.detect_sla_breaches(db_session, now=clock.now())
    breaches = {b.kind: b for b in db_session.scalars(select(SlaBreach))}
    assert breaches[SlaKind.CONFIRM].hours_late == Decimal("6.00")  # confirmed at 30 h
    assert breaches[SlaKind.DELIVER].hours_late == Decimal("12.00")  # shipped at 36 h
    again = orders.detect_sla_breaches(db_session, now=clock.now() + timedelta(days=3))
    assert (again.new_breaches, again.updated_breaches, again.alerts) == (0, 0, 0)


def test_an_emergency_order_is_due_in_four_hours(make_contract, place, db_session, clock):
    world = make_contract()
    placed = place(world, emergency=True)
    order = db_session.get(PurchaseOrder, placed.order_id)
    assert order.deliver_due_at - order.placed_at == timedelta(hours=4)
    clock.advance(hours=3)
    assert orders.detect_sla_breaches(db_session, now=clock.now()).new_breaches == 0
