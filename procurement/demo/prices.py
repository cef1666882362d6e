"""The demo's price outlier (价格监测, RULES.md 13): contract prices are the same for every
hospital of a province, so the year's orders never pay above the province's lowest. The day
before the demo's today two secondary hospitals buy the same non-winning product of one lot
off contract: one at the lot's reference price, the other 40% above it. The evening's
compliance check raises the price outlier alert naming both."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from procurement.catalog.models import Lot
from procurement.compliance import services as compliance
from procurement.core.clock import business_date
from procurement.core.money import round_unit_price
from procurement.demo.world import Org, at
from procurement.orders import services as orders

MARKUP = Decimal("1.4")  # the second hospital pays 40% more: above the 30% margin
PACKS = 20


def price_outlier(year, day: date) -> int:
    """Two off-contract purchases of one product, shipped and accepted on ``day``, then the
    compliance check. Returns the price outlier alerts open after it (0 when the round has
    no non-winning product to buy)."""
    session, world = year.session, year.world
    picked = next(
        (
            (lot.id, holders)
            for lot in year.round.lots
            if year.substitutes.get(lot.id) and len(holders := _holders(year, lot.id)) >= 2
        ),
        None,
    )
    if picked is None:
        return 0
    lot_id, buyers = picked
    product_id, maker = year.substitutes[lot_id][0]
    price = session.get(Lot, lot_id).reference_unit_price
    for hour, (hospital, paid) in enumerate(
        zip(buyers, (price, round_unit_price(price * MARKUP)), strict=True)
    ):
        world.clock.set(at(day, 11 + 2 * hour))
        _buy(session, world, hospital, maker, product_id, lot_id, paid)
    world.clock.set(at(day, 19))
    compliance.evaluate_alerts(session, now=world.now, actor=world.regulator.actor)
    found = compliance.list_alerts(
        session, actor=world.regulator.actor, status="open", kind="price_outlier"
    )
    return len(found)


def _holders(year, lot_id: int) -> list[Org]:
    """Two hospitals holding a contract of the lot (off-contract purchases are for a generic
    name the hospital has contracts for), secondary ones first."""
    holding = [
        h
        for h in year.world.hospitals
        if any(line.lot_id == lot_id for lines in year.by_hospital[h.id].values() for line in lines)
    ]
    holding.sort(key=lambda h: (h.tier != "secondary", h.id))
    return holding[:2]


def _buy(session, world, hospital: Org, maker: Org, product_id: int, lot_id: int, price) -> None:
    request = orders.OrderRequest(
        lines=[orders.LineRequest(packs=PACKS, product_id=product_id, unit_price=price)],
        delivery_address=f"{hospital.name} 药库",
    )
    placed = orders.place_order(session, request=request, now=world.now, actor=hospital.actor)
    shipper = world.shipper(maker, {lot_id})
    order = orders.confirm_order(session, order_id=placed.order_id, now=world.now, actor=shipper)
    today = business_date(world.now)
    lines = [
        orders.ShipLine(
            order_line_id=line.id,
            quantity=line.quantity,
            batch_no=f"{maker.code}{today:%y%m}P{lot_id:03d}",
            production_date=today - timedelta(days=60),
            expiry_date=today + timedelta(days=700),
        )
        for line in order.lines
    ]
    world.clock.set(world.now + timedelta(minutes=30))
    shipment = orders.create_shipment(
        session, order_id=placed.order_id, lines=lines, now=world.now, actor=shipper
    )
    world.clock.set(world.now + timedelta(minutes=60))
    got = [orders.ReceiveLine(s.id, s.quantity, 0, None) for s in shipment.lines]
    orders.record_receipt(
        session, shipment_id=shipment.id, lines=got, now=world.now, actor=hospital.actor
    )
