"""A real crash: ``procurement settlement run`` in a child process, killed with SIGKILL after its
first committed batch, then started again with the same Idempotency-Key. The final ledger must
equal the one of an uninterrupted run over an identical database.

The test watches the database for the first committed batch. The child cannot run ahead of it:
its standard output is a pipe that is already full, so the line it prints after committing
batch 1 ("batch 1 done") blocks it before batch 2 begins, as a stalled log reader would.

Both databases are SQLite files built here through the services (the test's own rolled-back
connection is invisible to another process)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import procurement.models  # noqa: F401  (fills Base.metadata)
from procurement.auth import services as auth
from procurement.auth.services import actor_of
from procurement.core.clock import business_date
from procurement.db import Base, make_engine
from procurement.orders import services as orders
from procurement.settlement.models import Payment, RunStatus, SettlementRun
from tests.fixtures.orders import build_contract
from tests.fixtures.settlement import ledger_rows

T0 = (datetime.now(UTC) - timedelta(days=5)).replace(microsecond=0)
PASSWORD = "crash test password"


def _receive(session, contract, hospital, maker, packs, now):
    placed = orders.place_order(
        session,
        request=orders.OrderRequest(lines=[orders.LineRequest(packs=packs, contract_id=contract)]),
        now=now,
        actor=hospital,
    )
    orders.confirm_order(session, order_id=placed.order_id, now=now, actor=maker)
    order = orders.get_order(session, order_id=placed.order_id, now=now, actor=maker)
    line = order.lines[0]
    made = (now - timedelta(days=30)).date()
    shipment = orders.create_shipment(
        session,
        order_id=order.id,
        now=now,
        actor=maker,
        lines=[orders.ShipLine(line.id, line.quantity, "K1", made, made + timedelta(days=700))],
    )
    orders.record_receipt(
        session,
        shipment_id=shipment.id,
        now=now,
        actor=hospital,
        lines=[orders.ReceiveLine(shipment.lines[0].id, line.quantity, 0, None)],
    )


def build_database(path) -> None:
    """Fund office FUNDX, two hospitals x three manufacturers, one accepted receipt each."""
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:

        def user(kind, code, region):
            auth.create_org(session, code=code, name=code, kind=kind, region_code=region, now=T0)
            made = auth.create_user(
                session,
                org_code=code,
                username=code.lower(),
                password=PASSWORD,
                role="staff",
                now=T0,
            )
            return made

        regulator = user("regulator", "REGX", "310000")
        user("fund", "FUNDX", "310000")
        hospitals = [user("hospital", f"HOSX{i}", "310101") for i in range(2)]
        makers = [user("manufacturer", f"MANX{j}", "320000") for j in range(3)]
        for i, h in enumerate(hospitals):
            for j, m in enumerate(makers):
                contract = build_contract(
                    session,
                    T0,
                    hospital_org=h.organization,
                    manufacturer_org=m.organization,
                    regulator_org=regulator.organization,
                    agreed=10_000,
                    pack_size=1,
                    unit_price=f"{1 + i + j}.2345",
                )
                _receive(session, contract.id, actor_of(h), actor_of(m), 100 + 37 * i + 11 * j, T0)
    engine.dispose()


def _command(path):
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{path}",
        PROCUREMENT_ENV="development",
        PROCUREMENT_AUTO_MIGRATE="false",
    )
    args = [
        sys.executable,
        "-c",
        "from procurement.cli import main; main()",
        "settlement",
        "run",
        "--cut-off",
        business_date(T0).isoformat(),
        "--fund",
        "FUNDX",
        "--key",
        "month-end",
        "--batch-size",
        "1",
    ]
    return args, env


def _full_pipe() -> tuple[int, int]:
    """A pipe whose buffer is full: the next write to it blocks until someone reads."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    for size in (4096, 1):
        try:
            while True:
                os.write(write_end, b"x" * size)
        except BlockingIOError:
            pass
    os.set_blocking(write_end, True)
    return read_end, write_end


def _batches_done(path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        row = conn.execute("SELECT batches_done FROM settlement_runs").fetchone()
    return 0 if row is None else row[0]


def _wait_for_first_batch(path, child, timeout: float = 120.0) -> int:
    """Poll the database until a batch is committed (or the child ends, or time runs out)."""
    deadline = time.monotonic() + timeout
    while (done := _batches_done(path)) == 0 and child.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return done


def _ledger(path):
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        run = session.scalars(select(SettlementRun)).one()
        state = (run.status, run.batches_done, run.payables_count, run.total_amount)
        payments = sorted(
            (p.manufacturer_id, p.amount, p.payables_count)
            for p in session.scalars(select(Payment))
        )
        rows = ledger_rows(session)
    engine.dispose()
    return state, payments, rows


def test_a_run_killed_with_sigkill_and_rerun_ends_with_the_uninterrupted_ledger(tmp_path):
    whole, killed = tmp_path / "whole.db", tmp_path / "killed.db"
    build_database(whole)
    build_database(killed)
    args, env = _command(whole)
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert "completed: 6 payables" in done.stdout

    args, env = _command(killed)
    read_end, write_end = _full_pipe()
    try:
        with subprocess.Popen(args, env=env, stdout=write_end, stderr=subprocess.DEVNULL) as child:
            os.close(write_end)
            try:
                assert _wait_for_first_batch(killed, child) == 1
                time.sleep(1)  # held there: its report of batch 1 cannot be written
                assert (_batches_done(killed), child.poll()) == (1, None)
            finally:
                child.send_signal(signal.SIGKILL)
                child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        os.close(read_end)
    state, payments, _ = _ledger(killed)
    assert (state[0], state[1], len(payments)) == (RunStatus.RUNNING, 1, 1)

    args, env = _command(killed)
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("done") == 2  # batches 2 and 3 only: batch 1 is not repeated
    assert _ledger(killed) == _ledger(whole)
