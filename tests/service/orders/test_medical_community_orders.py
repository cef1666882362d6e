"""A county medical community (医共体, RULES.md 12) orders, receives and reports demand for its
members: the member stays the buyer (its contract volumes and progress), the community is
recorded as who placed it, the goods go to the member's address; another community is refused.
One order: 10 packs x 28 = 280 tablets x 0.2000 = 56.00."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from procurement.auth.services import actor_of
from procurement.catalog import services as catalog
from procurement.compliance import services as compliance
from procurement.compliance.progress.queries import Filters
from procurement.contracts import services as contracts
from procurement.core.errors import Forbidden, NotFound
from procurement.orders import services as orders
from procurement.orders.models import PurchaseOrder, Receipt, ReceiptLine


def _place_for(db_session, clock, world, actor, buyer_id, packs=10, **extra):
    return orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=packs, contract_id=world.contract.id)],
            buyer_id=buyer_id,
            **extra,
        ),
        now=clock.now(),
        actor=actor,
    )


def _receive(db_session, clock, shipment, actor):
    lines = [orders.ReceiveLine(line.id, line.quantity, 0, None) for line in shipment.lines]
    return orders.record_receipt(
        db_session, shipment_id=shipment.id, lines=lines, now=clock.now(), actor=actor
    )


def test_the_community_orders_for_its_member_who_stays_the_buyer(
    community_world, db_session, clock
):
    w = community_world()
    clinic = w.clinic.organization
    placed = _place_for(db_session, clock, w.clinic_world, w.c, clinic.id)
    order = db_session.get(PurchaseOrder, placed.order_id)
    assert (order.hospital_id, order.placed_by_org_id, order.placed_by_user_id) == (
        clinic.id,
        w.community.organization_id,
        w.community.id,
    )
    assert (order.delivery_address, order.region_code) == (clinic.address, clinic.region_code)
    assert placed.body["placed_by_org_id"] == w.community.organization_id
    assert placed.body["total_amount"] == "56.00"
    # The member's contract volume counts the order (280 of 2,800 ordered).
    volume = orders.contract_volume(
        db_session, contract_id=w.clinic_world.contract.id, actor=w.clinic_world.h
    )
    assert (volume.ordered, volume.remaining) == (280, 2520)
    # The member sees its own order; the community sees it too.
    assert orders.get_order(db_session, order_id=order.id, now=clock.now(), actor=w.clinic_world.h)
    seen = orders.list_orders(db_session, now=clock.now(), actor=w.c)
    assert [o.id for o in seen] == [order.id]


def test_an_address_given_with_the_order_replaces_the_members(community_world, db_session, clock):
    w = community_world()
    placed = _place_for(
        db_session,
        clock,
        w.clinic_world,
        w.c,
        w.clinic.organization_id,
        delivery_address="镇卫生院中心药房转运",
    )
    assert placed.body["delivery_address"] == "镇卫生院中心药房转运"


def test_an_order_for_a_non_member_is_refused_and_writes_nothing(
    community_world, db_session, clock
):
    w = community_world()
    cases = [
        (w.o, w.clinic.organization_id),  # another community, for our clinic
        (w.c, w.other_clinic.organization_id),  # our community, for another's clinic
        (w.clinic_world.h, w.township.organization_id),  # a member has no members
    ]
    for actor, buyer_id in cases:
        with pytest.raises(Forbidden) as refused:
            _place_for(db_session, clock, w.clinic_world, actor, buyer_id)
        assert refused.value.code == "not-your-member"
        assert refused.value.errors == {"buyer_id": ["not a member of your medical community"]}
    assert db_session.scalars(select(PurchaseOrder.id)).all() == []


def test_a_community_cannot_order_against_its_members_contract_for_itself(
    community_world, db_session, clock
):
    """The member's contract is the member's: ordering it for the community itself (no
    buyer_id) is another hospital's contract."""
    w = community_world()
    with pytest.raises(Forbidden) as refused:
        _place_for(db_session, clock, w.clinic_world, w.c, None)
    assert refused.value.code == "not-your-contract"


def test_the_community_receives_for_its_member_and_the_member_is_credited(
    community_world, db_session, clock, ship
):
    w = community_world()
    world = w.clinic_world
    placed = _place_for(db_session, clock, world, w.c, w.clinic.organization_id)
    orders.confirm_order(db_session, order_id=placed.order_id, now=clock.now(), actor=world.m)
    shipment = ship(world, placed.order_id)
    # The distributor's/manufacturer's view of the shipment names the member's address.
    seen = orders.get_shipment(db_session, shipment_id=shipment.id, now=clock.now(), actor=world.m)
    assert seen.order.delivery_address == w.clinic.organization.address
    # Another community may not receive it (it cannot even see it).
    with pytest.raises(NotFound):
        _receive(db_session, clock, shipment, w.o)
    result = _receive(db_session, clock, shipment, w.c)
    receipt = db_session.get(Receipt, result.receipt_id)
    line = db_session.scalars(select(ReceiptLine).where(ReceiptLine.receipt_id == receipt.id)).one()
    assert (receipt.hospital_id, line.hospital_id, line.accepted_amount) == (
        w.clinic.organization_id,
        w.clinic.organization_id,
        line.accepted_amount,
    )
    assert str(line.accepted_amount) == "56.00"
    volume = orders.contract_volume(db_session, contract_id=world.contract.id, actor=world.h)
    assert volume.accepted == 280


def test_the_member_itself_may_still_receive_an_order_the_community_placed(
    community_world, db_session, clock, ship
):
    w = community_world()
    world = w.township_world
    placed = _place_for(db_session, clock, world, w.c, w.township.organization_id, packs=5)
    orders.confirm_order(db_session, order_id=placed.order_id, now=clock.now(), actor=world.m)
    shipment = ship(world, placed.order_id)
    result = _receive(db_session, clock, shipment, world.h)
    assert db_session.get(Receipt, result.receipt_id).hospital_id == w.township.organization_id


def test_orders_and_contracts_are_scoped_member_community_other(community_world, db_session, clock):
    w = community_world()
    clinic_order = _place_for(db_session, clock, w.clinic_world, w.c, w.clinic.organization_id)
    township_order = _place_for(
        db_session, clock, w.township_world, w.township_world.h, w.township.organization_id
    )
    now = clock.now()

    def order_ids(actor):
        return sorted(o.id for o in orders.list_orders(db_session, now=now, actor=actor))

    def contract_ids(actor):
        return sorted(c.id for c in contracts.list_contracts(db_session, actor=actor))

    both = sorted([clinic_order.order_id, township_order.order_id])
    assert order_ids(w.c) == both
    assert order_ids(w.clinic_world.h) == [clinic_order.order_id]
    assert order_ids(w.township_world.h) == [township_order.order_id]
    assert order_ids(w.o) == []
    assert order_ids(actor_of(w.other_clinic)) == []
    member_contracts = sorted([w.clinic_world.contract.id, w.township_world.contract.id])
    assert contract_ids(w.c) == member_contracts
    assert contract_ids(w.clinic_world.h) == [w.clinic_world.contract.id]
    assert contract_ids(w.o) == []
    with pytest.raises(NotFound):
        contracts.get_contract(db_session, contract_id=w.clinic_world.contract.id, actor=w.o)
    assert contracts.get_contract(db_session, contract_id=w.clinic_world.contract.id, actor=w.c)
    # Another community may not cancel the clinic's order; the community may.
    with pytest.raises(NotFound):
        orders.cancel_order(
            db_session, order_id=clinic_order.order_id, reason="x", now=now, actor=w.o
        )
    cancelled = orders.cancel_order(
        db_session, order_id=clinic_order.order_id, reason="ordered twice", now=now, actor=w.c
    )
    assert cancelled.status.value == "cancelled"


def test_the_communitys_progress_covers_its_members_one_member_or_none_of_others(
    community_world, db_session, clock
):
    w = community_world()
    now = clock.now()

    def hospitals(actor, **filters):
        report = compliance.progress_report(
            db_session, filters=Filters(**filters), group_by="hospital", now=now, actor=actor
        )
        return sorted(int(row.key) for row in report.rows)

    clinic_id, township_id = w.clinic.organization_id, w.township.organization_id
    assert hospitals(w.c) == sorted([clinic_id, township_id])
    assert hospitals(w.c, hospital_id=clinic_id) == [clinic_id]
    assert hospitals(w.clinic_world.h) == [clinic_id]
    # Another community asking for our clinic gets its own (empty) figures.
    assert hospitals(w.o, hospital_id=clinic_id) == []


def test_the_community_reports_demand_for_its_member(
    community_world, db_session, clock, make_tender
):
    tender = make_tender("demand_open")
    w = community_world()
    rows = [{"lot_code": "L01", "quantity": 1200, "last_year_usage": 1000}]
    [report] = catalog.submit_demand(
        db_session,
        tender_id=tender.id,
        lines=rows,
        now=clock.now(),
        actor=w.c,
        buyer_id=w.clinic.organization_id,
    )
    assert (report.hospital_id, report.quantity) == (w.clinic.organization_id, 1200)
    assert report.revisions[0].submitted_by_user_id == w.community.id
    mine = catalog.list_demand(db_session, tender_id=tender.id, actor=w.clinic_world.h)
    assert [r.id for r in mine] == [report.id]
    assert [r.id for r in catalog.list_demand(db_session, tender_id=tender.id, actor=w.c)] == [
        report.id
    ]
    assert catalog.list_demand(db_session, tender_id=tender.id, actor=w.o) == []
    with pytest.raises(Forbidden):
        catalog.submit_demand(
            db_session,
            tender_id=tender.id,
            lines=rows,
            now=clock.now(),
            actor=w.o,
            buyer_id=w.clinic.organization_id,
        )
