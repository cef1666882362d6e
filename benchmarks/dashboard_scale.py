"""Benchmark: the regulator's dashboard page and API with 200,000 buyer organizations (issue 19).

Builds a database with ``--buyers`` buyer organizations (200,000; hospitals today, the kind
every buyer is counted as by the dashboard), one tender in force with ``--lots`` lots, a
contract per buyer and lot (one winner per lot and province, 300 manufacturers), and six months
of orders (one purchase order per buyer and month, an order line, receipt line and payable for
half of the buyer's contracts each month, paid 10, 20 or 35 days after acceptance), contract
volume counters and off-platform reports for one buyer in twenty. The rows are made by the
database itself: ``INSERT ... SELECT`` over a numbers table and small per-lot and per-month
tables (foreign keys off while loading: the receipt, shipment and award headers stay empty, no
dashboard query reads them). Then ANALYZE.

Timed through the real Flask app (its test client, logged in as a regulator viewer through the
login form; no HTTP server, so the figures are the app's and the database's): the first view
of ``/regulator/compliance``, timed apart (it folds the dashboard rollup when no valid one
exists, as the daily ``procurement compliance check`` does; the line says whether it did),
then ``--repeat`` warm views of the page and ``--api-repeat`` calls of the progress API
(``/api/v1/compliance/progress`` by region and by lot, JSON: the same figures computed from
scratch, not from the rollup), p50 and p99 each. The last line is the headline: the page's
steady-state p50 and p99.

Database: ``--database-url``, else ``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL``, else a
throwaway PostgreSQL cluster (``compliance_progress.Cluster``: initdb on a loopback port). **A
kept database is reused when it already holds the world at this scale** (it says so; the
rollup tables, a cache, are made anew when their columns are older than the models);
``--rebuild`` wipes it and loads it anew, ``--skip-load`` reuses it unchecked, ``--refold``
deletes the rollups so the first view folds. SQLite works too (``--database-url
sqlite:///...``).

    python benchmarks/dashboard_scale.py [--buyers 200000] [--lots 3] [--repeat 20]
        [--api-repeat 5] [--database-url URL] [--rebuild | --skip-load] [--refold]

The load (200,000 buyers x 3 lots: 600,000 contracts, 1.2M orders, 1.8M order lines, receipt
lines and payables) builds the secondary indexes after the rows are in. On an idle 2-core
machine the default run from empty took 137 s: the load 67 s, the first view (which folds) 23 s,
the page p50 223 ms, p99 270 ms. On SQLite the load took 29 s and the page p99 907 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import compliance_progress
from sqlalchemy import select, text

from procurement.auth.models import User

START, END = date(2026, 1, 1), date(2026, 12, 31)
AS_OF = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)  # day 182 of 365
T0 = datetime(2025, 12, 1, tzinfo=UTC)
MAKERS = 300
FIRST_BUYER = 2 + MAKERS
MONTHS = 6
PROVINCES = compliance_progress.PROVINCES  # the 31 province-level codes
USERNAME, PASSWORD = "bench-regulator", "bench regulator password"


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


LOADED = (  # the tables the load fills; their secondary indexes are built after it
    "organizations",
    "contracts",
    "purchase_orders",
    "order_lines",
    "receipt_lines",
    "payables",
    "contract_volumes",
    "off_platform_purchases",
)


def build(url: str, buyers: int, lots: int) -> dict[str, int]:
    """The world, made by the database (see the module docstring)."""
    import procurement.models  # noqa: F401
    from procurement.db import Base, make_engine

    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
    Base.metadata.create_all(engine)
    counts: dict[str, int] = {}
    deferred = [i for t in LOADED for i in Base.metadata.tables[t].indexes]
    with engine.connect() as conn:
        if not postgres:  # outside a transaction (SQLite ignores it inside one)
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
            conn.connection.dbapi_connection.execute("PRAGMA journal_mode = OFF")
            conn.connection.dbapi_connection.execute("PRAGMA synchronous = OFF")
            conn.connection.dbapi_connection.execute("PRAGMA cache_size = -262144")
        conn.begin()
        if postgres:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for index in deferred:  # built once the rows are in: far cheaper than row by row
            index.drop(conn)
        _helpers(conn, buyers, lots)
        for table, sql in _statements(lots, buyers, postgres):
            counts[table] = counts.get(table, 0) + conn.execute(text(sql), _params()).rowcount
        for helper in ("bench_n", "bench_lot", "bench_month", "bench_province"):
            conn.execute(text(f"DROP TABLE {helper}"))
        for index in deferred:
            index.create(conn)
        conn.commit()
    with engine.connect() as conn:
        if postgres:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    engine.dispose()
    return counts


def _params() -> dict[str, object]:
    return {"t0": T0, "start": START, "end": END, "as_of": AS_OF}


def _helpers(conn, buyers: int, lots: int) -> None:
    """Numbers 0..buyers-1, the lots' prices, the months' timestamps, the provinces."""
    conn.execute(text("CREATE TABLE bench_n (i INTEGER PRIMARY KEY)"))
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("INSERT INTO bench_n (i) SELECT generate_series(0, :n - 1)"), {"n": buyers}
        )
    else:
        conn.execute(
            text(
                "INSERT INTO bench_n (i) WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL "
                "SELECT i + 1 FROM s WHERE i + 1 < :n) SELECT i FROM s"
            ),
            {"n": buyers},
        )
    conn.execute(text("CREATE TABLE bench_lot (l INTEGER PRIMARY KEY, price NUMERIC(12, 4))"))
    conn.execute(
        text("INSERT INTO bench_lot (l, price) VALUES (:l, :p)"),
        [{"l": lot, "p": f"{0.2 + (lot % 9) * 0.05:.4f}"} for lot in range(lots)],
    )
    conn.execute(text("CREATE TABLE bench_province (k INTEGER PRIMARY KEY, code VARCHAR(6))"))
    conn.execute(
        text("INSERT INTO bench_province (k, code) VALUES (:k, :c)"),
        [{"k": k, "c": code} for k, code in enumerate(PROVINCES)],
    )
    cols = "placed, confirm_due, deliver_due, confirmed, shipped, accepted, due, paid10, paid20"
    stamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    conn.execute(
        text(
            "CREATE TABLE bench_month (m INTEGER PRIMARY KEY, "
            + ", ".join(f"{c} {stamp}" for c in cols.split(", "))
            + f", paid35 {stamp})"
        )
    )
    rows = []
    for m in range(MONTHS):
        placed = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=30 * m + 12, hours=9)
        shipped = placed + timedelta(hours=20)
        accepted = shipped + timedelta(hours=4)
        paid = {d: accepted + timedelta(days=d) for d in (10, 20, 35)}
        rows.append(
            {
                "m": m,
                "placed": placed,
                "confirm_due": placed + timedelta(hours=24),
                "deliver_due": placed + timedelta(hours=48),
                "confirmed": placed + timedelta(hours=3),
                "shipped": shipped,
                "accepted": accepted,
                "due": accepted + timedelta(days=30),
                **{f"paid{d}": (t if t < AS_OF else None) for d, t in paid.items()},
            }
        )
    conn.execute(
        text(
            f"INSERT INTO bench_month (m, {cols}, paid35) VALUES (:m, "
            + ", ".join(f":{c}" for c in cols.split(", "))
            + ", :paid35)"
        ),
        rows,
    )


def _statements(lots: int, buyers: int, postgres: bool) -> list[tuple[str, str]]:
    """The INSERT ... SELECT statements, in order. Contract of buyer i and lot l: id
    i * lots + l + 1; its province i mod 31; its winner 2 + ((l * 31 + province) * 7) mod 300;
    agreed 1,000 + (i * 7919 + l * 104729) mod 20,000. Buyer i orders lot l in month m when
    (i + l + m) is even; the line's id (m * buyers + i) * lots + l + 1; quantity agreed / 6."""
    concat = "||"
    agreed = "(1000 + (n.i * 7919 + b.l * 104729) % 20000)"
    winner = "(2 + ((b.l * 31 + n.i % 31) * 7) % 300)"
    line_id = f"((mo.m * {buyers} + n.i) * {lots} + b.l + 1)"
    contract_id = f"(n.i * {lots} + b.l + 1)"
    qty = f"({agreed} / 6)"
    amount = f"ROUND({qty} * b.price, 2)"
    paid = "CASE n.i % 3 WHEN 0 THEN mo.paid10 WHEN 1 THEN mo.paid20 ELSE mo.paid35 END"
    ordered = "(n.i + b.l + mo.m) % 2 = 0"
    grid = "bench_n n CROSS JOIN bench_lot b CROSS JOIN bench_month mo"
    province = "JOIN bench_province p ON p.k = n.i % 31"
    buyer = f"({FIRST_BUYER} + n.i)"
    return [
        (
            "organizations",
            "INSERT INTO organizations (id, code, name, kind, region_code, created_at) "
            "VALUES (1, 'REG', 'National VBP office', 'REGULATOR', '110000', :t0)",
        ),
        (
            "organizations",
            "INSERT INTO organizations (id, code, name, kind, region_code, created_at) "
            f"SELECT 2 + n.i, 'M' {concat} n.i, 'Maker ' {concat} n.i, 'MANUFACTURER', "
            f"'320000', :t0 FROM bench_n n WHERE n.i < {MAKERS}",
        ),
        (
            "organizations",
            "INSERT INTO organizations (id, code, name, kind, region_code, created_at) "
            f"SELECT {buyer}, 'B' {concat} n.i, 'Buyer ' {concat} n.i, 'HOSPITAL', "
            f"SUBSTR(p.code, 1, 2) {concat} '0101', :t0 FROM bench_n n {province}",
        ),
        (
            "tenders",
            "INSERT INTO tenders (id, code, name, category, region_scope, demand_deadline, "
            "bid_deadline, opening_at, contract_start, contract_years, status, rules_preset, "
            "rules_overrides, rules_snapshot, created_by_org_id, created_at, updated_at, "
            "status_changed_at, version) VALUES (1, 'NAT19', 'National batch 19', 'drug', "
            "'[]', :t0, :t0, :t0, :start, 1, 'in_force', 'national-2024', '{}', '{}', 1, :t0, "
            ":t0, :t0, 1)",
        ),
        (
            "lots",
            "INSERT INTO lots (id, tender_id, code, generic_name, dosage_form, dosage_class, "
            "reference_strength, strength_unit, smallest_unit, ceiling_unit_price, "
            "reference_unit_price, currency, quality_requirement, antimicrobial_restricted, "
            f"created_at) SELECT b.l + 1, 1, 'L' {concat} (b.l + 1), 'Generic ' {concat} "
            "(b.l + 1), 'tablet form', 'oral_solid', 5, 'mg', 'tablet', 1.0, 1.5 + b.price, "
            "'CNY', 'consistency_evaluated', FALSE, :t0 FROM bench_lot b",
        ),
        (
            "contracts",
            "INSERT INTO contracts (id, tender_id, lot_id, hospital_id, manufacturer_id, "
            "product_id, bid_id, award_run_id, contract_year, period_start, period_end, "
            "unit_price, currency, agreed_volume, region_code, status, reason, created_at, "
            f"updated_at, activated_at, version) SELECT {contract_id}, 1, b.l + 1, {buyer}, "
            f"{winner}, 1, 1, 1, 1, :start, :end, b.price, 'CNY', {agreed}, p.code, 'active', "
            f"'', :t0, :t0, :t0, 1 FROM bench_n n CROSS JOIN bench_lot b {province}",
        ),
        (
            "purchase_orders",
            "INSERT INTO purchase_orders (id, number, hospital_id, manufacturer_id, "
            "region_code, province_code, status, placed_at, updated_at, confirm_due_at, "
            "deliver_due_at, confirmed_at, first_shipped_at, shipped_at, total_amount, "
            "currency, received_at, version, emergency, region_class, delivery_address) "
            f"SELECT mo.m * {buyers} + n.i + 1, 'PO' {concat} (mo.m * {buyers} + n.i + 1), "
            f"{buyer}, 2, p.code, p.code, 'received', mo.placed, mo.placed, mo.confirm_due, "
            "mo.deliver_due, mo.confirmed, mo.shipped, mo.shipped, 0, 'CNY', mo.accepted, 1, "
            f"FALSE, 'city', '' FROM bench_n n CROSS JOIN bench_month mo {province}",
        ),
        (
            "order_lines",
            "INSERT INTO order_lines (id, order_id, line_no, contract_id, lot_id, product_id, "
            "manufacturer_id, packs, pack_size, quantity, unit_price, amount, currency, "
            "within_agreed_quantity, beyond_agreed_quantity, off_contract, shipped_quantity, "
            f"accepted_quantity, rejected_quantity) SELECT {line_id}, mo.m * {buyers} + n.i + 1, "
            f"b.l + 1, {contract_id}, b.l + 1, 1, {winner}, {qty}, 1, {qty}, b.price, "
            f"{amount}, 'CNY', {qty}, 0, FALSE, {qty}, {qty}, 0 FROM {grid} WHERE {ordered}",
        ),
        (
            "receipt_lines",
            "INSERT INTO receipt_lines (id, receipt_id, shipment_line_id, order_line_id, "
            "contract_id, hospital_id, manufacturer_id, accepted_quantity, rejected_quantity, "
            "unit_price, accepted_amount, currency, received_at, accepted_at) SELECT "
            f"{line_id}, mo.m * {buyers} + n.i + 1, {line_id}, {line_id}, {contract_id}, "
            f"{buyer}, {winner}, {qty}, 0, b.price, {amount}, 'CNY', mo.accepted, mo.accepted "
            f"FROM {grid} WHERE {ordered}",
        ),
        (
            "payables",
            "INSERT INTO payables (id, contract_id, hospital_id, manufacturer_id, amount, "
            f"accepted_at, due_at, paid_at) SELECT {line_id}, {contract_id}, {buyer}, "
            f"{winner}, {amount}, mo.accepted, mo.due, {paid} FROM {grid} WHERE {ordered}",
        ),
        (
            "contract_volumes",
            "INSERT INTO contract_volumes (contract_id, agreed, ordered, beyond_agreed, "
            "shipped, accepted, rejected, updated_at) SELECT c.id, c.agreed_volume, "
            "COALESCE(r.q, 0), 0, COALESCE(r.q, 0), COALESCE(r.q, 0), 0, :t0 FROM contracts c "
            "LEFT JOIN (SELECT contract_id, SUM(accepted_quantity) AS q FROM receipt_lines "
            "GROUP BY contract_id) r ON r.contract_id = c.id",
        ),
        (
            "off_platform_purchases",
            "INSERT INTO off_platform_purchases (id, hospital_id, lot_id, month, quantity, "
            f"amount, currency, reported_at) SELECT {line_id}, {buyer}, b.l + 1, "
            f"mo.placed, 100, 90.00, 'CNY', :t0 FROM {grid} WHERE n.i % 20 = 0",
        ),
    ]


def unfold(url: str) -> None:
    """Delete every dashboard rollup: the first view then folds one."""
    from procurement.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        for table in ("compliance_rollup_open_orders", "compliance_rollup_groups"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM compliance_rollup_unpaid"))
        conn.execute(text("DELETE FROM compliance_rollups"))
    engine.dispose()


def latest_rollup(url: str) -> int | None:
    from procurement.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT max(id) FROM compliance_rollups")).scalar()
    engine.dispose()
    return found


def add_regulator(url: str) -> str:
    """A viewer of the regulator (organization 1), created by the auth service, and an API
    token of theirs (its secret)."""
    from procurement.auth import services
    from procurement.db import make_engine, make_session_factory

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        user = session.scalar(select(User).where(User.username == USERNAME))
        if user is None:
            user = services.create_user(
                session,
                org_code="REG",
                username=USERNAME,
                password=PASSWORD,
                role="viewer",
                now=AS_OF,
            )
        token = services.create_token(
            session, actor=services.actor_of(user), name="bench", now=AS_OF
        )
        session.commit()
    engine.dispose()
    return str(token.secret)


def loaded(url: str, buyers: int, lots: int) -> bool:
    """Whether the database already holds this benchmark's world at this scale (then it is
    reused). Its rollup tables (a cache) are made anew when their columns differ from the
    models' (a database loaded before a rollup revision)."""
    from sqlalchemy import inspect

    import procurement.models  # noqa: F401
    from procurement.compliance.dashboard.models import Rollup
    from procurement.db import Base, make_engine

    if url.startswith("sqlite:") and not Path(url.split("///", 1)[-1]).exists():
        return False
    engine = make_engine(url)
    try:
        names = inspect(engine).get_table_names()
        if "contracts" not in names or "tenders" not in names:
            return False
        with engine.connect() as conn:
            tender = conn.execute(text("SELECT code FROM tenders WHERE id = 1")).scalar()
            contracts = conn.execute(text("SELECT count(*) FROM contracts")).scalar()
        if tender != "NAT19" or contracts != buyers * lots:
            return False
        table = Rollup.__tablename__
        have = {c["name"] for c in inspect(engine).get_columns(table)} if table in names else None
        if have is not None and have != set(Rollup.__table__.columns.keys()):
            cache = [t for t in Base.metadata.sorted_tables if t.name.startswith("compliance_roll")]
            Base.metadata.drop_all(engine, tables=cache)
        Base.metadata.create_all(engine)
        return True
    finally:
        engine.dispose()


def percentiles(values: list[float]) -> tuple[float, float]:
    """(p50, p99) by the nearest rank."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered) + 0.5) - 1))]
    return statistics.median(ordered), p99


def measure(url: str, repeat: int, api_repeat: int, secret: str) -> tuple[float, float]:
    """Log in, view the dashboard once (it may fold), then time warm views of the page and of
    the progress API. Returns the page's (p50, p99)."""
    from procurement import create_app
    from procurement.core.clock import FrozenClock

    app = create_app(
        {"DATABASE_URL": url, "AUTO_MIGRATE": False, "WTF_CSRF_ENABLED": False},
        clock=FrozenClock(AS_OF),
    )
    client = app.test_client()
    reply = client.post("/login", data={"username": USERNAME, "password": PASSWORD})
    assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
    targets = {
        "page /regulator/compliance": "/regulator/compliance",
        "API progress by region": "/api/v1/compliance/progress?tender=1&year=1&group_by=region",
        "API progress by lot": "/api/v1/compliance/progress?tender=1&year=1&group_by=lot",
    }
    headers = {"Authorization": f"Bearer {secret}"}
    before = latest_rollup(url)
    began = time.perf_counter()
    first = client.get(targets["page /regulator/compliance"])
    assert first.status_code == 200, first.get_data(as_text=True)[:500]
    folded = "folded the rollup" if latest_rollup(url) != before else "a valid rollup was there"
    print(
        f"first view ({folded}): {time.perf_counter() - began:.2f} s ({load_average()})",
        flush=True,
    )
    page = (0.0, 0.0)
    for name, path in targets.items():
        client.get(path, headers=headers if path.startswith("/api/") else None)  # warm
        walls = []
        for _ in range(api_repeat if path.startswith("/api/") else repeat):
            began = time.perf_counter()
            reply = client.get(path, headers=headers if path.startswith("/api/") else None)
            walls.append(time.perf_counter() - began)
            assert reply.status_code == 200, (path, reply.status_code)
        p50, p99 = percentiles(walls)
        print(
            f"  {name:<28} p50 {p50 * 1000:7.1f} ms, p99 {p99 * 1000:7.1f} ms over {len(walls)} "
            f"warm views ({len(reply.data):,} bytes; {load_average()})",
            flush=True,
        )
        if path == "/regulator/compliance":
            page = (p50, p99)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=200_000)
    parser.add_argument("--lots", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20, help="warm views of the page")
    parser.add_argument("--api-repeat", type=int, default=5, help="warm calls of each API")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--skip-load", action="store_true", help="reuse the database as it is, unchecked"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="load the world anew even if it is there"
    )
    parser.add_argument(
        "--refold",
        action="store_true",
        help="delete the rollups first, so that the first view folds (and is timed)",
    )
    args = parser.parse_args()
    url = (
        args.database_url
        or os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
    )
    with compliance_progress.database_or_cluster(url) as database:  # no URL: PostgreSQL
        run(database, args)


def run(url: str, args: argparse.Namespace) -> None:
    backend = url.split(":", 1)[0]
    skip = args.skip_load or (not args.rebuild and loaded(url, args.buyers, args.lots))
    if skip:
        print(
            f"reusing the world already in the database ({backend}; --rebuild loads it anew)",
            flush=True,
        )
    else:
        began = time.perf_counter()
        counts = build(url, args.buyers, args.lots)
        print(
            f"built on {backend} in {time.perf_counter() - began:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f" ({load_average()})",
            flush=True,
        )
    print(f"scale: {args.buyers:,} buyers x {args.lots} lots", flush=True)
    if args.refold:
        unfold(url)
    p50, p99 = measure(url, args.repeat, args.api_repeat, add_regulator(url))
    print(
        f"headline: the regulator's dashboard page at {args.buyers:,} buyers x {args.lots} lots "
        f"on {backend}: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms over {args.repeat} warm "
        f"views (goal < 1 s)"
    )


if __name__ == "__main__":
    main()
