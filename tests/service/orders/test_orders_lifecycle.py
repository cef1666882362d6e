"""Order lifecycle through the services: place, confirm, ship, receive, close; cancel and
reject; volume accounting with hand-computed quantities (pack of 28 tablets at 0.2000)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.audit.models import AuditEvent, AuditHead
from procurement.audit.services import verify_chain
from procurement.core.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from procurement.orders import services as orders
from procurement.orders.models import (
    OrderStatus,
    PurchaseOrder,
    ReceiptLine,
    SupplyAlert,
    SupplyAlertKind,
)


def _receive_all(db_session, clock, world, shipment, rejected=None):
    lines = [
        orders.ReceiveLine(
            line.id,
            line.quantity - (rejected or {}).get(line.id, 0),
            (rejected or {}).get(line.id, 0),
            "damaged cartons" if (rejected or {}).get(line.id) else None,
        )
        for line in shipment.lines
    ]
    return orders.record_receipt(
        db_session, shipment_id=shipment.id, lines=lines, now=clock.now(), actor=world.h
    )


def test_an_order_within_the_agreed_volume_is_priced_at_the_contract_price(make_contract, place):
    world = make_contract(agreed=2800)
    placed = place(world, packs=10)
    line = placed.body["lines"][0]
    # 10 packs x 28 = 280 tablets x 0.2000 = 56.00
    assert (line["quantity"], line["amount"], placed.body["total_amount"]) == (
        280,
        "56.00",
        "56.00",
    )
    assert (line["within_agreed_quantity"], line["beyond_agreed_quantity"]) == (280, 0)


def test_an_order_beyond_the_remaining_volume_is_split_and_marked(make_contract, place, db_session):
    world = make_contract(agreed=2800)
    place(world, packs=90)  # 2520 of 2800
    line = place(world, packs=20).body["lines"][0]
    assert (line["quantity"], line["within_agreed_quantity"], line["beyond_agreed_quantity"]) == (
        560,
        280,
        280,
    )
    volume = orders.contract_volume(db_session, contract_id=world.contract.id, actor=world.h)
    assert (volume.ordered, volume.within_agreed, volume.beyond_agreed, volume.remaining) == (
        3080,
        2800,
        280,
        0,
    )


def test_lines_on_two_contracts_split_each_contracts_remaining_volume_in_line_order(
    make_contract, place, db_session
):
    """Three lines, two contracts of one supplier: each contract's remaining agreed volume is
    used up by its lines in order; one write statement books both volume rows."""
    first = make_contract(agreed=2800)
    second = make_contract(hospital=first.hospital, manufacturer=first.manufacturer, agreed=280)
    placed = place(
        first,
        lines=[
            orders.LineRequest(packs=60, contract_id=first.contract.id),  # 1680 of 2800
            orders.LineRequest(packs=50, contract_id=first.contract.id),  # 1400: 1120 + 280
            orders.LineRequest(packs=20, contract_id=second.contract.id),  # 560: 280 + 280
        ],
    )
    split = [
        (ln["line_no"], ln["quantity"], ln["within_agreed_quantity"], ln["beyond_agreed_quantity"])
        for ln in placed.body["lines"]
    ]
    assert split == [(1, 1680, 1680, 0), (2, 1400, 1120, 280), (3, 560, 280, 280)]
    # (1680 + 1400 + 560) x 0.2000 = 728.00
    assert placed.body["total_amount"] == "728.00"
    stored = db_session.get(PurchaseOrder, placed.order_id)
    assert (stored.id, stored.number, stored.total_amount) == (
        placed.body["id"],
        placed.body["number"],
        Decimal("728.00"),
    )
    volumes = [
        orders.contract_volume(db_session, contract_id=w.contract.id, actor=first.h)
        for w in (first, second)
    ]
    assert [(v.ordered, v.beyond_agreed, v.remaining) for v in volumes] == [
        (3080, 280, 0),
        (560, 280, 0),
    ]


def test_the_full_lifecycle_counts_only_accepted_quantity(
    make_contract, place, ship, db_session, clock
):
    world = make_contract(agreed=2800)
    placed = place(world, packs=10)
    order = orders.confirm_order(
        db_session, order_id=placed.order_id, now=clock.now(), actor=world.m
    )
    assert order.status == OrderStatus.CONFIRMED
    first = ship(world, placed.order_id, quantities={1: 28 * 4})
    assert order.status == OrderStatus.PARTLY_SHIPPED
    _receive_all(db_session, clock, world, first, rejected={first.lines[0].id: 28})
    second = ship(world, placed.order_id)
    assert (order.status, second.lines[0].quantity) == (OrderStatus.SHIPPED, 168)
    _receive_all(db_session, clock, world, second)
    assert order.status == OrderStatus.RECEIVED
    orders.close_order(db_session, order_id=order.id, now=clock.now(), actor=world.h)
    assert order.status == OrderStatus.CLOSED
    volume = orders.contract_volume(db_session, contract_id=world.contract.id, actor=world.m)
    assert (volume.shipped, volume.accepted, volume.rejected) == (280, 252, 28)
    assert volume.completion == Decimal("0.0900")  # 252 / 2800
    paid = db_session.scalar(select(func.sum(ReceiptLine.accepted_amount)))
    assert paid == Decimal("50.40")  # 252 x 0.2000


def test_cancelling_before_confirmation_releases_the_volume(
    make_contract, place, db_session, clock
):
    world = make_contract()
    placed = place(world, packs=10)
    orders.cancel_order(db_session, order_id=placed.order_id, now=clock.now(), actor=world.h)
    volume = orders.contract_volume(db_session, contract_id=world.contract.id, actor=world.h)
    assert volume.ordered == 0


def test_rejecting_needs_a_reason_and_raises_a_supply_alert(
    make_contract, place, db_session, clock
):
    world = make_contract()
    placed = place(world, packs=10)
    with pytest.raises(ValidationFailed) as error:
        orders.reject_order(
            db_session, order_id=placed.order_id, reason=" ", now=clock.now(), actor=world.m
        )
    assert "reason" in error.value.extra["errors"]
    orders.reject_order(
        db_session, order_id=placed.order_id, reason="out of stock", now=clock.now(), actor=world.m
    )
    alert = db_session.scalar(select(SupplyAlert).where(SupplyAlert.order_id == placed.order_id))
    assert (alert.kind, alert.manufacturer_id) == (
        SupplyAlertKind.ORDER_REJECTED,
        world.manufacturer.organization_id,
    )


@pytest.mark.parametrize(
    ("first", "step"),
    [("cancel", "confirm"), ("confirm", "cancel"), ("confirm", "confirm"), ("cancel", "reject")],
)
def test_a_step_in_the_wrong_state_names_the_state_and_allowed_moves(
    make_contract, place, db_session, clock, first, step
):
    world = make_contract()
    oid = place(world).order_id
    act = {
        "cancel": lambda: orders.cancel_order(
            db_session, order_id=oid, now=clock.now(), actor=world.h
        ),
        "confirm": lambda: orders.confirm_order(
            db_session, order_id=oid, now=clock.now(), actor=world.m
        ),
        "reject": lambda: orders.reject_order(
            db_session, order_id=oid, reason="x", now=clock.now(), actor=world.m
        ),
    }
    act[first]()
    with pytest.raises(Conflict) as error:
        act[step]()
    status = "cancelled" if first == "cancel" else "confirmed"
    assert error.value.extra["state"] == status
    assert f"'{status}'" in error.value.detail
    assert "Allowed moves" in error.value.detail


def test_bad_order_input_is_refused_and_nothing_is_written(
    make_contract, make_user, place, db_session
):
    world = make_contract()
    other = make_contract()
    cases = [
        (ValidationFailed, [orders.LineRequest(packs=1, contract_id=999_999)]),
        (Forbidden, [orders.LineRequest(packs=1, contract_id=other.contract.id)]),
        (ValidationFailed, [orders.LineRequest(packs=0, contract_id=world.contract.id)]),
        (ValidationFailed, [orders.LineRequest(packs=-3, contract_id=world.contract.id)]),
        (ValidationFailed, []),
    ]
    for error, lines in cases:
        with pytest.raises(error):
            place(world, lines=lines)
        db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(PurchaseOrder)) == 0


def test_shipping_more_than_ordered_or_broken_packs_or_expired_batches_is_refused(
    make_contract, place, db_session, clock
):
    world = make_contract()
    oid = place(world, packs=2).order_id
    orders.confirm_order(db_session, order_id=oid, now=clock.now(), actor=world.m)
    line_id = orders.get_order(db_session, order_id=oid, now=clock.now(), actor=world.h).lines[0].id
    today = clock.now().date()
    good = dict(
        order_line_id=line_id,
        batch_no="B1",
        production_date=today - timedelta(days=9),
        expiry_date=today + timedelta(days=400),
    )
    for field, change in (
        ("quantity", {"quantity": 84}),  # 3 packs > 2 ordered
        ("quantity", {"quantity": 30}),  # not whole packs of 28
        ("expiry_date", {"quantity": 28, "expiry_date": today - timedelta(days=1)}),
        ("batch_no", {"quantity": 28, "batch_no": " "}),
    ):
        with pytest.raises(ValidationFailed) as error:
            orders.create_shipment(
                db_session,
                order_id=oid,
                lines=[orders.ShipLine(**{**good, **change})],
                now=clock.now(),
                actor=world.m,
            )
        assert f"lines.0.{field}" in error.value.extra["errors"]
        db_session.rollback()
    assert (
        orders.get_order(db_session, order_id=oid, now=clock.now(), actor=world.h)
        .lines[0]
        .shipped_quantity
        == 0
    )


def test_receiving_must_balance_every_line_and_explain_rejections(
    make_contract, place, ship, db_session, clock
):
    world = make_contract()
    oid = place(world, packs=2).order_id
    orders.confirm_order(db_session, order_id=oid, now=clock.now(), actor=world.m)
    shipment = ship(world, oid)
    sid = shipment.lines[0].id
    for lines in (
        [orders.ReceiveLine(sid, 56, 28, "broken")],  # more than shipped
        [orders.ReceiveLine(sid, 28, 0)],  # less than shipped
        [orders.ReceiveLine(sid, 28, 28)],  # rejection without a reason
    ):
        with pytest.raises(ValidationFailed):
            orders.record_receipt(
                db_session, shipment_id=shipment.id, lines=lines, now=clock.now(), actor=world.h
            )
        db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ReceiptLine)) == 0


def test_only_the_ordering_hospital_may_receive_and_only_the_supplier_may_confirm(
    make_contract, make_actor, place, db_session, clock
):
    world = make_contract()
    oid = place(world).order_id
    with pytest.raises(Forbidden):
        orders.confirm_order(db_session, order_id=oid, now=clock.now(), actor=world.h)
    other_maker = make_contract().m
    from procurement.core.errors import NotFound

    with pytest.raises(NotFound):
        orders.confirm_order(db_session, order_id=oid, now=clock.now(), actor=other_maker)


def test_an_off_contract_line_is_tracked_apart_from_the_contracted_volume(
    make_contract, make_product, place, db_session
):
    world = make_contract()
    rival = make_product(pack_size=14)  # another manufacturer's 氨氯地平
    placed = place(
        world,
        lines=[orders.LineRequest(packs=2, product_id=rival.id, unit_price=Decimal("0.5000"))],
    )
    line = placed.body["lines"][0]
    assert (line["off_contract"], line["contract_id"], line["quantity"], line["amount"]) == (
        True,
        None,
        28,
        "14.00",
    )
    volume = orders.contract_volume(db_session, contract_id=world.contract.id, actor=world.h)
    assert volume.ordered == 0


def test_an_off_contract_generic_the_hospital_holds_no_contract_for_is_refused(
    make_contract, make_product, place
):
    world = make_contract()
    other = make_product(generic_name="二甲双胍")
    with pytest.raises(RuleViolation, match="no active contract"):
        place(
            world,
            lines=[orders.LineRequest(packs=1, product_id=other.id, unit_price=Decimal("1.0000"))],
        )


def test_placing_orders_audits_each_in_the_hospitals_chain_from_its_first_event(
    make_contract, place, db_session
):
    """On PostgreSQL the event is appended inside the order's write statement, unless the
    hospital's chain has no head yet (its first event): then it is recorded on its own."""
    world = make_contract(agreed=2800)
    chain = f"org:{world.h.org_id}"
    before = db_session.scalar(select(func.count()).where(AuditEvent.chain == chain))
    assert before == 0  # the first order is the first event of the hospital's chain

    first = place(world, packs=1, key="first")
    second = place(world, packs=2)

    events = db_session.execute(
        select(AuditEvent.seq, AuditEvent.action, AuditEvent.subject_id, AuditEvent.payload)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq)
    ).all()[before:]
    assert [(e.seq, e.action, e.subject_id) for e in events] == [
        (before + 1, "orders.placed", str(first.order_id)),
        (before + 2, "orders.placed", str(second.order_id)),
    ]
    assert events[1].payload == {"number": second.body["number"], "lines": 1, "total": "11.20"}
    head = db_session.get(AuditHead, chain)
    assert head.seq == before + 2
    assert verify_chain(db_session).ok
