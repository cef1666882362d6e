"""Traceability codes on PostgreSQL: ingest one shipment file of 1,000,000 codes beside a raw
COPY of the same rows, then a package's history and the uniqueness check at 10,000,000 stored
codes.

Usage: ``python benchmarks/trace_codes.py [--codes 1000000] [--stored 10000000]
[--lookups 2000] [--fill sql|copy]``

Uses ``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL`` (a PostgreSQL database: its schema is
wiped and migrated) or starts a throwaway cluster (``compliance_progress.Cluster``: initdb on a
loopback port, fsync off). Steps:

1. a world through the services: a contract, an order of ``--codes`` packs (pack size 1),
   confirmed and shipped in one line; the product's 码上放心 prefix registered;
2. **stored**: ``--stored`` minus ``--codes`` packages and their shipped events written
   beforehand, the events spread over the 36 monthly partitions, then ANALYZE. By default
   (``--fill sql``) this is the fast bulk path, not the ingest: one ``INSERT ... SELECT`` from
   ``generate_series`` per table (packages and events side by side on two connections) into
   the empty tables with their primary keys and indexes dropped, then rebuilt from the
   catalog's own definitions (as a bulk load does), so that 10,000,000 stored codes fit in
   the 3-minute run; ``--fill copy`` COPYs them from the client into the indexed tables
   instead (several minutes more);
3. **ingest** (timed whole) into that table: ``read_codes`` of the text file, then
   ``attach_codes`` (check every code, COPY packages and events, commit); the client's and the
   server backend's CPU seconds are printed too, a figure the machine's load does not inflate;
4. **raw COPY**: the same package rows, formatted beforehand, COPYed into a plain table
   without indexes; only the COPY is timed;
5. **lookups**: ``--lookups`` random stored codes: ``package_history`` (the service, through
   the ORM: the package with its product, then its events with their organizations), the same
   two reads as plain SQL, and the uniqueness probe (the primary key); p50/p99.

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
import threading
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
    """A migrated, empty database and one shipped line of ``packs`` packs; returns (engine,
    session factory, (its line's id, the background rows' line id), manufacturer actor,
    regulator actor, product id)."""
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
            agreed=packs + 1,
            pack_size=1,
        )
        s.commit()
        h, m = actor_of(users["hospital"]), actor_of(users["manufacturer"])
        placed = orders.place_order(
            s,
            request=orders.OrderRequest(
                lines=[orders.LineRequest(packs=packs + 1, contract_id=contract.id)]
            ),
            now=now,
            actor=h,
        )
        orders.confirm_order(s, order_id=placed.order_id, now=now, actor=m)
        today = now.date()
        order = orders.get_order(s, order_id=placed.order_id, now=now, actor=m)
        # Two shipments: the file's line of ``packs`` packs, and one pack whose line the
        # background rows name (a line that already has codes takes no file).
        shipment, background = (
            orders.create_shipment(
                s,
                order_id=placed.order_id,
                lines=[
                    orders.ShipLine(
                        order.lines[0].id,
                        n,
                        "B1",
                        today - timedelta(days=30),
                        today + timedelta(days=700),
                    )
                ],
                now=now,
                actor=m,
            )
            for n in (packs, 1)
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
            (shipment.lines[0].id, background.lines[0].id),
            m,
            actor_of(users["regulator"]),
            contract.product_id,
        )


def ingest(factory, line_id: int, actor, codes: int) -> tuple[float, float, float, float | None]:
    """(seconds to read and check the file, seconds for the whole ingest, the client's CPU
    seconds, the server backend's CPU seconds or None when the server is not on this host)."""
    from procurement.trace import services as trace
    from procurement.trace.files import read_codes

    data = ("\n".join(code(i) for i in range(codes)) + "\n").encode()
    with factory() as s:
        backend = s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        s.commit()
        server = backend_cpu(backend)
        client = time.process_time()
        started = time.perf_counter()
        rows = read_codes("shipment.txt", data)
        read = time.perf_counter() - started
        trace.attach_codes(
            s, shipment_line_id=line_id, rows=rows, now=datetime.now(UTC), actor=actor
        )
        took = time.perf_counter() - started
        client = time.process_time() - client
        after = backend_cpu(backend)
        return read, took, client, (after - server if after is not None else None)


def backend_cpu(pid: int) -> float | None:
    """CPU seconds (user and system) of a PostgreSQL backend on this host, or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _raw(engine):
    """A psycopg connection of its own to the engine's database."""
    import psycopg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(url)


def raw_copy(engine, codes: int, product_id: int, line_id: int) -> tuple[float, float | None]:
    """COPY the same package rows into a plain table without indexes (formatted beforehand:
    only the COPY is timed); (seconds, the server backend's CPU seconds or None)."""
    conn = _raw(engine)
    blocks = list(_package_blocks(0, codes, product_id, line_id, spread=False))
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE bench_raw (LIKE trace_packages INCLUDING DEFAULTS)")
        conn.commit()
        backend = conn.info.backend_pid
        server = backend_cpu(backend)
        started = time.perf_counter()
        with cur.copy(f"COPY bench_raw ({PACKAGE_COLUMNS}) FROM STDIN") as copy:
            for block in blocks:
                copy.write(block)
        conn.commit()
        took = time.perf_counter() - started
        after = backend_cpu(backend)
        cur.execute("DROP TABLE bench_raw")
        conn.commit()
    conn.close()
    return took, (after - server if after is not None and server is not None else None)


def _when(i: int, spread: bool) -> str:
    if not spread:
        return "2026-11-15 08:00:00+00"
    month = i % MONTHS
    return f"{2025 + month // 12}-{month % 12 + 1:02d}-15 08:00:00+00"


PACKAGE_COLUMNS = (
    "code, level, boxes, case_code, product_id, batch_no, expiry_date, state, "
    "holder_org_id, shipment_line_id, first_event_at, last_event_at, updated_at"
)
EVENT_COLUMNS = "code, occurred_at, kind, org_id, shipment_line_id"


def _package_blocks(first, last, product_id, line_id, *, spread=True):
    fixed = f"\tbox\t1\t\\N\t{product_id}\tB1\t2028-10-01\tshipped\t1\t{line_id}\t"
    for start in range(first, last, CHUNK):
        yield "".join(
            f"{code(i)}{fixed}{w}\t{w}\t{w}\n"
            for i in range(start, min(last, start + CHUNK))
            for w in (_when(i, spread),)
        )


def _event_blocks(first, last, line_id):
    for start in range(first, last, CHUNK):
        yield "".join(
            f"{code(i)}\t{_when(i, True)}\tshipped\t1\t{line_id}\n"
            for i in range(start, min(last, start + CHUNK))
        )


# The background rows written in SQL: code i, its events' month i mod 36 (2025-01 .. 2027-12).
WHEN_SQL = "timestamptz '2025-01-15 08:00:00+00' + make_interval(months => mod(g, 36)::int)"
FILL_SQL = {
    "packages": (
        f"INSERT INTO trace_packages ({PACKAGE_COLUMNS}) "
        f"SELECT '{PREFIX}' || lpad(g::text, 13, '0'), 'box', 1, NULL, %(product)s, 'B1', "
        f"date '2028-10-01', 'shipped', 1, %(line)s, w, w, w "
        f"FROM generate_series(%(first)s, %(last)s - 1) g, LATERAL (SELECT {WHEN_SQL}) m(w)"
    ),
    "events": (
        f"INSERT INTO trace_events ({EVENT_COLUMNS}) "
        f"SELECT '{PREFIX}' || lpad(g::text, 13, '0'), {WHEN_SQL}, 'shipped', 1, %(line)s "
        f"FROM generate_series(%(first)s, %(last)s - 1) g"
    ),
}


def fill(engine, first: int, last: int, product_id: int, line_id: int, how: str) -> float:
    """Store the packages ``first`` .. ``last`` - 1 and their events, packages and events side by
    side on two connections (in SQL or COPYed from here); ANALYZE; returns seconds."""
    params = {"product": product_id, "line": line_id, "first": first, "last": last}

    def write(table: str) -> None:
        conn = _raw(engine)
        with conn.cursor() as cur:
            if how == "sql":
                rebuild = _drop_indexes(cur, f"trace_{table}")
                cur.execute(FILL_SQL[table], params)
                for statement in rebuild:
                    cur.execute(statement)
            else:
                blocks, columns = (
                    (_package_blocks(first, last, product_id, line_id), PACKAGE_COLUMNS)
                    if table == "packages"
                    else (_event_blocks(first, last, line_id), EVENT_COLUMNS)
                )
                with cur.copy(f"COPY trace_{table} ({columns}) FROM STDIN") as copy:
                    for block in blocks:
                        copy.write(block)
            conn.commit()
            cur.execute(f"ANALYZE trace_{table}")
            conn.commit()
        conn.close()

    failed: list[BaseException] = []

    def guarded(table: str) -> None:
        try:
            write(table)
        except BaseException as error:  # re-raised below, in the main thread
            failed.append(error)

    started = time.perf_counter()
    writers = [threading.Thread(target=guarded, args=(table,)) for table in ("packages", "events")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    if failed:
        raise failed[0]
    return time.perf_counter() - started


def _drop_indexes(cur, table: str) -> list[str]:
    """Drop ``table``'s primary key and indexes (an empty table: before a bulk load); returns
    the statements that rebuild them exactly as the migrations made them."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'p'",
        (table,),
    )
    (key, key_def), *_ = cur.fetchall()
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
        "tablename = %s AND indexname <> %s",
        (table, key),
    )
    indexes = cur.fetchall()
    cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {key}")
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return [f"ALTER TABLE {table} ADD CONSTRAINT {key} {key_def}"] + [d for _, d in indexes]


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
    parser.add_argument("--stored", type=int, default=10_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--fill", choices=("sql", "copy"), default="sql")
    args = parser.parse_args()
    args.stored = max(args.stored, args.codes)
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL", "")
    from compliance_progress import database_or_cluster

    with database_or_cluster(url if url.startswith("postgresql") else None) as database:
        run(database, args)


def run(url: str, args) -> None:
    began = time.perf_counter()
    print(f"load average before: {load_average()} (2 cores shared with other work)")
    engine, factory, (line_id, other_line), maker, regulator, product_id = setup(url, args.codes)
    background = args.stored - args.codes
    filled = fill(engine, args.codes, args.stored, product_id, other_line, args.fill)
    how = (
        "in SQL (INSERT ... SELECT FROM generate_series, keys and indexes rebuilt after: the "
        "fast bulk path for the background rows, not the ingest)"
        if args.fill == "sql"
        else "COPYed from the client"
    )
    print(f"stored {background:,} background codes and their events {how}; ANALYZE: {filled:.1f} s")
    read, took, client, server = ingest(factory, line_id, maker, args.codes)
    cpu = f"client CPU {client:.2f} s, server backend CPU " + (
        f"{server:.2f} s" if server is not None else "n/a (server on another host)"
    )
    print(
        f"ingest {args.codes:,} codes into {background:,} stored: {took:.2f} s (reading and "
        f"checking the file {read:.2f} s; {args.codes / took:,.0f} codes/s; {cpu})"
    )
    copy, copy_cpu = raw_copy(engine, args.codes, product_id, line_id)
    print(
        f"raw COPY of the same {args.codes:,} rows (formatted beforehand, no index): "
        f"{copy:.2f} s; ingest / COPY = {took / copy:.1f}x"
    )
    if server is not None and copy_cpu:
        print(
            f"CPU (what the load does not inflate): ingest {client + server:.2f} s (client "
            f"{client:.2f} + server {server:.2f}), raw COPY server {copy_cpu:.2f} s: "
            f"{(client + server) / copy_cpu:.1f}x"
        )
    size = sizes(engine)
    per_code = size["packages_total"] / args.stored
    per_event = size["events_total"] / args.stored
    print(
        f"trace_packages ({args.stored:,} codes): heap {size['packages_heap'] / 2**20:,.0f} MiB, "
        f"primary key {size['packages_pk'] / 2**20:,.0f} MiB, with all indexes "
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
    fast = " (background rows by the SQL bulk path)" if args.fill == "sql" else ""
    print(
        f"HEADLINE: ingest {args.codes:,} codes {took:.1f} s = {took / copy:.1f}x raw COPY "
        f"(goal <10x, <15 s); at {args.stored:,} stored codes{fast} history p99 "
        f"{pct(history, 99):.2f} ms (service) / {pct(raw, 99):.2f} ms (SQL), uniqueness p99 "
        f"{pct(probe, 99):.3f} ms (goal <5 ms)"
    )


if __name__ == "__main__":
    main()
