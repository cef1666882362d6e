"""Batches paid side by side (PostgreSQL, two connections) pay exactly what one connection
pays: the same payments, counters and account balances, and a run failing after one batch and
started again completes without paying anything twice.

Each database is a fresh one on the TEST_DATABASE_URL server, built through the services and
committed (the test's own rolled-back connection is invisible to the batch connections)."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, make_url, select, text
from sqlalchemy.orm import Session

import procurement.models  # noqa: F401  (fills Base.metadata)
from procurement.auth import services as auth
from procurement.auth.services import actor_of
from procurement.db import Base, make_engine
from procurement.orders import services as orders
from procurement.settlement import services as settlement
from procurement.settlement.models import Account, LedgerPosting, Payment, SettlementRun
from tests.fixtures.orders import build_contract

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
    ),
]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@contextmanager
def fresh_database():
    name = f"procurement_side_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    try:
        Base.metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _receive(session, contract, hospital, maker, packs):
    placed = orders.place_order(
        session,
        request=orders.OrderRequest(lines=[orders.LineRequest(packs=packs, contract_id=contract)]),
        now=T0,
        actor=hospital,
    )
    orders.confirm_order(session, order_id=placed.order_id, now=T0, actor=maker)
    line = orders.get_order(session, order_id=placed.order_id, now=T0, actor=maker).lines[0]
    made = (T0 - timedelta(days=30)).date()
    shipment = orders.create_shipment(
        session,
        order_id=placed.order_id,
        now=T0,
        actor=maker,
        lines=[orders.ShipLine(line.id, line.quantity, "K1", made, made + timedelta(days=700))],
    )
    orders.record_receipt(
        session,
        shipment_id=shipment.id,
        now=T0,
        actor=hospital,
        lines=[orders.ReceiveLine(shipment.lines[0].id, line.quantity, 0, None)],
    )


def build(engine):
    """Fund FUNDS; hospitals with an advance smaller than what they are charged, each buying
    from four manufacturers (so every batch charges every hospital's advance)."""
    with Session(engine, expire_on_commit=False) as session:

        def org(kind, code, region):
            auth.create_org(session, code=code, name=code, kind=kind, region_code=region, now=T0)
            return auth.create_user(
                session, org_code=code, username=code.lower(), password="x" * 12, now=T0
            )

        regulator = org("regulator", "REGS", "310000")
        fund = actor_of(org("fund", "FUNDS", "310000"))
        hospitals = [org("hospital", f"HOSS{i}", "310101") for i in range(2)]
        makers = [org("manufacturer", f"MANS{j}", "320000") for j in range(4)]
        tender_id = None
        for i, h in enumerate(hospitals):
            for j, m in enumerate(makers):
                contract = build_contract(
                    session,
                    T0,
                    hospital_org=h.organization,
                    manufacturer_org=m.organization,
                    regulator_org=regulator.organization,
                    agreed=400,
                    pack_size=1,
                    unit_price=f"{1 + i + j}.2345",
                )
                tender_id = tender_id or contract.tender_id
                _receive(session, contract.id, actor_of(h), actor_of(m), 90 + 7 * i + 3 * j)
        settlement.run_advances(session, tender_id=tender_id, contract_year=1, now=T0, actor=fund)
    return fund


def outcome(engine, fund):
    """Run counters, payments and every account's balance (which transaction of a run charged
    a hospital's advance may differ side by side; the balances may not), and whether the
    reconciliation report is clean."""
    with Session(engine) as session:
        run = session.scalars(select(SettlementRun)).one()
        payments = sorted(
            (p.manufacturer_id, p.amount, p.payables_count)
            for p in session.scalars(select(Payment))
        )
        balances = sorted(
            session.execute(
                select(Account.key, func.sum(LedgerPosting.amount))
                .join(LedgerPosting, LedgerPosting.account_id == Account.id)
                .group_by(Account.key)
            ).all()
        )
        report = settlement.reconcile(session, actor=fund)
        state = (run.status, run.batches_done, run.payables_count, run.total_amount)
    return state, payments, (balances, report.ok)


def run(engine, fund, *, workers, after_batch=None):
    with Session(engine, expire_on_commit=False) as session:
        return settlement.start_run(
            session,
            cut_off=T0.date(),
            idempotency_key="side",
            now=T0 + timedelta(hours=1),
            actor=fund,
            batch_size=1,
            workers=workers,
            after_batch=after_batch,
        )


def test_batches_paid_side_by_side_pay_what_one_connection_pays():
    with fresh_database() as one, fresh_database() as two:
        fund_one, fund_two = build(one), build(two)
        run(one, fund_one, workers=1)
        done = run(two, fund_two, workers=2)
        assert done.batches_done == 4
        first, second = outcome(one, fund_one), outcome(two, fund_two)
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert first[2] == second[2]
    assert second[2][1] is True
    assert sum((amount for _, amount, _ in second[1]), Decimal("0")) == second[0][3]


def test_a_side_by_side_run_failing_after_a_batch_completes_on_restart_paying_nothing_twice():
    class Crash(Exception):
        pass

    def crash(batch_no):
        raise Crash(batch_no)

    with fresh_database() as whole, fresh_database() as broken:
        fund_whole, fund_broken = build(whole), build(broken)
        run(whole, fund_whole, workers=2)
        with pytest.raises(Crash):
            run(broken, fund_broken, workers=2, after_batch=crash)
        resumed = run(broken, fund_broken, workers=2)
        assert resumed.status == "completed"
        assert outcome(broken, fund_broken) == outcome(whole, fund_whole)
