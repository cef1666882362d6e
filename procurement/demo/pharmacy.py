"""The demo's pharmacy chain (RULES.md 12): 苏州老百姓大药房连锁 with three stores in the
districts of three of the demo's hospitals, signed up for every winning generic name of this
year's tender, with stock, a price, sales and one order placed through the order flow.

The demo's tenders list a few dozen generic names at most, not Hunan's 660, so their frozen
rules scale the pharmacy minimums down (``world.pharmacy_rules``: a chain at least half of the
round's names, a store a third); the chain signs up for all of them anyway. Its stock is
no-code stock declared at the stores (bought before the chain joined), so the demo walks no
deliveries for it; the finder then shows each store's products in stock, low or out."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth import services as auth
from procurement.auth.models import Role
from procurement.contracts.models import Contract
from procurement.demo.world import DEMO_PASSWORD, Login, Round, World
from procurement.orders import services as orders
from procurement.pharmacy import services as pharmacy
from procurement.trace.services.stock_ledger import declare_no_code

CHAIN = "SZ-LBX"


def build_pharmacy(session: Session, world: World, rnd: Round, rng: random.Random) -> str:
    """The chain, its stores and logins, its sign-up, stock, a price, sales and an order."""
    now = world.now
    homes = [h for h in world.hospitals if h.tier != "tertiary"][:3] or world.hospitals[:3]
    chain = auth.create_org(
        session,
        code=CHAIN,
        name="苏州老百姓大药房连锁有限公司",
        kind="hospital",
        region_code=homes[0].region_code,
        now=now,
        institution_type="pharmacy_chain",
        address="苏州市姑苏区人民路 100 号",
    )
    stores = [
        auth.create_org(
            session,
            code=f"{CHAIN}-{i}",
            name=f"老百姓大药房（第{i}分店）",
            kind="hospital",
            region_code=h.region_code,
            now=now,
            institution_type="pharmacy_store",
            parent_code=CHAIN,
            address=f"{h.name}对面 {i} 号",
        )
        for i, h in enumerate(homes, start=1)
    ]
    chain_actor = _login(session, world, "pharmacy chain", "pharmacy", chain, "孙丽（连锁采购部）")
    clerks = [
        _login(session, world, f"pharmacy store {i}", f"pharmacy-store{i}", s, f"{p}（店长）")
        for i, (s, p) in enumerate(zip(stores, ("吴刚", "郑华", "冯雪"), strict=False), start=1)
    ]
    store_actor = clerks[0]
    offer = pharmacy.offer(session, tender_id=rnd.tender_id, now=now)
    pharmacy.sign_up(
        session,
        tender_id=rnd.tender_id,
        generic_names=offer.generic_names,
        now=now,
        actor=chain_actor,
    )
    products = offer.products
    for clerk in clerks:
        for p in products:
            boxes = rng.choice((0, 3, 12, 30, 60))  # some out, some low
            if boxes:
                declare_no_code(
                    session,
                    product_id=p.product.id,
                    batch_no=f"LBX{p.product.id:05d}",
                    expiry_date=now.date().replace(year=now.year + 2),
                    quantity=boxes,
                    reason="加入集采前购入的库存",
                    now=now,
                    actor=clerk,
                )
    first = products[0]
    pharmacy.set_price(
        session,
        product_id=first.product.id,
        price=first.vbp_pack_price,
        now=now,
        actor=chain_actor,
    )
    sold = 0
    for row in pharmacy.stock(session, actor=chain_actor):
        if row.store.id == stores[0].id and row.on_hand >= 3:
            pharmacy.sell_by_quantity(
                session, product_id=row.product.id, quantity=2, now=now, actor=store_actor
            )
            sold += 2
    contract = session.scalar(
        select(Contract).where(Contract.hospital_id == stores[0].id).order_by(Contract.id)
    )
    orders.place_order(
        session,
        request=orders.OrderRequest(lines=[orders.LineRequest(packs=20, contract_id=contract.id)]),
        now=now,
        actor=store_actor,
    )
    return (
        f"{len(stores)} stores, {len(offer.generic_names)} generic names signed up, "
        f"{sold} boxes sold, 1 order at {Decimal(contract.unit_price)} a unit"
    )


def _login(session, world: World, label: str, username: str, org, person: str):
    user = auth.create_user(
        session,
        org_code=org.code,
        username=username,
        password=DEMO_PASSWORD,
        role=Role.ADMIN.value,
        display_name=person,
        now=world.now,
    )
    world.logins.append(Login(label, username, DEMO_PASSWORD, org.name))
    return auth.actor_of(user)
