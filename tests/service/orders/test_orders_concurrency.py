"""Volume accounting under concurrent orders: many clients, each on its own connection of the
real engine (not the rolled-back test connection), against a handful of contracts. Afterwards
``ordered`` must equal the sum of the live order lines per contract, and every Idempotency-Key
must have produced exactly one order. A negative control pushes the same load through an
unlocked read-modify-write and the same check must catch the lost updates."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, func, select, update

from procurement.audit.models import AuditEvent, AuditHead
from procurement.audit.services import verify_chain
from procurement.auth import services as auth
from procurement.auth.models import Organization, User
from procurement.award.models import AwardRun
from procurement.bidding.models import Bid
from procurement.catalog.models import Lot, Product, Tender
from procurement.contracts.models import Contract
from procurement.db import make_session_factory
from procurement.events.models import Event, EventAudience
from procurement.orders import services as orders
from procurement.orders.models import (
    ContractVolume,
    IdempotencyKey,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
)
from tests.conftest import START
from tests.fixtures.orders import build_contract

_run = itertools.count(1)


def _postgres(engine) -> bool:
    return engine.dialect.name == "postgresql"


@pytest.fixture
def world(engine):
    """Committed data of its own: 2 hospitals x 2 manufacturers = 4 contracts; removed after,
    with the audit events it appended (the chain head is put back, so the chain stays whole)."""
    factory = make_session_factory(engine)
    with factory() as session:
        heads = {h.chain: (h.seq, h.hash) for h in session.scalars(select(AuditHead))}
        last_event = session.scalar(select(func.max(AuditEvent.id))) or 0
    tag = f"CC{next(_run)}{int(time.time() * 1000) % 100000}"
    with factory() as session:
        orgs = {
            name: auth.create_org(
                session,
                code=f"{tag}{name}",
                name=f"{tag} {name}",
                kind=kind,
                region_code=region,
                now=START,
            )
            for name, kind, region in (
                ("R", "regulator", "310000"),
                ("H1", "hospital", "310101"),
                ("H2", "hospital", "320102"),
                ("M1", "manufacturer", "320000"),
                ("M2", "manufacturer", "330000"),
            )
        }
        users = {
            name: auth.create_user(
                session,
                org_code=org.code,
                username=f"{tag}-{name}".lower(),
                password="correct horse battery",
                role="staff",
                now=START,
            )
            for name, org in orgs.items()
        }
        contracts = [
            build_contract(
                session,
                START,
                hospital_org=orgs[h],
                manufacturer_org=orgs[m],
                regulator_org=orgs["R"],
                agreed=28 * 40,
            )
            for h in ("H1", "H2")
            for m in ("M1", "M2")
        ]
        ids = {
            "contracts": [c.id for c in contracts],
            "actors": {c.id: auth.actor_of(users[_hospital_name(orgs, c)]) for c in contracts},
            "orgs": [o.id for o in orgs.values()],
            "users": [u.id for u in users.values()],
        }
    yield factory, ids
    _cleanup(factory, ids, (heads, last_event))


def _hospital_name(orgs, contract) -> str:
    return next(n for n, o in orgs.items() if o.id == contract.hospital_id)


def _cleanup(factory, ids, before) -> None:
    heads, last_event = before
    with factory() as s:
        contracts = s.scalars(select(Contract).where(Contract.id.in_(ids["contracts"]))).all()
        order_ids = select(OrderLine.order_id).where(OrderLine.contract_id.in_(ids["contracts"]))
        order_ids = s.scalars(order_ids).all()
        s.execute(delete(EventAudience).where(EventAudience.organization_id.in_(ids["orgs"])))
        s.execute(delete(Event).where(Event.subject_type == "purchase_order"))
        s.execute(delete(OrderLine).where(OrderLine.order_id.in_(order_ids)))
        s.execute(delete(PurchaseOrder).where(PurchaseOrder.id.in_(order_ids)))
        s.execute(delete(ContractVolume).where(ContractVolume.contract_id.in_(ids["contracts"])))
        s.execute(delete(IdempotencyKey).where(IdempotencyKey.org_id.in_(ids["orgs"])))
        s.execute(delete(Contract).where(Contract.id.in_(ids["contracts"])))
        for model, column, values in (
            (AwardRun, AwardRun.id, [c.award_run_id for c in contracts]),
            (Bid, Bid.id, [c.bid_id for c in contracts]),
            (Product, Product.id, [c.product_id for c in contracts]),
            (Lot, Lot.id, [c.lot_id for c in contracts]),
            (Tender, Tender.id, [c.tender_id for c in contracts]),
        ):
            s.execute(delete(model).where(column.in_(values)))
        s.execute(delete(AuditEvent).where(AuditEvent.id > last_event))
        s.execute(delete(AuditHead).where(AuditHead.chain.not_in(list(heads) or [""])))
        for chain, (seq, digest) in heads.items():
            s.execute(
                update(AuditHead).where(AuditHead.chain == chain).values(seq=seq, hash=digest)
            )
        for model, column, values in (
            (User, User.id, ids["users"]),
            (Organization, Organization.id, ids["orgs"]),
        ):
            s.execute(delete(model).where(column.in_(values)))
        s.commit()
        assert verify_chain(s).ok


def mismatches(factory, contract_ids) -> dict[int, tuple[int, int]]:
    """{contract: (ordered counter, sum of live order lines)} where they differ."""
    live = (OrderStatus.CANCELLED, OrderStatus.REJECTED)
    with factory() as s:
        sums = dict(
            s.execute(
                select(OrderLine.contract_id, func.sum(OrderLine.quantity))
                .join(PurchaseOrder, PurchaseOrder.id == OrderLine.order_id)
                .where(OrderLine.contract_id.in_(contract_ids), PurchaseOrder.status.notin_(live))
                .group_by(OrderLine.contract_id)
            ).all()
        )
        counters = dict(
            s.execute(
                select(ContractVolume.contract_id, ContractVolume.ordered).where(
                    ContractVolume.contract_id.in_(contract_ids)
                )
            ).all()
        )
    return {
        cid: (counters.get(cid, 0), int(sums.get(cid, 0)))
        for cid in contract_ids
        if counters.get(cid, 0) != int(sums.get(cid, 0))
    }


def _load(engine):
    # 32 clients on PostgreSQL; SQLite serialises writers (BEGIN IMMEDIATE), so a smaller run.
    return (32, 5) if _postgres(engine) else (8, 3)


def test_concurrent_orders_keep_ordered_equal_to_the_order_lines(engine, world):
    factory, ids = world
    clients, per_client = _load(engine)
    contracts = ids["contracts"]
    barrier = threading.Barrier(clients)

    def client(n: int) -> list[int]:
        barrier.wait()
        placed, m = [], n % (clients // 2)
        for k in range(per_client):
            # clients n and n + clients/2 send the same requests with the same keys
            cid, key = contracts[(m + k) % len(contracts)], f"k-{m}-{k}"
            with factory() as session:
                result = orders.place_order(
                    session,
                    request=orders.OrderRequest(
                        lines=[
                            orders.LineRequest(packs=1 + (m + k) % 3, contract_id=cid),
                            orders.LineRequest(packs=2, contract_id=cid),
                        ]
                    ),
                    idempotency_key=key,
                    now=START,
                    actor=ids["actors"][cid],
                )
                placed.append(result.order_id)
        return placed

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    order_ids = {oid for batch in results for oid in batch}
    assert mismatches(factory, contracts) == {}
    with factory() as s:
        orders_made = s.scalar(
            select(func.count()).select_from(PurchaseOrder).where(PurchaseOrder.id.in_(order_ids))
        )
        volumes = s.scalars(select(ContractVolume).where(ContractVolume.contract_id.in_(contracts)))
        volumes = list(volumes)
    # every key appears twice among the clients but made exactly one order
    assert len(order_ids) == orders_made == clients // 2 * per_client
    assert sum(v.ordered for v in volumes) > 0
    for v in volumes:  # within/beyond split stays consistent with the agreed volume
        assert v.ordered - v.beyond_agreed == min(v.ordered, v.agreed)


def _unlocked_order(factory, cid: int, quantity: int, actor, barrier) -> None:
    """The deliberately broken path: read the counter without a lock in one transaction, write
    ``read + quantity`` in another (what a check-then-write does without FOR UPDATE)."""
    with factory() as s:
        seen = s.scalar(select(ContractVolume.ordered).where(ContractVolume.contract_id == cid))
        s.commit()
    barrier.wait()
    with factory() as s:
        result = orders.place_order(
            s,
            request=orders.OrderRequest(lines=[orders.LineRequest(packs=1, contract_id=cid)]),
            now=START,
            actor=actor,
        )
        s.execute(
            update(ContractVolume)
            .where(ContractVolume.contract_id == cid)
            .values(ordered=seen + quantity)
        )
        s.commit()
        assert result.order_id


def test_the_check_catches_lost_updates_of_an_unlocked_read_modify_write(engine, world):
    factory, ids = world
    clients = 32 if _postgres(engine) else 8
    cid = ids["contracts"][0]
    orders.place_order(  # creates the volume row
        factory(),
        request=orders.OrderRequest(lines=[orders.LineRequest(packs=1, contract_id=cid)]),
        now=START,
        actor=ids["actors"][cid],
    )
    barrier = threading.Barrier(clients)
    with ThreadPoolExecutor(clients) as pool:
        list(
            pool.map(
                lambda _: _unlocked_order(factory, cid, 28, ids["actors"][cid], barrier),
                range(clients),
            )
        )
    found = mismatches(factory, [cid])
    assert cid in found
    counter, lines = found[cid]
    assert counter < lines  # updates were lost
