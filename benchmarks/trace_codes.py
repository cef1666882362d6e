"""Traceability codes on PostgreSQL: ingest one shipment file of 1,000,000 codes beside a raw
COPY of the same rows, then a package's history and the uniqueness check at 10,000,000 stored
codes.

Usage: ``python benchmarks/trace_codes.py [--codes 1000000] [--stored 2000000]
[--lookups 2000]``

The default stores 2,000,000 codes: on the shared 2-core machine COPYing 10,000,000 (packages
and events) takes far longer than the 3-minute default run; ``--stored 10000000`` gives the
10M figure (docs/trace_codes_scale.md has both).

Uses ``TEST_DATABASE_URL`` or ``BENCH_DATABASE_URL`` (a PostgreSQL database: its schema is
wiped and migrated) or starts a throwaway cluster (``compliance_progress.Cluster``: initdb on a
loopback port, fsync off). Steps:

1. a world through the services: a contract, an order of ``--codes`` packs (pack size 1),
   confirmed and shipped in one line; the product's 码上放心 prefix registered;
2. **ingest**: ``read_codes`` of the text file, then ``attach_codes`` (parse and check each
   code, COPY into a temporary table, the set-based already-shipped check, INSERT ... SELECT
   into ``trace_packages`` and the month's ``trace_events`` partition, commit), timed whole;
3. **raw COPY**: the same package rows COPYed into a plain table without indexes, timed;
4. **stored**: packages and their events COPYed (text blocks through ``cursor.copy``) until
   ``--stored`` codes are stored, the events spread over the 36 monthly partitions; ANALYZE;
5. **lookups**: ``--lookups`` random stored codes: ``package_history`` (the service, through
   the ORM: the package row, then its events pruned to the partitions from its first event)
   and the uniqueness probe (the staged-code join the ingest runs, for one code); p50/p99.

Prints sizes (table, primary key, events and their indexes; bytes per code) for
docs/trace_codes_scale.md. The machine is shared: the load average is printed with the
figures. The last line is the headline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PREFIX = "8123456"
MONTHS = 36  # the partitions the migration creates: 2025-01 .. 2027-12
CHUNK = 200_000  # rows per COPY block


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def code(i: int) -> str:
    return f"{PREFIX}{i:013d}"


def setup(url: str, packs: int):
    """A migrated, empty database and one shipped line of ``packs`` packs; returns
    (engine, session factory, shipment line id, manufacturer actor, regulator actor)."""
    from sqlalchemy import text

    import procurement.models  # noqa: F401
    from procurement import migrate
    from procurement.auth import services as auth
    from procurement.auth.services import actor_of
    from procurement.db import make_engine, make_session_factory
    from procurement.orders import services as orders
    from procurement.trace import services as trace
    from tests.fixtures.orders import build_contract

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    with factory() as s:
        users = {}
        for kind, region in (
            ("hospital", "310101"),
            ("manufacturer", "320000"),
            ("regulator", "310000"),
        ):
            org = auth.create_org(
                s,
                code=f"B{kind[:3].upper()}",
                name=f"Bench {kind}",
                kind=kind,
                region_code=region,
                now=now,
            )
            users[kind] = auth.create_user(
                s,
                org_code=org.code,
                username=f"bench-{kind}",
                password="bench-pass-2025",
                role="staff",
                now=now,
            )
        contract = build_contract(
            s,
            now,
            hospital_org=users["hospital"].organization,
            manufacturer_org=users["manufacturer"].organization,
            regulator_org=users["regulator"].organization,
            agreed=packs,
            pack_size=1,
        )
        s.commit()
        h, m = actor_of(users["hospital"]), actor_of(users["manufacturer"])
        placed = orders.place_order(
            s,
            request=orders.OrderRequest(
                lines=[orders.LineRequest(packs=packs, contract_id=contract.id)]
            ),
            now=now,
            actor=h,
        )
        orders.confirm_order(s, order_id=placed.order_id, now=now, actor=m)
        today = now.date()
        order = orders.get_order(s, order_id=placed.order_id, now=now, actor=m)
        shipment = orders.create_shipment(
            s,
            order_id=placed.order_id,
            lines=[
                orders.ShipLine(
                    order.lines[0].id,
                    packs,
                    "B1",
                    today - timedelta(days=30),
                    today + timedelta(days=700),
                )
            ],
            now=now,
            actor=m,
        )
        trace.register_formats(
            s,
            product_id=contract.product_id,
            prefix=PREFIX,
            gtin=None,
            pattern=None,
            now=now,
            actor=m,
        )
        return (
            engine,
            factory,
            shipment.lines[0].id,
            m,
            actor_of(users["regulator"]),
            contract.product_id,
        )


def ingest(factory, line_id: int, actor, codes: int) -> tuple[float, float]:
    """(seconds to read and check the file, seconds for the whole ingest)."""
    from procurement.trace import services as trace
    from procurement.trace.files import read_codes

    data = ("\n".join(code(i) for i in range(codes)) + "\n").encode()
    with factory() as s:
        started = time.perf_counter()
        rows = read_codes("shipment.txt", data)
        read = time.perf_counter() - started
        trace.attach_codes(
            s, shipment_line_id=line_id, rows=rows, now=datetime.now(UTC), actor=actor
        )
        return read, time.perf_counter() - started


def _raw(engine):
    """A psycopg connection of its own to the engine's database."""
    import psycopg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(url)


def raw_copy(engine, codes: int, product_id: int, line_id: int) -> float:
    """COPY the same package rows into a plain table without indexes."""
    conn = _raw(engine)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE bench_raw (LIKE trace_packages INCLUDING DEFAULTS)")
        conn.commit()
        started = time.perf_counter()
        _copy_packages(cur, "bench_raw", 0, codes, product_id, line_id, spread=False)
        conn.commit()
        took = time.perf_counter() - started
        cur.execute("DROP TABLE bench_raw")
        conn.commit()
    conn.close()
    return took


def _when(i: int, spread: bool) -> str:
    if not spread:
        return "2026-11-15 08:00:00+00"
    month = i % MONTHS
    return f"{2025 + month // 12}-{month % 12 + 1:02d}-15 08:00:00+00"


def _copy_packages(cur, table, first, last, product_id, line_id, *, spread=True) -> None:
    columns = (
        "code, level, boxes, case_code, product_id, batch_no, expiry_date, state, "
        "holder_org_id, shipment_line_id, first_event_at, last_event_at, updated_at"
    )
    fixed = f"\tbox\t1\t\\N\t{product_id}\tB1\t2028-10-01\tshipped\t1\t{line_id}\t"
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(first, last, CHUNK):
            copy.write(
                "".join(
                    f"{code(i)}{fixed}{w}\t{w}\t{w}\n"
                    for i in range(start, min(last, start + CHUNK))
                    for w in (_when(i, spread),)
                )
            )


def _copy_events(cur, first, last, line_id) -> None:
    with cur.copy(
        "COPY trace_events (code, occurred_at, kind, org_id, shipment_line_id) FROM STDIN"
    ) as copy:
        for start in range(first, last, CHUNK):
            copy.write(
                "".join(
                    f"{code(i)}\t{_when(i, True)}\tshipped\t1\t{line_id}\n"
                    for i in range(start, min(last, start + CHUNK))
                )
            )


def fill(engine, first: int, stored: int, product_id: int, line_id: int) -> float:
    """COPY packages and events until ``stored`` codes are stored; returns seconds."""
    conn = _raw(engine)
    started = time.perf_counter()
    with conn.cursor() as cur:
        _copy_packages(cur, "trace_packages", first, stored, product_id, line_id)
        _copy_events(cur, first, stored, line_id)
        conn.commit()
        cur.execute("ANALYZE trace_packages")
        cur.execute("ANALYZE trace_events")
        conn.commit()
    conn.close()
    return time.perf_counter() - started


def lookups(engine, factory, regulator, stored: int, n: int):
    """Milliseconds per history call and per uniqueness probe for ``n`` random codes."""
    from procurement.trace import services as trace

    rnd = random.Random(7)
    picks = [code(rnd.randrange(stored)) for _ in range(n)]
    history = []
    with factory() as s:
        for c in picks:
            started = time.perf_counter()
            found = trace.package_history(s, code=c, actor=regulator)
            history.append((time.perf_counter() - started) * 1000)
            assert found.events, c
            s.expunge_all()
    conn = _raw(engine)
    probe, raw = [], []
    with conn.cursor() as cur:
        for c in picks:
            started = time.perf_counter()
            cur.execute("SELECT EXISTS (SELECT 1 FROM trace_packages WHERE code = %s)", (c,))
            assert cur.fetchone()[0]
            probe.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            cur.execute(RAW_PACKAGE, (c,))
            first, last = cur.fetchone()
            cur.execute(RAW_EVENTS, (c, first, last))
            assert cur.fetchall()
            raw.append((time.perf_counter() - started) * 1000)
    conn.close()
    return history, probe, raw


# The history's two reads without the ORM: the package's first and last event, then its events
# between them (the partitions of those months only: pruning at execution time).
RAW_PACKAGE = "SELECT first_event_at, last_event_at FROM trace_packages WHERE code = %s"
RAW_EVENTS = "SELECT * FROM trace_events WHERE code = %s AND occurred_at BETWEEN %s AND %s"


def sizes(engine) -> dict[str, int]:
    conn = _raw(engine)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_relation_size('trace_packages'), pg_relation_size('pk_trace_packages'), "
            "pg_total_relation_size('trace_packages'), "
            "(SELECT sum(pg_relation_size(inhrelid)) FROM pg_inherits "
            " WHERE inhparent = 'trace_events'::regclass), "
            "(SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
            " WHERE inhparent = 'trace_events'::regclass), "
            "(SELECT count(*) FROM pg_inherits WHERE inhparent = 'trace_events'::regclass)"
        )
        row = cur.fetchone()
    conn.close()
    keys = (
        "packages_heap",
        "packages_pk",
        "packages_total",
        "events_heap",
        "events_total",
        "partitions",
    )
    return dict(zip(keys, (int(v) for v in row), strict=True))


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=1_000_000)
    parser.add_argument("--stored", type=int, default=2_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL", "")
    cluster = None
    if not url.startswith("postgresql"):
        from compliance_progress import Cluster

        cluster = Cluster()
        url = cluster.start()
    try:
        run(url, args)
    finally:
        if cluster:
            cluster.stop()


def run(url: str, args) -> None:
    began = time.perf_counter()
    print(f"load average before: {load_average()} (2 cores shared with other work)")
    engine, factory, line_id, maker, regulator, product_id = setup(url, args.codes)
    read, took = ingest(factory, line_id, maker, args.codes)
    print(
        f"ingest {args.codes:,} codes: {took:.2f} s (reading and checking the file {read:.2f} s; "
        f"{args.codes / took:,.0f} codes/s)"
    )
    copy = raw_copy(engine, args.codes, product_id, line_id)
    print(
        f"raw COPY of the same {args.codes:,} rows (no index): {copy:.2f} s; "
        f"ingest / COPY = {took / copy:.1f}x"
    )
    filled = fill(engine, args.codes, args.stored, product_id, line_id)
    print(
        f"stored {args.stored:,} codes (COPY of {args.stored - args.codes:,} packages and events, "
        f"ANALYZE): {filled:.1f} s"
    )
    size = sizes(engine)
    per_code = size["packages_total"] / args.stored
    per_event = size["events_total"] / args.stored
    print(
        f"trace_packages: heap {size['packages_heap'] / 2**20:,.0f} MiB, primary key "
        f"{size['packages_pk'] / 2**20:,.0f} MiB, with all indexes "
        f"{size['packages_total'] / 2**20:,.0f} MiB = {per_code:.0f} bytes a code"
    )
    print(
        f"trace_events: {size['partitions']} partitions, heap {size['events_heap'] / 2**20:,.0f} "
        f"MiB, with indexes {size['events_total'] / 2**20:,.0f} MiB = {per_event:.0f} bytes "
        "an event"
    )
    history, probe, raw = lookups(engine, factory, regulator, args.stored, args.lookups)
    print(
        f"history (service, ORM) over {args.lookups} random codes: p50 {pct(history, 50):.2f} ms, "
        f"p99 {pct(history, 99):.2f} ms"
    )
    print(
        f"history (two SQL statements, no ORM): p50 {pct(raw, 50):.2f} ms, "
        f"p99 {pct(raw, 99):.2f} ms"
    )
    print(
        f"uniqueness probe (primary key): p50 {pct(probe, 50):.3f} ms, p99 {pct(probe, 99):.3f} ms"
    )
    print(f"load average after: {load_average()}; whole run {time.perf_counter() - began:.0f} s")
    engine.dispose()
    print(
        f"HEADLINE: ingest {args.codes:,} codes {took:.1f} s = {took / copy:.1f}x raw COPY "
        f"(goal <10x, <15 s); at {args.stored:,} stored codes history p99 "
        f"{pct(history, 99):.2f} ms, uniqueness p99 {pct(probe, 99):.3f} ms (goal <5 ms)"
    )


if __name__ == "__main__":
    main()
