"""Benchmark: the regulator dashboard's queries on a national-scale contract year.

PostgreSQL: ``BENCH_DATABASE_URL`` (an empty database: it is wiped) or a throwaway cluster
(initdb/pg_ctl on a loopback port, fsync off, as the postgres user when run as root).

The world: 20,000 hospitals in 31 provinces x 60 lots = 1,200,000 active contracts of one tender
(one winner per lot and province, 300 manufacturers), the contract year half gone (as of day
182), a purchase order per hospital and month, an order line, a receipt line and a payable for
about half of the contracts each month (~3.6M each), 2% off-contract lines, contract volume
counters, monthly off-platform reports for 5% of hospital x lot pairs, all loaded with COPY.
Foreign-key triggers are off during the load (``session_replication_role = replica``), and the
shipment/receipt header tables stay empty: no dashboard query reads them.

Timed, after ANALYZE: the fold of the dashboard rollup (``fold_dashboard``, what ``procurement
compliance check`` does once a day), then ``procurement.compliance.dashboard.services.dashboard``
(every figure, chart and table of the regulator's home) part by part, best and median of
``--repeat`` warm runs; then again with ``--delta`` receipt lines and payables above the
rollup's watermark (inserted uncommitted and rolled back; ``--verify`` also compares every
figure with the full computation, ``tests.oracles.compliance_dashboard``).

    python benchmarks/compliance_progress.py [--hospitals 2000] [--lots 60] [--repeat 3]
        [--delta 2000] [--verify] [--skip-load]

With no flags it runs a tenth of the nation (2,000 hospitals, a delta of 2,000 lines; a few
minutes on 2 cores); the national scale above is ``--hospitals 20000 --delta 20000 --repeat 5``
(loading alone takes many minutes). The last line is the headline: the median warm dashboard.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

START = date(2026, 1, 1)
END = date(2026, 12, 31)
AS_OF = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)  # day 182 of 365
T0 = "2025-12-01 00:00:00+00"
PROVINCES = [
    f"{p}0000"
    for p in (
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
    )
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: str) -> None:
    if os.getuid() == 0:
        subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c", cmd], check=True)
    else:
        subprocess.run(["bash", "-c", cmd], check=True)


class Cluster:
    """A throwaway PostgreSQL cluster (fsync off) on a loopback port."""

    def __init__(self) -> None:
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        self.bin = f"{bindir[-1]}/" if bindir else ""
        self.dir = tempfile.mkdtemp(prefix="compliance-bench-pg-")
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.port = free_port()

    def start(self) -> str:
        as_postgres(
            f"{self.bin}initdb -D {self.dir}/data -U postgres -A trust -E UTF8 "
            f"--no-sync >{self.dir}/initdb.log"
        )
        as_postgres(
            f"{self.bin}pg_ctl -D {self.dir}/data -l {self.dir}/server.log -w -t 60 start "
            f'-o "-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off '
            f"-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=2GB "
            f'-c work_mem=256MB -c maintenance_work_mem=1GB -c max_wal_size=8GB"'
        )
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE bench")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/bench"

    def stop(self) -> None:
        as_postgres(f"{self.bin}pg_ctl -D {self.dir}/data -m fast -w stop >/dev/null")
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def database_or_cluster(url: str | None) -> Iterator[str]:
    """``url`` when given, else a throwaway cluster's database (stopped afterwards)."""
    if url:
        yield url
        return
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def copy(cur, table: str, columns: str, rows) -> int:
    """COPY rows (tuples of already formatted text) in chunks of tab-separated lines."""
    count = 0
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as pipe:
        buf = io.StringIO()
        for row in rows:
            buf.write("\t".join(row))
            buf.write("\n")
            count += 1
            if count % 200_000 == 0:
                pipe.write(buf.getvalue())
                buf = io.StringIO()
        pipe.write(buf.getvalue())
    return count


def load(url: str, hospitals: int, lots: int) -> dict[str, int]:
    import psycopg
    from sqlalchemy import text

    import procurement.models  # noqa: F401
    from procurement.db import Base, make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    engine.dispose()
    rnd = random.Random(7)
    makers = 300
    counts: dict[str, int] = {}
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        org_rows = [("1", "REG", "National VBP office", "REGULATOR", "110000", T0)]
        org_rows += [
            (str(2 + i), f"M{i}", f"Maker {i}", "MANUFACTURER", "320000", T0) for i in range(makers)
        ]
        first_h = 2 + makers
        hosp_province = [PROVINCES[i % len(PROVINCES)] for i in range(hospitals)]
        org_rows += [
            (
                str(first_h + i),
                f"H{i}",
                f"Hospital {i}",
                "HOSPITAL",
                hosp_province[i][:2] + "0101",
                T0,
            )
            for i in range(hospitals)
        ]
        counts["organizations"] = copy(
            cur, "organizations", "id, code, name, kind, region_code, created_at", org_rows
        )
        cur.execute(
            "INSERT INTO tenders (id, code, name, category, region_scope, demand_deadline, "
            "bid_deadline, opening_at, contract_start, contract_years, status, rules_preset, "
            "rules_overrides, rules_snapshot, created_by_org_id, created_at, updated_at, "
            "status_changed_at, version) VALUES (1, 'NAT11', 'National batch 11', 'drug', "
            "'[]', %s, %s, %s, %s, 1, 'in_force', 'national-2024', '{}', '{}', 1, %s, %s, %s, 1)",
            (T0, T0, T0, START, T0, T0, T0),
        )
        lot_rows = [
            (
                str(i + 1),
                "1",
                f"L{i + 1:02d}",
                f"Generic {i + 1}",
                "tablet form",
                "oral_solid",
                "5",
                "mg",
                "tablet",
                "1.0000",
                f"{1.5 + i % 7 * 0.25:.4f}",
                "CNY",
                "consistency_evaluated",
                "f",
                T0,
            )
            for i in range(lots)
        ]
        counts["lots"] = copy(
            cur,
            "lots",
            "id, tender_id, code, generic_name, dosage_form, "
            "dosage_class, reference_strength, strength_unit, smallest_unit, "
            "ceiling_unit_price, reference_unit_price, currency, "
            "quality_requirement, antimicrobial_restricted, created_at",
            lot_rows,
        )
        winner = {(lot, p): 2 + rnd.randrange(makers) for lot in range(lots) for p in PROVINCES}
        price = {lot: f"{0.2 + (lot % 9) * 0.05:.4f}" for lot in range(lots)}
        agreed = [[1000 + rnd.randrange(20000) for _ in range(lots)] for _ in range(hospitals)]

        def contracts():
            cid = 0
            for h in range(hospitals):
                prov = hosp_province[h]
                for lot in range(lots):
                    cid += 1
                    yield (
                        str(cid),
                        "1",
                        str(lot + 1),
                        str(first_h + h),
                        str(winner[(lot, prov)]),
                        "1",
                        "1",
                        "1",
                        "1",
                        str(START),
                        str(END),
                        price[lot],
                        "CNY",
                        str(agreed[h][lot]),
                        prov,
                        "active",
                        "",
                        T0,
                        T0,
                        T0,
                        "1",
                    )

        counts["contracts"] = copy(
            cur,
            "contracts",
            "id, tender_id, lot_id, hospital_id, "
            "manufacturer_id, product_id, bid_id, award_run_id, "
            "contract_year, period_start, period_end, unit_price, "
            "currency, agreed_volume, region_code, status, reason, "
            "created_at, updated_at, activated_at, version",
            contracts(),
        )
        counts.update(
            load_orders(cur, rnd, hospitals, lots, first_h, hosp_province, winner, price, agreed)
        )
        conn.commit()
        cur.execute("SET session_replication_role = DEFAULT")
    with psycopg.connect(raw, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return counts


def load_orders(cur, rnd, hospitals, lots, first_h, hosp_province, winner, price, agreed):
    """Monthly orders Jan-Jun: order lines, receipt lines, payables, volume counters."""
    months = 6
    accepted = [[0] * lots for _ in range(hospitals)]
    line_rows, receipt_rows, payable_rows, order_rows = [], [], [], []
    counts = {}
    oid = lid = 0
    day0 = datetime(2026, 1, 1, tzinfo=UTC)

    def flush(force=False):
        if force or len(line_rows) >= 500_000:
            counts["order_lines"] = counts.get("order_lines", 0) + copy(
                cur,
                "order_lines",
                "id, order_id, line_no, contract_id, lot_id, product_id, "
                "manufacturer_id, packs, pack_size, quantity, unit_price, amount, currency, "
                "within_agreed_quantity, beyond_agreed_quantity, off_contract, "
                "shipped_quantity, accepted_quantity, rejected_quantity",
                line_rows,
            )
            counts["receipt_lines"] = counts.get("receipt_lines", 0) + copy(
                cur,
                "receipt_lines",
                "id, receipt_id, shipment_line_id, order_line_id, "
                "contract_id, hospital_id, manufacturer_id, accepted_quantity, "
                "rejected_quantity, unit_price, accepted_amount, currency, received_at, "
                "accepted_at",
                receipt_rows,
            )
            counts["payables"] = counts.get("payables", 0) + copy(
                cur,
                "payables",
                "id, contract_id, hospital_id, manufacturer_id, amount, accepted_at, "
                "due_at, paid_at",
                payable_rows,
            )
            line_rows.clear()
            receipt_rows.clear()
            payable_rows.clear()

    for month in range(months):
        for h in range(hospitals):
            oid += 1
            placed = day0 + timedelta(days=30 * month + rnd.randrange(25), hours=9)
            confirm_due, deliver_due = placed + timedelta(hours=24), placed + timedelta(hours=48)
            late = rnd.random() < 0.03
            confirmed = placed + timedelta(hours=30 if late else 3)
            shipped = placed + timedelta(hours=60 if late else 20)
            prov = hosp_province[h]
            order_rows.append(
                (
                    str(oid),
                    f"PO{oid}",
                    str(first_h + h),
                    str(2),
                    prov,
                    prov,
                    "received",
                    placed.isoformat(),
                    placed.isoformat(),
                    confirm_due.isoformat(),
                    deliver_due.isoformat(),
                    confirmed.isoformat(),
                    shipped.isoformat(),
                    shipped.isoformat(),
                    "0",
                    "CNY",
                    placed.isoformat(),
                    "1",
                    "f",
                    "city",
                    "",
                )
            )
            line_no = 0
            for lot in range(lots):
                off = rnd.random() < 0.02
                if not off and rnd.random() < 0.5:
                    continue
                lid += 1
                line_no += 1
                qty = agreed[h][lot] // 6
                cid = h * lots + lot + 1
                maker = winner[(lot, prov)] if not off else 2 + (lot * 7 % 300)
                unit = price[lot] if not off else "0.9000"
                amount = f"{qty * float(unit):.2f}"
                accepted_at = shipped + timedelta(hours=4)
                line_rows.append(
                    (
                        str(lid),
                        str(oid),
                        str(line_no),
                        r"\N" if off else str(cid),
                        str(lot + 1),
                        "1",
                        str(maker),
                        str(qty),
                        "1",
                        str(qty),
                        unit,
                        amount,
                        "CNY",
                        str(0 if off else qty),
                        str(qty if off else 0),
                        "t" if off else "f",
                        str(qty),
                        str(qty),
                        "0",
                    )
                )
                receipt_rows.append(
                    (
                        str(lid),
                        str(oid),
                        str(lid),
                        str(lid),
                        r"\N" if off else str(cid),
                        str(first_h + h),
                        str(maker),
                        str(qty),
                        "0",
                        unit,
                        amount,
                        "CNY",
                        accepted_at.isoformat(),
                        accepted_at.isoformat(),
                    )
                )
                if not off:
                    accepted[h][lot] += qty
                    due = accepted_at + timedelta(days=30)
                    paid = accepted_at + timedelta(days=rnd.choice((10, 20, 35)))
                    payable_rows.append(
                        (
                            str(lid),
                            str(cid),
                            str(first_h + h),
                            str(maker),
                            amount,
                            accepted_at.isoformat(),
                            due.isoformat(),
                            paid.isoformat() if paid < AS_OF else r"\N",
                        )
                    )
            flush()
    flush(force=True)
    counts["purchase_orders"] = copy(
        cur,
        "purchase_orders",
        "id, number, hospital_id, manufacturer_id, region_code, "
        "province_code, status, placed_at, updated_at, confirm_due_at, deliver_due_at, "
        "confirmed_at, first_shipped_at, shipped_at, total_amount, currency, received_at, "
        "version, emergency, region_class, delivery_address",
        order_rows,
    )
    counts["contract_volumes"] = copy(
        cur,
        "contract_volumes",
        "contract_id, agreed, ordered, beyond_agreed, shipped, accepted, rejected, updated_at",
        (
            (
                str(h * lots + lot + 1),
                str(agreed[h][lot]),
                str(accepted[h][lot]),
                "0",
                str(accepted[h][lot]),
                str(accepted[h][lot]),
                "0",
                T0,
            )
            for h in range(hospitals)
            for lot in range(lots)
        ),
    )
    counts["off_platform_purchases"] = copy(
        cur,
        "off_platform_purchases",
        "id, hospital_id, lot_id, month, quantity, amount, currency, reported_at",
        (
            (
                str(i + 1),
                str(first_h + h),
                str(lot + 1),
                f"2026-{m:02d}-01",
                "100",
                "90.00",
                "CNY",
                T0,
            )
            for i, (h, lot, m) in enumerate(
                (h, lot, m)
                for h in range(0, hospitals, 20)
                for lot in range(lots)
                for m in range(1, 7)
            )
        ),
    )
    return counts


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(url: str, repeat: int, delta: int, verify: bool) -> float:
    """Fold the rollup once (timed), then time warm dashboards part by part; with ``delta``,
    again with that many receipt lines (and their payables) above the watermark. Returns the
    median warm dashboard (with the delta when there is one)."""
    from sqlalchemy import delete

    from procurement.compliance.dashboard.models import Rollup
    from procurement.compliance.dashboard.services import fold_dashboard
    from procurement.db import make_engine, make_session_factory

    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        session.execute(delete(Rollup))
        session.commit()
        began = time.perf_counter()
        fold_dashboard(session, now=AS_OF)
        print(
            f"fold (rollup build: once a day, after a payment run or a large delta): "
            f"{time.perf_counter() - began:.1f} s ({load_average()})",
            flush=True,
        )
    with factory() as session:
        median = runs(session, repeat, "dashboard (rollup + live delta)", verify=False)
    if delta:
        with factory() as session:
            added = add_delta(session, delta)
            title = f"dashboard with {added:,} receipt lines above the mark"
            median = runs(session, repeat, title, verify)
            session.rollback()
    engine.dispose()
    return median


def runs(session, repeat: int, title: str, verify: bool) -> float:
    """Time ``repeat`` warm dashboards (after one warm-up) part by part; best and median.
    Returns the median."""
    from procurement.auth.actor import Actor
    from procurement.auth.models import OrgKind, Role
    from procurement.compliance.dashboard.services import dashboard
    from tests.oracles.compliance_dashboard import dashboard_from_scratch

    actor = Actor(0, 1, OrgKind.REGULATOR, Role.VIEWER, "110000", "bench")
    totals, parts = [], {}
    for i in range(repeat + 1):
        with timed_parts() as spent:
            began = time.perf_counter()
            data = dashboard(session, tender_id=1, year=1, now=AS_OF, actor=actor)
            total = time.perf_counter() - began
        if i:
            totals.append(total)
            spent["rest (tender, alerts, curve, savings)"] = total - sum(spent.values())
            for name, took in spent.items():
                parts.setdefault(name, []).append(took)
        else:
            t = data.total
            print(
                f"check: agreed {t.agreed:,} accepted {t.accepted:,} completion {t.completion} "
                f"time {data.window.time_progress} lots {len(data.groups['lot'])} regions "
                f"{len(data.groups['region'])} curve points {len(data.curve)} "
                f"figures {data.figures}"
            )
    print(f"{title}:")
    for name, took in parts.items():
        print(f"  {name:<44} best {min(took):.3f} s, median {statistics.median(took):.3f} s")
    print(
        f"  {'TOTAL':<44} best {min(totals):.3f} s, median {statistics.median(totals):.3f} s "
        f"over {len(totals)} warm runs (goal < 2 s; {load_average()})",
        flush=True,
    )
    if verify:
        plain = dashboard_from_scratch(session, tender_id=1, year=1, now=AS_OF, actor=actor)
        same = same_figures(data, plain)
        print(f"  equal to the full computation: {same}", flush=True)
    return statistics.median(totals)


def same_figures(a, b) -> bool:
    def rows(board):
        return {
            (g, r.key): (
                r.agreed,
                r.accepted,
                r.contracts,
                r.behind,
                r.at_risk,
                r.zero,
                r.saving,
                r.status,
                r.label,
            )
            for g, group in board.groups.items()
            for r in group
        }

    return (rows(a), a.figures, a.curve, a.window) == (rows(b), b.figures, b.curve, b.window)


class timed_parts:
    """Wrap the dashboard's steps (module attributes) with timers for one call."""

    def __enter__(self) -> dict[str, float]:
        from procurement.compliance.dashboard import delta_queries as rollup_delta
        from procurement.compliance.dashboard import rollup_services as rollup
        from procurement.compliance.dashboard import services as d
        from procurement.compliance.progress import metrics_queries as metrics
        from procurement.compliance.progress import queries

        self.spent: dict[str, float] = {}
        targets = [
            (rollup, "find", "fingerprint (find the rollup)"),
            (rollup_delta, "read", "folded sums + live delta"),
            (queries, "assemble", "progress rows, savings, labels"),
            (d, "_lagging", "hospitals furthest behind"),
            (metrics, "side_figures", "side figures (orders, off-platform)"),
        ]
        self.saved = []
        for module, name, label in targets:
            original = getattr(module, name)
            self.saved.append((module, name, original))
            setattr(module, name, self._timer(original, label))
        return self.spent

    def _timer(self, fn, label):
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - began

        return timed

    def __exit__(self, *exc) -> None:
        for module, name, original in self.saved:
            setattr(module, name, original)


def add_delta(session, lines: int) -> int:
    """A day's receipts above the watermark, uncommitted: copies of the first ``lines``
    contract receipt lines (new ids, accepted now), their counters and payables."""
    from sqlalchemy import text

    session.execute(text("SET LOCAL session_replication_role = replica"))  # no header rows
    mark = session.scalar(text("SELECT max(id) FROM receipt_lines"))
    now = AS_OF - timedelta(hours=2)
    session.execute(
        text(
            "INSERT INTO receipt_lines (id, receipt_id, shipment_line_id, order_line_id, "
            "contract_id, hospital_id, manufacturer_id, accepted_quantity, rejected_quantity, "
            "unit_price, accepted_amount, currency, received_at, accepted_at) "
            "SELECT id + :mark, receipt_id, id + :mark, order_line_id, contract_id, hospital_id, "
            "manufacturer_id, accepted_quantity, 0, unit_price, accepted_amount, currency, "
            ":now, :now FROM receipt_lines WHERE contract_id IS NOT NULL AND id <= :mark "
            "ORDER BY id LIMIT :n"
        ),
        {"mark": mark, "now": now, "n": lines},
    )
    session.execute(
        text(
            "UPDATE contract_volumes v SET accepted = v.accepted + d.q FROM (SELECT contract_id, "
            "sum(accepted_quantity) AS q FROM receipt_lines WHERE id > :mark GROUP BY "
            "contract_id) d WHERE v.contract_id = d.contract_id"
        ),
        {"mark": mark},
    )
    session.execute(
        text(
            "INSERT INTO payables (id, contract_id, hospital_id, manufacturer_id, amount, "
            "accepted_at, due_at) SELECT r.id, r.contract_id, r.hospital_id, r.manufacturer_id, "
            "r.accepted_amount, r.accepted_at, r.accepted_at + interval '30 days' "
            "FROM receipt_lines r WHERE r.id > :mark AND r.contract_id IS NOT NULL"
        ),
        {"mark": mark},
    )
    return int(
        session.scalar(text("SELECT count(*) FROM receipt_lines WHERE id > :m"), {"m": mark})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=2_000)
    parser.add_argument("--lots", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="reuse the world already loaded in BENCH_DATABASE_URL",
    )
    parser.add_argument(
        "--delta",
        type=int,
        default=2_000,
        help="receipt lines (and payables) to add above the watermark for a second measure "
        "(uncommitted, rolled back; 0: none)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="compare the dashboard with the delta against the full computation (slow)",
    )
    args = parser.parse_args()
    url, cluster = os.environ.get("BENCH_DATABASE_URL"), None
    if not url:
        cluster = Cluster()
        url = cluster.start()
    try:
        if not (args.skip_load and cluster is None):
            began = time.perf_counter()
            counts = load(url, args.hospitals, args.lots)
            print(
                f"loaded in {time.perf_counter() - began:.1f} s: "
                + ", ".join(f"{k} {v:,}" for k, v in counts.items()),
                flush=True,
            )
        print(f"scale: {args.hospitals:,} hospitals x {args.lots} lots", flush=True)
        median = measure(url, args.repeat, args.delta, args.verify)
    finally:
        if cluster is not None:
            cluster.stop()
    print(
        f"headline: the regulator's dashboard at {args.hospitals:,} hospitals x {args.lots} lots, "
        f"median of {args.repeat} warm runs: {median:.3f} s (goal < 2 s at 20,000 hospitals)"
    )


if __name__ == "__main__":
    main()
