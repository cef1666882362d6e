"""The world of the pharmacy journeys, built on the live server's database: a tender in force
with three winning generic names (pharmacy rules: 2 a store, 3 a chain, markup 10%) and a
pharmacy chain with two stores in 上海市黄浦区 (310101), each with a user."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from procurement.auth import services as auth
from procurement.auth.models import Organization, User
from procurement.auth.services import actor_of
from procurement.pharmacy import services as pharmacy
from procurement.trace.services.stock_ledger import declare_no_code
from tests.e2e.conftest import PASSWORD, LiveUser
from tests.fixtures.pharmacy import build_vbp

_seq = itertools.count(1)


@dataclass
class PharmacyWorld:
    tender_id: int
    products: dict[str, int]  # generic name -> product id
    chain: LiveUser
    stores: list[LiveUser]


def _org(session, code, kind, now, parent=None):
    return auth.create_org(
        session,
        code=code,
        name=f"{code} 大药房",
        kind="hospital",
        region_code="310101",
        now=now,
        institution_type=kind,
        parent_code=parent,
        address=f"{code} 南京东路 1 号",
    )


def _user(session, org, now) -> LiveUser:
    user = auth.create_user(
        session,
        org_code=org.code,
        username=f"e2e-{org.code.lower()}",
        password=PASSWORD,
        role="staff",
        display_name=f"{org.name} 店员",
        now=now,
    )
    return LiveUser(user.id, user.username, PASSWORD, user.display_name, org.code, org.name)


def build(live_db, live_clock, regulator: LiveUser) -> PharmacyWorld:
    n = next(_seq)
    now = live_clock.now()
    with live_db() as session:
        hospital = auth.create_org(
            session,
            code=f"PH-H{n}",
            name="瑞金医院",
            kind="hospital",
            region_code="310101",
            now=now,
        )
        maker = auth.create_org(
            session,
            code=f"PH-M{n}",
            name="华北制药",
            kind="manufacturer",
            region_code="130000",
            now=now,
        )
        reg = session.query(Organization).filter_by(code=regulator.org_code).one()
        vbp = build_vbp(
            session, now, hospital_org=hospital, manufacturer_org=maker, regulator_org=reg
        )
        chain = _org(session, f"PHC{n}", "pharmacy_chain", now)
        stores = [_org(session, f"PHC{n}S{i}", "pharmacy_store", now, chain.code) for i in (1, 2)]
        world = PharmacyWorld(
            vbp.tender_id,
            {name: c.product_id for name, c in vbp.contracts.items()},
            _user(session, chain, now),
            [_user(session, s, now) for s in stores],
        )
        session.commit()
    return world


def sign_up_and_stock(live_db, live_clock, world: PharmacyWorld, boxes: int = 10) -> None:
    """The chain signs up for all three names; its first store declares ``boxes`` no-code
    boxes of 阿莫西林 (the finder shows it in stock there)."""
    now = live_clock.now()
    with live_db() as session:
        chain = actor_of(session.get(User, world.chain.user_id))
        store = actor_of(session.get(User, world.stores[0].user_id))
        pharmacy.sign_up(
            session,
            tender_id=world.tender_id,
            generic_names=list(world.products),
            now=now,
            actor=chain,
        )
        stock_boxes(session, now, store, world.products["阿莫西林"], boxes)


def stock_boxes(session, now, store_actor, product_id: int, boxes: int) -> None:
    declare_no_code(
        session,
        product_id=product_id,
        batch_no="NC2026",
        expiry_date=now.date() + timedelta(days=500),
        quantity=boxes,
        reason="购于赋码前",
        now=now,
        actor=store_actor,
    )


def add_clinic(live_db, live_clock, world: PharmacyWorld, boxes: int = 3) -> str:
    """A community health centre in 310101 buying 阿莫西林 under the tender's winning contract
    (a copy for it) with ``boxes`` no-code boxes on hand; the finder refreshed. Its name."""
    from procurement.contracts.models import Contract
    from tests.fixtures.pharmacy import contract_for

    now = live_clock.now()
    with live_db() as session:
        centre = auth.create_org(
            session,
            code=f"PH-CHC{next(_seq)}",
            name="外滩社区卫生服务中心",
            kind="hospital",
            region_code="310101",
            now=now,
            institution_type="community_health_centre",
            address="中山东一路 2 号",
        )
        template = (
            session.query(Contract)
            .filter_by(tender_id=world.tender_id, product_id=world.products["阿莫西林"])
            .order_by(Contract.id)
            .first()
        )
        contract_for(session, template, centre)
        staff = _user(session, centre, now)
        stock_boxes(
            session, now, actor_of(session.get(User, staff.user_id)), template.product_id, boxes
        )
        pharmacy.refresh_all(session, now=now)
        session.commit()
    return "外滩社区卫生服务中心"
