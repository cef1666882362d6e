"""Pharmacies join VBP (RULES.md 12): sign-up against the rules' minimum, buying at the
winning price through the ordinary order flow, the price cap, sales by quantity and by code,
stock on hand, and what compliance watches. Figures by hand from tests/fixtures/pharmacy.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.auth.services import actor_of
from procurement.compliance.alerts.models import Alert, AlertKind, AlertStatus
from procurement.compliance.alerts.services import evaluate_alerts
from procurement.contracts.models import Contract
from procurement.orders import services as orders
from procurement.pharmacy import services as pharmacy
from procurement.pharmacy.errors import (
    AlreadySignedUp,
    NotAPharmacy,
    NotYourStore,
    PriceAboveCap,
    SaleNotValid,
    SignUpNotValid,
)
from procurement.pharmacy.models import FinderEntry, PharmacyProduct, PharmacySale
from procurement.trace.services.stock_ledger import add_to_stock, declare_no_code

ALL = ["阿莫西林", "二甲双胍", "氨氯地平"]


def _sign_up(db_session, clock, vbp, who, names=ALL):
    return pharmacy.sign_up(
        db_session, tender_id=vbp.tender_id, generic_names=names, now=clock.now(), actor=who
    )


def _stock(db_session, clock, store_actor, product_id, boxes):
    declare_no_code(
        db_session,
        product_id=product_id,
        batch_no="NC1",
        expiry_date=clock.now().date() + timedelta(days=400),
        quantity=boxes,
        reason="bought before codes",
        now=clock.now(),
        actor=store_actor,
    )


def test_a_chain_below_its_minimum_is_refused_and_nothing_is_stored(
    db_session, clock, vbp, make_chain
):
    chain = make_chain()
    with pytest.raises(SignUpNotValid) as refused:
        _sign_up(db_session, clock, vbp, chain.actor, names=ALL[:2])
    # a chain: at least min_generic_names_chain = 3 (the tender's rules), 2 chosen
    assert refused.value.extra["errors"]["generic_names"] == ["2 chosen, at least 3"]
    assert "at least 3" in refused.value.detail
    assert db_session.scalar(select(func.count()).select_from(PharmacyProduct)) == 0


def test_a_single_store_needs_only_the_store_minimum(db_session, clock, vbp, make_org, make_user):
    from procurement.auth import services as auth

    store = auth.create_org(
        db_session,
        code="ST9",
        name="单体药店",
        kind="hospital",
        region_code="310101",
        now=clock.now(),
        institution_type="pharmacy_store",
    )
    user = make_user(org=store)
    enrollment = _sign_up(db_session, clock, vbp, actor_of(user), names=ALL[:2])
    assert enrollment.generic_names == sorted(ALL[:2])


def test_a_chains_sign_up_covers_its_stores_with_contracts_at_the_winning_price(
    db_session, clock, vbp, make_chain
):
    chain = make_chain()
    _sign_up(db_session, clock, vbp, chain.actor)
    for store in chain.stores:
        held = db_session.scalars(
            select(PharmacyProduct).where(PharmacyProduct.store_id == store.organization.id)
        ).all()
        assert sorted((p.generic_name, p.vbp_pack_price, p.price_cap) for p in held) == sorted(
            [
                ("阿莫西林", Decimal("12.00"), Decimal("13.20")),  # 0.5 x 24; x 1.1
                ("二甲双胍", Decimal("2.80"), Decimal("3.08")),  # 0.1 x 28; x 1.1
                ("氨氯地平", Decimal("5.60"), Decimal("6.16")),  # 0.2 x 28; x 1.1
            ]
        )
        prices = db_session.scalars(
            select(Contract.unit_price).where(Contract.hospital_id == store.organization.id)
        ).all()
        assert sorted(prices) == [Decimal("0.1000"), Decimal("0.2000"), Decimal("0.5000")]
    with pytest.raises(AlreadySignedUp):
        _sign_up(db_session, clock, vbp, chain.store_actor(0), names=ALL[:2])


def test_a_store_orders_through_the_order_flow_at_the_winning_price(
    db_session, clock, vbp, make_chain
):
    chain = make_chain()
    _sign_up(db_session, clock, vbp, chain.actor)
    store = chain.stores[0].organization
    contract = db_session.scalar(
        select(Contract).where(
            Contract.hospital_id == store.id,
            Contract.product_id == vbp.contracts["阿莫西林"].product_id,
        )
    )
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(lines=[orders.LineRequest(packs=10, contract_id=contract.id)]),
        now=clock.now(),
        actor=chain.store_actor(0),
    )
    line = placed.body["lines"][0]
    # 10 packs x 24 tablets x 0.5000 = 120.00, at the winning price
    assert (Decimal(line["unit_price"]), Decimal(line["amount"])) == (
        Decimal("0.5000"),
        Decimal("120.00"),
    )


def test_a_price_above_the_cap_is_refused_with_the_figures(db_session, clock, vbp, make_chain):
    chain = make_chain()
    _sign_up(db_session, clock, vbp, chain.actor)
    product_id = vbp.contracts["阿莫西林"].product_id
    with pytest.raises(PriceAboveCap) as refused:
        pharmacy.set_price(
            db_session,
            product_id=product_id,
            price=Decimal("13.21"),
            now=clock.now(),
            actor=chain.actor,
        )
    assert refused.value.detail == (
        "13.21 is above the cap of 13.20 per package (winning price 12.00 x (1 + 0.1))."
    )
    changed = pharmacy.set_price(
        db_session,
        product_id=product_id,
        price=Decimal("13.20"),
        now=clock.now(),
        actor=chain.actor,
    )
    assert [pp.price for pp in changed] == [Decimal("13.20")] * 2  # both stores
    entry = db_session.get(FinderEntry, (chain.stores[1].organization.id, product_id))
    assert entry.price == Decimal("13.20")


def test_sales_by_quantity_draw_on_no_code_stock_and_move_the_finder(
    db_session, clock, vbp, make_chain
):
    chain = make_chain()
    _sign_up(db_session, clock, vbp, chain.actor)
    store = chain.stores[0].organization
    product_id = vbp.contracts["阿莫西林"].product_id
    _stock(db_session, clock, chain.store_actor(0), product_id, 10)
    pharmacy.sell_by_quantity(
        db_session,
        product_id=product_id,
        quantity=4,
        store_id=store.id,
        now=clock.now(),
        actor=chain.actor,
    )
    rows = {
        (r.store.id, r.product.id): r.on_hand for r in pharmacy.stock(db_session, actor=chain.actor)
    }
    assert rows[(store.id, product_id)] == 6  # 10 declared - 4 sold
    assert db_session.get(FinderEntry, (store.id, product_id)).status.value == "in_stock"
    pharmacy.sell_by_quantity(
        db_session, product_id=product_id, quantity=2, now=clock.now(), actor=chain.store_actor(0)
    )
    assert db_session.get(FinderEntry, (store.id, product_id)).status.value == "low"  # 4 <= 5
    with pytest.raises(SaleNotValid) as refused:
        pharmacy.sell_by_quantity(
            db_session,
            product_id=product_id,
            quantity=5,
            now=clock.now(),
            actor=chain.store_actor(0),
        )
    assert refused.value.extra["errors"]["quantity"] == ["4 no-code package(s) on hand"]
    sale = db_session.scalars(select(PharmacySale).order_by(PharmacySale.id)).first()
    assert (sale.quantity, sale.unit_price) == (4, Decimal("12.00"))  # no price set: VBP


def test_a_pharmacy_acts_only_for_its_own_stores(db_session, clock, vbp, make_chain, make_actor):
    mine, other = make_chain("CH1"), make_chain("CH2")
    _sign_up(db_session, clock, vbp, mine.actor)
    with pytest.raises(NotYourStore):
        pharmacy.sell_by_quantity(
            db_session,
            product_id=vbp.contracts["阿莫西林"].product_id,
            quantity=1,
            store_id=other.stores[0].organization.id,
            now=clock.now(),
            actor=mine.actor,
        )
    with pytest.raises(NotAPharmacy):
        _sign_up(db_session, clock, vbp, make_actor("hospital"))


def test_compliance_raises_stock_out_coverage_and_price_once_and_closes_them(
    db_session, clock, vbp, make_chain
):
    chain = make_chain(stores=1)
    _sign_up(db_session, clock, vbp, chain.actor)
    store = chain.stores[0].organization
    amox = vbp.contracts["阿莫西林"].product_id
    _stock(db_session, clock, chain.store_actor(0), amox, 10)
    pharmacy.sell_by_quantity(
        db_session,
        product_id=amox,
        quantity=1,
        unit_price=Decimal("14.00"),
        now=clock.now(),
        actor=chain.store_actor(0),
    )
    evaluate_alerts(db_session, now=clock.now())
    evaluate_alerts(db_session, now=clock.now())  # raised once
    open_ = {
        a.kind: a
        for a in db_session.scalars(
            select(Alert).where(Alert.subject_org_id == store.id, Alert.status == AlertStatus.OPEN)
        )
    }
    assert set(open_) == {
        AlertKind.PHARMACY_COVERAGE,  # 1 of 3 names stocked, at least 3 (a chain)
        AlertKind.PHARMACY_STOCK_OUT,  # 二甲双胍 and 氨氯地平: nothing on hand
        AlertKind.PHARMACY_PRICE,  # 14.00 charged, cap 13.20
    }
    assert open_[AlertKind.PHARMACY_PRICE].facts["cap"] == "13.20"
    for name in ("二甲双胍", "氨氯地平"):
        _stock(db_session, clock, chain.store_actor(0), vbp.contracts[name].product_id, 3)
    clock.advance(timedelta(days=31))  # the sale above the cap leaves the 30-day window
    evaluate_alerts(db_session, now=clock.now())
    still = db_session.scalars(
        select(Alert).where(Alert.subject_org_id == store.id, Alert.status == AlertStatus.OPEN)
    ).all()
    assert still == []


def test_stock_recorded_by_the_trace_area_reaches_the_finder_as_it_commits(
    db_session, clock, vbp, make_chain
):
    chain = make_chain(stores=1)
    _sign_up(db_session, clock, vbp, chain.actor)
    store = chain.stores[0].organization
    amox = vbp.contracts["阿莫西林"].product_id

    def status():
        db_session.expire_all()
        return db_session.get(FinderEntry, (store.id, amox)).status.value

    assert status() == "out"
    _stock(db_session, clock, chain.store_actor(0), amox, 8)  # the trace area, committed
    assert status() == "in_stock"  # 8 > 5
    batch = {"org_id": store.id, "product_id": amox, "batch_no": "B1", "now": clock.now()}
    batch["expiry_date"] = clock.now().date() + timedelta(days=400)
    add_to_stock(db_session, **batch, dispensed=4)
    db_session.rollback()  # a failed request changes nothing, in the finder either
    db_session.commit()
    assert status() == "in_stock"
    add_to_stock(db_session, **batch, dispensed=4)
    db_session.commit()
    assert status() == "low"  # 8 - 4 = 4, 1-5 is low
    assert pharmacy.refresh_all(db_session, now=clock.now()) == 3  # 3 products, 1 store
    assert status() == "low"
