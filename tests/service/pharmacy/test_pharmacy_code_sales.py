"""A store buys at the winning price through the order flow, receives coded boxes by scan,
and reports sales by code: the traceability ledger records each box once (a second sale of the
same box raises its alert and records no sale), and stock on hand and the finder follow."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from procurement.auth.services import actor_of
from procurement.contracts.models import Contract
from procurement.pharmacy import services as pharmacy
from procurement.pharmacy.models import FinderEntry, PharmacySale
from procurement.trace import services as trace
from procurement.trace.files import CodeRow
from procurement.trace.services.accepting import LineDecision, accept_scanned
from procurement.trace.services.scanning import scan_code
from tests.fixtures.orders import World
from tests.fixtures.pharmacy import WINNERS


def test_sales_by_code_dispense_once_and_move_stock_and_finder(
    db_session, clock, vbp, make_chain, make_shipped
):
    chain = make_chain(stores=1)
    pharmacy.sign_up(
        db_session,
        tender_id=vbp.tender_id,
        generic_names=[w[0] for w in WINNERS],
        now=clock.now(),
        actor=chain.actor,
    )
    store = chain.stores[0]
    product_id = vbp.contracts["阿莫西林"].product_id
    contract = db_session.scalar(
        select(Contract).where(
            Contract.hospital_id == store.organization.id, Contract.product_id == product_id
        )
    )
    world = World(contract, store, vbp.manufacturer)
    shipped = make_shipped(packs=3, world=world)
    order = shipped.shipment.order
    assert order.lines[0].unit_price == Decimal("0.5000")  # the winning price
    codes = [shipped.mashang(i) for i in (1, 2, 3)]
    trace.attach_codes(
        db_session,
        shipment_line_id=shipped.line.id,
        rows=[CodeRow(i + 2, code) for i, code in enumerate(codes)],
        now=clock.now(),
        actor=world.m,
    )
    for code in codes:
        scan_code(
            db_session, shipment_id=shipped.shipment.id, code=code, now=clock.now(), actor=world.h
        )
    accept_scanned(
        db_session,
        shipment_id=shipped.shipment.id,
        decisions=[LineDecision(shipped.line.id)],
        now=clock.now(),
        actor=world.h,
    )
    sold = pharmacy.sell_by_codes(
        db_session, codes=codes[:2], now=clock.now(), actor=actor_of(store)
    )
    assert sold.recorded == 2
    # one box each at the VBP price (no price set): 0.5000 x 24 = 12.00
    assert sorted((s.quantity, s.unit_price) for s in sold.sales) == [(1, Decimal("12.00"))] * 2
    again = pharmacy.sell_by_codes(
        db_session, codes=[codes[0]], now=clock.now(), actor=actor_of(store)
    )
    assert (again.recorded, [k for _, k in again.alerts]) == (0, ["second_dispense"])
    assert len(db_session.scalars(select(PharmacySale)).all()) == 2
    rows = pharmacy.stock(db_session, actor=chain.actor)
    on_hand = {r.product.id: r.on_hand for r in rows}
    assert on_hand[product_id] == 1  # 3 received - 2 sold
    entry = db_session.get(FinderEntry, (store.organization.id, product_id))
    assert entry.status.value == "low"  # 1 <= LOW_STOCK_PACKS (5)
