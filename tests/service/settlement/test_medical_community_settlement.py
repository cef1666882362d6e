"""One payment, one settlement (RULES.md 12): the fund credits a county medical community's
members' advances to the community's advance account and charges their payables to the
community (advance first, then its allocation); the community's statement lists its members.

Hand-computed: each member holds 2,800 tablets at 0.2000 = 560.00 a year; advance 30% = 168.00
each, 336.00 for the community. The clinic receives 100 packs x 28 = 2,800 x 0.20 = 560.00, the
township hospital 50 packs = 1,400 x 0.20 = 280.00: 840.00 paid to the manufacturer, 336.00
from the community's advance and 840.00 - 336.00 = 504.00 from its allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.core.errors import Forbidden
from procurement.orders import services as orders
from procurement.settlement import services as settlement
from procurement.settlement.models import AccountKind, Advance
from procurement.settlement.services.ledger import account_ids


def _receive_for(db_session, clock, ship, w, world, member, packs):
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=packs, contract_id=world.contract.id)],
            buyer_id=member.organization_id,
        ),
        now=clock.now(),
        actor=w.c,
    )
    orders.confirm_order(db_session, order_id=placed.order_id, now=clock.now(), actor=world.m)
    shipment = ship(world, placed.order_id)
    lines = [orders.ReceiveLine(line.id, line.quantity, 0, None) for line in shipment.lines]
    orders.record_receipt(
        db_session, shipment_id=shipment.id, lines=lines, now=clock.now(), actor=w.c
    )


@pytest.fixture
def settled_community(community_world, fund_actor, db_session, clock, ship):
    w = community_world()
    for world in (w.clinic_world, w.township_world):
        settlement.run_advances(
            db_session,
            tender_id=world.contract.tender_id,
            contract_year=1,
            now=clock.now(),
            actor=fund_actor,
        )
    _receive_for(db_session, clock, ship, w, w.clinic_world, w.clinic, 100)
    _receive_for(db_session, clock, ship, w, w.township_world, w.township, 50)
    run = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="community-run",
        now=clock.now(),
        actor=fund_actor,
    )
    return w, run


def test_members_advances_and_payables_go_to_the_communitys_accounts(settled_community, db_session):
    w, run = settled_community
    community = w.community.organization_id
    members = (w.clinic.organization_id, w.township.organization_id)
    # An advance row per member (its own contracts), 168.00 each ...
    advances = sorted(
        (a.hospital_id, a.amount) for a in db_session.query(Advance).order_by(Advance.id)
    )
    assert advances == sorted((m, Decimal("168.00")) for m in members)
    # ... credited to the community's advance account; the members have no accounts.
    advance = account_ids(db_session, AccountKind.HOSPITAL_ADVANCE)
    allocation = account_ids(db_session, AccountKind.HOSPITAL_ALLOCATION)
    assert not set(members) & set(advance)
    assert run.total_amount == Decimal("840.00")
    assert settlement.balance(db_session, advance[community]) == Decimal("0.00")
    assert settlement.balance(db_session, allocation[community]) == Decimal("-504.00")
    for member in members:  # their allocation accounts exist (every buyer has one), untouched
        assert settlement.balance(db_session, allocation[member]) == Decimal("0.00")


def test_the_communitys_statement_lists_its_members(settled_community, db_session, clock):
    w, _run = settled_community
    st = settlement.statement(
        db_session, party_id=w.community.organization_id, now=clock.now(), actor=w.c
    )
    assert {
        k: st.summary[k]
        for k in (
            "advance_received",
            "charged_to_advance",
            "charged_to_allocation",
            "advance_remaining",
            "accepted_value",
        )
    } == {
        "advance_received": Decimal("336.00"),
        "charged_to_advance": Decimal("336.00"),
        "charged_to_allocation": Decimal("504.00"),
        "advance_remaining": Decimal("0.00"),
        "accepted_value": Decimal("840.00"),
    }
    listed = [(m["code"], m["institution_type"].value, m["accepted_value"]) for m in st.members]
    assert listed == [  # by code
        (w.township.organization.code, "township_hospital", Decimal("280.00")),
        (w.clinic.organization.code, "village_clinic", Decimal("560.00")),
    ]
    # A member's statement: its accepted value, settled by the community.
    member = settlement.statement(
        db_session, party_id=w.clinic.organization_id, now=clock.now(), actor=w.c
    )
    assert member.summary["accepted_value"] == Decimal("560.00")
    assert member.summary["charged_to_allocation"] == Decimal("0.00")
    assert member.settled_by == f"{w.community.organization.code} · {w.community.organization.name}"
    assert member.members == []
    parties = settlement.statement_parties(db_session, actor=w.c)
    assert sorted(p.id for p in parties) == sorted(
        [w.community.organization_id, w.clinic.organization_id, w.township.organization_id]
    )


def test_another_community_or_a_member_cannot_read_the_communitys_statement(
    settled_community, db_session, clock
):
    w, _run = settled_community
    for actor, party in (
        (w.o, w.clinic.organization_id),
        (w.o, w.community.organization_id),
        (w.clinic_world.h, w.community.organization_id),
        (w.clinic_world.h, w.township.organization_id),
    ):
        with pytest.raises(Forbidden):
            settlement.statement(db_session, party_id=party, now=clock.now(), actor=actor)
