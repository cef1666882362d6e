"""Benchmark of a settlement run on PostgreSQL (issue 6).

Loads N accepted receipt lines (default 1,000,000) across 1,000 hospitals and 100 manufacturers
(10 contracts per hospital) with COPY straight into the tables. Parent rows are minimal: the
organizations, one tender and the contracts are real; the order, shipment and receipt rows a
receipt line points to are not loaded (the COPY runs with ``session_replication_role =
replica``, which skips foreign-key triggers), because settlement reads only receipt lines and
contracts. Then, in one process and on the same rows, it times:

- a plain ``SELECT manufacturer_id, hospital_id, SUM(accepted_amount), COUNT(*) ... GROUP BY``
  over the same receipt lines (the reference; taken before and after the run, the smaller
  counts),
- the advances of the contract year (1,000 hospitals, ORM; not part of the ratio),
- **the run**: ``start_run`` over a million accepted, unpaid lines that have no payable yet,
  i.e. everything a fund office waits for when it starts a run: the run accrues each line and
  pays it in one INSERT ... SELECT per batch (a payable is written once, already paid), then
  writes the payments and the ledger. Before November 2026 the benchmark timed
  ``accrue_payables`` apart and called only the claiming UPDATEs "the run" (16.8-17.4 s, plus
  ~42 s of accrual); since the run itself accrues what is unaccrued, that split hid most of
  the wait, so the accrual now counts inside the run.
- with ``--accrue-first``: ``accrue_payables`` first (timed apart), then the run, which then
  claims accrued payables (HOT UPDATEs) instead: the path of a fund office that accrues daily.

It prints the times, the ratio to the GROUP BY, the reconciliation and a correctness check:
paid per manufacturer, from the payments and from the ledger's manufacturer_paid accounts,
must equal the GROUP BY's sums to the fen.

    BENCH_DATABASE_URL=postgresql+psycopg://user@host:port/db python benchmarks/settlement_run.py
    python benchmarks/settlement_run.py            # starts a throwaway cluster like .ci/run

The database named by BENCH_DATABASE_URL is emptied first. Options: ``--lines N``,
``--batch-size M[,M2...]`` (manufacturers per batch, default 50: two batches of 50, each
still its own crash-safe transaction, the service's default since
``settlement.rules.DEFAULT_RUN_BATCH_SIZE`` became 50; batches of 20 are measured below),
``--repeat K`` (measure each batch size K times on the same rows, emptying the settlement
tables in between), ``--accrue-first``, ``--seed``, ``--with-fk`` (adds a foreign key
payables.id -> receipt_lines, to measure it). The load average is printed before
each measurement: this machine is shared, so every figure names the load it was taken under
(2 CPUs, PostgreSQL 15, fsync off). On PostgreSQL the run pays its batches on two connections
side by side (``runs.pay_side_by_side``): an INSERT ... SELECT runs on one core, while the
GROUP BY reference reads with two parallel workers.

Measured before (run = claiming UPDATEs only; accrual apart):

================================  ==========  ===========  ==========  ========  ===========
version                           load avg    GROUP BY     accrual     run       run/GROUP BY
================================  ==========  ===========  ==========  ========  ===========
colleague's (per-row SQL update)  "heavy"     1.15 s       14.1 s      57.5 s    50x
one UPDATE ... RETURNING claim +  10.1 -> 11  1.16 s       53.8 s      45.6 s    39x
 CTE aggregate, HOT (fillfactor)
+ ANALYZE after a bulk accrual    7.2 -> 6.1  1.15 s       42.0 s      17.4 s    15x
+ accounts from organizations     8.3 -> 6.8  1.18/0.89 s  42.6 s      16.8 s    14x/19x
same code, 22 Nov 2026            1.2 -> 2.3  0.66 s       15.3 s      10.5 s    16x (39x
                                                                                 with accrual)
================================  ==========  ===========  ==========  ========  ===========

Measured now (run = accrual and payment of 1,000,000 unaccrued lines; 1,000,000 lines):

(22 Nov 2026, BENCH_DATABASE_URL on a throwaway PostgreSQL 15 cluster, fsync and
synchronous_commit off; load average = 1-minute value before each measurement; the GROUP BY
is the smaller of its two timings around that run.)

======================================  =========  ========  ========  ============
run                                     load avg   GROUP BY  run       run/GROUP BY
======================================  =========  ========  ========  ============
one connection, batches of 100          3.3        0.66 s    6.43 s    9.8x
one connection, batches of 100/50/20    2.8-5.3    0.53-0.97 6.7-17.8  10-21x
two connections, batches of 50          1.75       0.52 s    5.27 s    10.1x
two connections, batches of 50          1.66       0.36 s    3.84 s    10.6x
two connections, batches of 50          1.66       0.47 s    4.61 s    9.8x
two connections, batches of 50          1.78       0.52 s    5.11 s    9.8x
two connections, batches of 20          1.78       0.43 s    5.57 s    13.1x
two connections, batches of 20          1.63       0.34 s    4.97 s    14.7x
two connections, batches of 20          1.71       0.39 s    6.06 s    15.7x
--accrue-first, batches of 50           1.55       0.53 s    5.40 s    10.2x (accrual 5.35 s)
--accrue-first, batches of 50           1.50       0.51 s    4.96 s    9.7x (accrual 5.74 s)
======================================  =========  ========  ========  ============

So the run is at the 10x line (9.7-10.6x with batches of 50), not safely under it, and 13-16x
with batches of 20, the former default (each batch reads the receipt lines again). The
GROUP BY gains most when the machine is quiet (its parallel workers take both cores); the
run is bounded by writing a million rows. It is far under 60 s in every case.

Narrow payables (revision 9d1e5b7c3a20: 10 columns instead of 15, fillfactor 100) and a
shorter batch tail (payments and postings by executemany, account ids looked up before the
advance-account lock), 22 Nov 2026, two connections, batches of 50, 1,000,000 lines,
``BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55461/sbench python
benchmarks/settlement_run.py --repeat 3`` (own cluster: fsync, synchronous_commit and
full_page_writes off). The machine's speed drifted within minutes (the same GROUP BY took
0.33 s at 20:57 and 0.65 s at 21:11 at the same load average), so each row names its time:

======================================  =========  ========  ========  ============
run                                     load avg   GROUP BY  run       run/GROUP BY
======================================  =========  ========  ========  ============
narrow, fillfactor 100 (20:57)          1.64       0.42 s    3.14 s    7.5x
narrow, fillfactor 100 (20:57)          1.60       0.39 s    2.81 s    7.2x
narrow, fillfactor 100 (20:57)          1.56       0.45 s    2.82 s    6.3x
narrow, fillfactor 100 (20:57)          1.75       0.33 s    2.66 s    8.1x
narrow, fillfactor 50 (20:56, compare)  1.70       0.34 s    2.96 s    8.8x
narrow, fillfactor 50 (20:56, compare)  1.80       0.37 s    3.87 s    10.5x
narrow, fillfactor 50 (20:56, compare)  1.68       0.38 s    3.62 s    9.4x
narrow, fillfactor 50 (20:56, compare)  1.71       0.32 s    3.07 s    9.6x
narrow, fillfactor 100 (21:00)          1.00       0.42 s    3.58 s    8.6x
narrow, fillfactor 100 (21:00)          1.00       0.53 s    4.12 s    7.8x
narrow, fillfactor 100 (21:00)          1.00       0.52 s    4.10 s    7.9x
narrow, fillfactor 100 (21:11)          1.10       0.50 s    4.14 s    8.3x
narrow, fillfactor 100 (21:11)          1.09       0.65 s    4.39 s    6.8x
narrow, fillfactor 100 (21:11)          1.16       0.46 s    4.29 s    9.3x
--accrue-first, fillfactor 100 (21:12)  1.36       0.48 s    6.12 s    12.8x (accrual 3.00 s)
--accrue-first, fillfactor 100 (21:12)  1.39       0.54 s    7.00 s    13.0x (accrual 3.61 s)
--accrue-first, fillfactor 50 (20:50)   1.41       0.45 s    4.17 s    9.3x (accrual 2.72 s)
--accrue-first, fillfactor 50 (20:50)   1.35       0.47 s    3.78 s    8.1x (accrual 2.52 s)
======================================  =========  ========  ========  ============

So the run is 6.3-9.3x the GROUP BY at fillfactor 100 (2.7-4.4 s; the 15-column rows took
4.7-5.8 s, 7.7-11.1x, and 5.68 s, 10.9x, here at 20:35, load 0.9), and 8.8-10.5x at 50.
Fillfactor 100 costs the other path: a run claiming payables accrued beforehand
(--accrue-first) updates each row into a new page with a new primary key entry instead of a HOT
update in place, 12.8-13.0x against 8.1-9.3x at 50 (those two measured before the
due_at-in-hours change, which touches only the accrual timed apart). Where the run's time goes
now (one run, load ~1.5, wall seconds): 0.06 the after-cut-off accrual, 0.03 the accounts,
0.2-0.3 ``open_work`` (a parallel scan of the lines), 2.4-3.4 the two batch statements side by
side (the faster one ends 0.3-0.7 s before the other; alone, half the lines take 1.5 s: two
INSERTs side by side gain only 1.3x on this machine), 0.1 the tail after the slower batch
(payments, postings, counters, audit).

Where the time went with the 15-column rows (EXPLAIN ANALYZE, one batch of all 100
manufacturers, load ~3.4): of 5.4 s, reading and joining the lines 1.2 s, writing a million
payables (heap + primary key) 3.0 s, returning them summed per (manufacturer, hospital) pair
1.2 s. Every index on payables costs about one GROUP BY (heap alone 3.4 s, + primary key 6.4 s,
+ the former unique receipt_line_id and two (party, accepted_at) indexes 21.7 s, load ~2), so
payables keep only their primary key, which is the receipt line's id. The former run scanned
payables for its claims and re-accrued with an anti-join (2.7 s); the accrual alone was
15-42 s.

(Earlier finding, kept: a foreign key payables -> receipt_lines made the accrual +75-90%, so
payables keep none and the reconciliation report checks them.)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import text

import procurement.models
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind, Role
from procurement.catalog.models import Tender
from procurement.db import Base, make_engine, make_session_factory
from procurement.settlement import services as settlement

HOSPITALS, MANUFACTURERS, CONTRACTS_PER_HOSPITAL = 1000, 100, 10
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CUT_OFF = date(2026, 2, 28)


@contextmanager
def throwaway_cluster():
    """initdb + pg_ctl on a loopback port with durability off (as .ci/run does)."""
    bindir = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
    initdb = shutil.which("initdb") or (bindir and str(bindir / "initdb"))
    pg_ctl = shutil.which("pg_ctl") or (bindir and str(bindir / "pg_ctl"))
    tmp = tempfile.mkdtemp(prefix="settlement-bench-pg.")
    wrap = (
        (lambda cmd: ["su", "postgres", "-s", "/bin/bash", "-c", cmd])
        if os.getuid() == 0
        else (lambda cmd: ["bash", "-c", cmd])
    )
    if os.getuid() == 0:
        shutil.chown(tmp, "postgres")
    port = 54000 + os.getpid() % 900
    subprocess.run(
        wrap(f"{initdb} -D {tmp}/data -U postgres -A trust -E UTF8 --no-sync"),
        check=True,
        capture_output=True,
    )
    opts = (
        f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(
        wrap(f"{pg_ctl} -D {tmp}/data -l {tmp}/server.log -w -t 60 start -o '{opts}'"),
        check=True,
        capture_output=True,
    )
    try:
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE settlement_bench")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/settlement_bench"
    finally:
        subprocess.run(wrap(f"{pg_ctl} -D {tmp}/data -m immediate -w stop"), capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def load(engine, lines: int, seed: int) -> tuple[int, int]:
    """Schema, organizations, tender, contracts, then the receipt lines by COPY."""
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    rng = random.Random(seed)
    session = make_session_factory(engine)()
    fund = procurement.auth.models.Organization(
        code="FUND", name="Fund office", kind=OrgKind.FUND, region_code="310000", created_at=NOW
    )
    session.add(fund)
    session.flush()
    tender = Tender(
        code="BENCH",
        name="Bench",
        category="drug",
        region_scope=["310000"],
        demand_deadline=NOW,
        bid_deadline=NOW,
        opening_at=NOW,
        contract_start=date(2026, 1, 1),
        contract_years=1,
        status="in_force",
        rules_preset="national-2024",
        rules_overrides={},
        rules_snapshot={},
        created_by_org_id=fund.id,
        created_at=NOW,
        updated_at=NOW,
        status_changed_at=NOW,
    )
    session.add(tender)
    session.commit()
    fund_id, tender_id = fund.id, tender.id
    session.close()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET session_replication_role = replica")
        hospitals = [10_000 + i for i in range(HOSPITALS)]
        makers = [20_000 + i for i in range(MANUFACTURERS)]
        with cur.copy(
            "COPY organizations (id, code, name, kind, region_code, created_at) FROM STDIN"
        ) as cp:
            for i, h in enumerate(hospitals):
                cp.write_row((h, f"H{h}", f"Hospital {h}", "HOSPITAL", f"{31 + i % 5}0101", NOW))
            for m in makers:
                cp.write_row((m, f"M{m}", f"Manufacturer {m}", "MANUFACTURER", "320000", NOW))
        contracts = []
        with cur.copy(
            "COPY contracts (id, tender_id, lot_id, hospital_id, manufacturer_id, product_id,"
            " bid_id, award_run_id, contract_year, period_start, period_end, unit_price, currency,"
            " agreed_volume, region_code, status, reason, created_at, updated_at, version)"
            " FROM STDIN"
        ) as cp:
            cid = 0
            for i, h in enumerate(hospitals):
                for k in range(CONTRACTS_PER_HOSPITAL):
                    cid += 1
                    m = makers[(i * 7 + k * 13) % MANUFACTURERS]
                    price = Decimal(rng.randint(100, 50_000)) / 10_000
                    contracts.append((cid, h, m, price))
                    cp.write_row(
                        (
                            cid,
                            tender_id,
                            1,
                            h,
                            m,
                            1,
                            1,
                            1,
                            1,
                            date(2026, 1, 1),
                            date(2026, 12, 31),
                            price,
                            "CNY",
                            rng.randint(1_000, 500_000),
                            f"{31 + i % 5}0000",
                            "active",
                            "",
                            NOW,
                            NOW,
                            1,
                        )
                    )
        start = time.perf_counter()
        with cur.copy(
            "COPY receipt_lines (id, receipt_id, shipment_line_id, order_line_id, contract_id,"
            " hospital_id, manufacturer_id, accepted_quantity, rejected_quantity, unit_price,"
            " accepted_amount, currency, received_at, accepted_at) FROM STDIN"
        ) as cp:
            for n in range(1, lines + 1):
                cid, h, m, price = contracts[rng.randrange(len(contracts))]
                qty = rng.randint(1, 5_000)
                at = NOW - timedelta(days=1, seconds=rng.randint(0, 90 * 86400))
                amount = (qty * price).quantize(Decimal("0.01"))
                cp.write_row((n, n, n, n, cid, h, m, qty, 0, price, amount, "CNY", at, at))
        copy_seconds = time.perf_counter() - start
        cur.execute("SET session_replication_role = origin")
        cur.execute("SELECT setval('organizations_id_seq', 30000)")
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    print(
        f"loaded {lines:,} receipt lines by COPY in {copy_seconds:.2f} s "
        f"({HOSPITALS} hospitals, {MANUFACTURERS} manufacturers, {len(contracts):,} contracts)"
    )
    return fund_id, tender_id


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<46} {seconds:8.2f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument(
        "--batch-size",
        default="50",
        help="manufacturers per batch; several (20,50) are measured in turn, --repeat times each",
    )
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure N times on the same rows (reset between)"
    )
    parser.add_argument(
        "--accrue-first",
        action="store_true",
        help="accrue the payables before the run (timed apart), so that the run claims "
        "accrued payables instead of accruing and paying the lines itself",
    )
    parser.add_argument(
        "--with-fk",
        action="store_true",
        help="add a foreign key payables.id -> receipt_lines before the accrual "
        "(to measure its cost; the model has none)",
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        bench(url, args)
    else:
        with throwaway_cluster() as url:
            bench(url, args)


def check_paid(session, rows) -> None:
    """Paid per manufacturer, from the payments and from the ledger (manufacturer_paid
    accounts), must equal the GROUP BY's sums to the fen."""
    expected: dict[int, Decimal] = {}
    for maker, _hospital, amount, _count in rows:
        expected[maker] = expected.get(maker, Decimal("0")) + Decimal(amount)
    payments = dict(
        session.execute(
            text("SELECT manufacturer_id, SUM(amount) FROM settlement_payments GROUP BY 1")
        ).all()
    )
    ledger = dict(
        session.execute(
            text(
                "SELECT a.owner_org_id, SUM(p.amount) FROM ledger_postings p "
                "JOIN ledger_accounts a ON a.id = p.account_id "
                "WHERE a.kind = 'manufacturer_paid' GROUP BY 1"
            )
        ).all()
    )
    bad = [m for m, x in expected.items() if payments.get(m) != x or ledger.get(m) != x]
    bad += [m for m in set(payments) | set(ledger) if m not in expected]
    print(
        f"paid per manufacturer = GROUP BY sums to the fen: {not bad} "
        f"({len(expected)} manufacturers, {sum(expected.values())} CNY; mismatches {bad[:5]})"
    )


def load_average() -> str:
    """The machine's load (other sessions share it): say it beside every figure."""
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def bench(url: str, args) -> None:
    print(f"load average before: {load_average()} on {os.cpu_count()} CPUs")
    engine = make_engine(url)
    fund_id, tender_id = load(engine, args.lines, args.seed)
    if args.with_fk:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "ALTER TABLE payables ADD CONSTRAINT fk_bench_receipt_line "
                    "FOREIGN KEY (id) REFERENCES receipt_lines (id)"
                )
            )
    factory = make_session_factory(engine)
    actor = Actor(
        user_id=None,
        org_id=fund_id,
        org_kind=OrgKind.FUND,
        role=Role.STAFF,
        region_code="310000",
        username="bench",
    )
    end = datetime.combine(CUT_OFF + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    group_by = text(
        "SELECT manufacturer_id, hospital_id, SUM(accepted_amount), COUNT(*) "
        "FROM receipt_lines WHERE accepted_at < :end AND contract_id IS NOT NULL "
        "AND accepted_quantity > 0 GROUP BY manufacturer_id, hospital_id"
    )
    sizes = [int(size) for size in str(args.batch_size).split(",")]
    ratios = []
    for attempt in range(args.repeat * len(sizes)):
        if attempt:
            reset(engine)
        size = sizes[attempt % len(sizes)]
        print(f"-- measurement {attempt + 1}, batch size {size}, load average {load_average()}")
        ratios.append(measure(factory, args, actor, tender_id, group_by, end, size))
    print(f"load average after: {load_average()}")
    engine.dispose()
    run, ratio = min(ratios, key=lambda pair: pair[1])
    print(  # the headline, last
        f"headline: settlement run over {args.lines:,} lines {run:.2f} s, "
        f"{ratio:.1f}x the plain GROUP BY (best of {len(ratios)})"
    )


def reset(engine) -> None:
    """Back to unpaid, unaccrued receipt lines: empty every table settlement (and its audit
    trail) wrote, so the next measurement starts like the first."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE payables, settlement_payments, settlement_runs, settlement_advances, "
                "ledger_postings, ledger_transactions, ledger_accounts, audit_events, audit_heads "
                "CASCADE"
            )
        )
        conn.execute(text("ANALYZE payables"))


def measure(factory, args, actor, tender_id, group_by, end, batch_size: int) -> tuple[float, float]:
    """One measurement; returns (the run's seconds, run / GROUP BY)."""
    with factory() as s:
        (rows, ref) = timed(
            "plain SQL GROUP BY (reference)", lambda: s.execute(group_by, {"end": end}).all()
        )
        adv, _ = timed(
            "advances (1,000 hospitals)",
            lambda: settlement.run_advances(
                s, tender_id=tender_id, contract_year=1, now=NOW, actor=actor
            ),
        )
        t_acc = 0.0
        if args.accrue_first:
            acc, t_acc = timed(
                "accrue_payables (before the run)",
                lambda: settlement.accrue_payables(s, now=NOW, actor=actor),
            )
            print(f"accrued {acc.created:,} payables ({acc.amount} CNY)")
        run, t_run = timed(
            "settlement run (start_run, batched)",
            lambda: settlement.start_run(
                s,
                cut_off=CUT_OFF,
                idempotency_key="bench",
                now=NOW,
                actor=actor,
                batch_size=batch_size,
            ),
        )
        (_, ref2) = timed(
            "plain SQL GROUP BY (again, warm)", lambda: s.execute(group_by, {"end": end}).all()
        )
        rec, _ = timed("reconciliation", lambda: settlement.reconcile(s, actor=actor))
        reference = min(ref, ref2)
        print(f"advances: {len(adv.created)} hospitals, {adv.total} CNY")
        print(
            f"run {run.reference}: {run.payables_count:,} payables paid, {run.total_amount} CNY, "
            f"{len(run.payments)} payments in {run.batches_done} batches"
        )
        print(
            f"GROUP BY {reference:.2f} s, run {t_run:.2f} s: run / GROUP BY = "
            f"{t_run / reference:.1f}x"
            + (f"; accrual + run / GROUP BY = {(t_acc + t_run) / reference:.1f}x" if t_acc else "")
        )
        print(
            f"reconciliation ok={rec.ok}: ledger total {rec.ledger_total}, payments "
            f"{rec.payments_total}, paid payables {rec.paid_payables_total}, "
            f"unbalanced {len(rec.unbalanced)}"
        )
        check_paid(s, rows)
    return t_run, t_run / reference


if __name__ == "__main__":
    main()
