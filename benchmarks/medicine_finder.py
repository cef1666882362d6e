"""The public medicine finder under load: p50/p99 of ``GET /api/v1/finder/search`` with 50,000
pharmacy stores (and 5,000 primary care clinics) on PostgreSQL, 16 concurrent clients, against
the real app under gunicorn.

    python benchmarks/medicine_finder.py [--stores 50000] [--clinics 5000] [--names 60]
        [--per-store 50] [--districts 200] [--clients 16] [--seconds 20] [--workers 4]
        [--cache-seconds 5] [--reuse]

The database (``BENCH_DATABASE_URL``, or a throwaway cluster: ``compliance_progress.Cluster``,
initdb on a loopback port) is emptied and rebuilt: the
schema from the models, 60 VBP products, then the stores, each signed up for ``--per-store``
of the generic names, and the finder's read model (``finder_entries``, one row per store and
product: 2,500,000 rows at the defaults, plus 20 products a clinic, ``kind`` "clinic")
bulk-built with ``generate_series``; the search keys
(``finder_names``) come from ``keys.search_keys`` (pypinyin), as the services build them. The
app is served by gunicorn on a loopback port (its API rate limit lifted for the run); 16
client threads with keep-alive connections ask for a random generic name typed as characters,
full pinyin or initials (a prefix of 2-8 letters) in a random district, and every request's
latency is recorded. The workers cache as in production (``FINDER_CACHE_SECONDS`` 5): a
query's products, and each (query, district) answer, for 5 s; the 20,000 query paths seldom
repeat within 5 s, so nearly every request still reads its places from the database
(``--cache-seconds 0``: every request reads products and places). The client threads share
the machine's cores with the server. The headline, p99 in ms, is the last line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = [
    "阿莫西林",
    "头孢呋辛",
    "头孢克洛",
    "阿奇霉素",
    "克拉霉素",
    "左氧氟沙星",
    "莫西沙星",
    "甲硝唑",
    "氟康唑",
    "阿昔洛韦",
    "奥司他韦",
    "二甲双胍",
    "格列美脲",
    "阿卡波糖",
    "西格列汀",
    "氨氯地平",
    "硝苯地平",
    "缬沙坦",
    "厄贝沙坦",
    "氯沙坦",
    "依那普利",
    "美托洛尔",
    "比索洛尔",
    "阿托伐他汀",
    "瑞舒伐他汀",
    "辛伐他汀",
    "氯吡格雷",
    "阿司匹林",
    "华法林",
    "利伐沙班",
    "奥美拉唑",
    "泮托拉唑",
    "雷贝拉唑",
    "多潘立酮",
    "莫沙必利",
    "蒙脱石",
    "布洛芬",
    "对乙酰氨基酚",
    "塞来昔布",
    "双氯芬酸",
    "氯雷他定",
    "西替利嗪",
    "孟鲁司特",
    "沙丁胺醇",
    "氨溴索",
    "右美沙芬",
    "舍曲林",
    "帕罗西汀",
    "艾司西酞普兰",
    "奥氮平",
    "喹硫平",
    "阿立哌唑",
    "左乙拉西坦",
    "丙戊酸钠",
    "卡马西平",
    "加巴喷丁",
    "坦索罗辛",
    "非那雄胺",
    "别嘌醇",
    "甲钴胺",
]


def build(
    url: str, stores: int, names: int, per_store: int, districts: int, clinics: int = 0
) -> list[str]:
    """Rebuild the schema and load the world; returns the district codes."""
    from sqlalchemy import text

    import procurement.models  # noqa: F401
    from procurement.auth import services as auth
    from procurement.catalog.models import Product
    from procurement.db import Base, make_engine, make_session_factory
    from procurement.pharmacy.keys import search_keys
    from procurement.pharmacy.models import FinderName, FinderProduct
    from procurement.pharmacy.rules import vbp_pack_price

    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    now = datetime.now(UTC)
    session = make_session_factory(engine)()
    maker = auth.create_org(
        session, code="MFR1", name="华东制药", kind="manufacturer", region_code="330000", now=now
    )
    products = []
    for i, name in enumerate(NAMES[:names]):
        product = Product(
            manufacturer_id=maker.id,
            approval_number=f"国药准字H2020{i:04d}",
            generic_name=name,
            dosage_form="片剂",
            dosage_class="oral_solid",
            strength=Decimal("0.25"),
            strength_unit="g",
            smallest_unit="tablet",
            pack_size=24,
            consistency_evaluated=True,
            approval_date=date(2020, 6, 1),
            created_at=now,
        )
        session.add(product)
        session.flush()
        price = vbp_pack_price(Decimal("0.1") + Decimal(i) / 100, 24)
        products.append((product.id, name, price))
        session.add(
            FinderProduct(
                product_id=product.id,
                generic_name=name,
                manufacturer="华东制药",
                specification="0.25 g × 24 (片剂)",
                vbp_pack_price=price,
            )
        )
        session.add_all(FinderName(key=k, generic_name=name) for k in search_keys(name))
    session.commit()
    codes = [f"{3101 + d // 99:04d}{d % 99 + 1:02d}" for d in range(districts)]
    t0 = time.perf_counter()
    with engine.begin() as c:
        c.execute(text("CREATE TEMP TABLE bench_districts (n int, code text)"))
        c.execute(
            text("INSERT INTO bench_districts VALUES (:n, :code)"),
            [{"n": n, "code": code} for n, code in enumerate(codes)],
        )
        c.execute(
            text("CREATE TEMP TABLE bench_products (n int, id bigint, name text, price numeric)")
        )
        c.execute(
            text("INSERT INTO bench_products VALUES (:n, :id, :name, :price)"),
            [{"n": n, "id": p, "name": m, "price": v} for n, (p, m, v) in enumerate(products)],
        )
        c.execute(
            text(
                "INSERT INTO organizations (code, name, kind, region_code, created_at, "
                "institution_type, address) "
                "SELECT 'BS' || s, '惠民大药房第' || s || '店', 'HOSPITAL', d.code, now(), "
                "'pharmacy_store', '健康路 ' || s || ' 号' "
                "FROM generate_series(0, :stores - 1) s JOIN bench_districts d ON d.n = s % :nd"
            ),
            {"stores": stores, "nd": districts},
        )
        c.execute(
            text(
                "INSERT INTO organizations (code, name, kind, region_code, created_at, "
                "institution_type, address) "
                "SELECT 'BC' || s, '社区卫生服务中心第' || s || '站', 'HOSPITAL', d.code, now(), "
                "'community_health_centre', '卫生路 ' || s || ' 号' "
                "FROM generate_series(0, :clinics - 1) s JOIN bench_districts d ON d.n = s % :nd"
            ),
            {"clinics": clinics, "nd": districts},
        )
        # A bulk load: foreign keys unchecked and the lookup index built after the rows.
        c.execute(text("SET LOCAL session_replication_role = replica"))
        c.execute(text("DROP INDEX ix_finder_entries_lookup"))
        c.execute(text("ALTER TABLE finder_entries DROP CONSTRAINT pk_finder_entries"))
        c.execute(
            text(
                "INSERT INTO finder_entries (store_id, product_id, generic_name, district, "
                "store_name, store_address, price, status, status_rank, updated_at) "
                "SELECT o.id, p.id, p.name, o.region_code, o.name, o.address, p.price, "
                "CASE (o.id + p.n) % 10 WHEN 0 THEN 'out' WHEN 1 THEN 'low' ELSE 'in_stock' END, "
                "CASE (o.id + p.n) % 10 WHEN 0 THEN 2 WHEN 1 THEN 1 ELSE 0 END, now() "
                "FROM organizations o JOIN bench_products p "
                "ON (p.n - o.id % :names + :names) % :names < :per_store "
                "WHERE o.institution_type = 'pharmacy_store'"
            ),
            {"names": len(products), "per_store": per_store},
        )
        c.execute(
            text(
                "INSERT INTO finder_entries (store_id, product_id, generic_name, kind, district, "
                "store_name, store_address, price, status, status_rank, updated_at) "
                "SELECT o.id, p.id, p.name, 'clinic', o.region_code, o.name, o.address, p.price, "
                "CASE (o.id + p.n) % 5 WHEN 0 THEN 'out' WHEN 1 THEN 'low' ELSE 'in_stock' END, "
                "CASE (o.id + p.n) % 5 WHEN 0 THEN 2 WHEN 1 THEN 1 ELSE 0 END, now() "
                "FROM organizations o JOIN bench_products p ON (p.n - o.id % :names + :names) "
                "% :names < 20 WHERE o.institution_type = 'community_health_centre'"
            ),
            {"names": len(products)},
        )
        c.execute(
            text(
                "ALTER TABLE finder_entries ADD CONSTRAINT pk_finder_entries "
                "PRIMARY KEY (store_id, product_id)"
            )
        )
        c.execute(
            text(
                "CREATE INDEX ix_finder_entries_lookup ON finder_entries "
                "(generic_name, district, status_rank, store_id)"
            )
        )
        c.execute(text("ANALYZE"))
        rows = c.execute(text("SELECT count(*) FROM finder_entries")).scalar()
    took = time.perf_counter() - t0
    print(f"built {stores:,} stores, {clinics:,} clinics, {rows:,} finder entries in {took:.1f} s")
    engine.dispose()
    return codes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def upgrade_reused(url: str) -> None:
    """A world built before clinics joined the finder lacks ``finder_entries.kind``."""
    from sqlalchemy import text

    from procurement.db import make_engine

    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(
            text(
                "ALTER TABLE finder_entries ADD COLUMN IF NOT EXISTS kind varchar(10) "
                "NOT NULL DEFAULT 'pharmacy'"
            )
        )
    engine.dispose()


def serve(url: str, workers: int, cache_seconds: float = 0) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "PROCUREMENT_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": "b" * 40,
        "PROCUREMENT_AUTO_MIGRATE": "false",
        "PROCUREMENT_API_RATE_LIMIT": "100000000 per minute",  # one client address here
        "PROCUREMENT_FINDER_CACHE_SECONDS": str(cache_seconds),
        "PYTHONPATH": str(ROOT),
        "PROCUREMENT_BID_SEAL_KEYS": '["q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="]',
        "PROCUREMENT_AUDIT_KEYS": '["benchmark-audit-key-public-not-a-secret-01"]',
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--preload",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        cwd=str(ROOT),
        start_new_session=True,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def queries(names: list[str], codes: list[str], count: int, seed: int = 7) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        name = rng.choice(names)
        form = rng.randrange(3)
        if form == 0:
            q = name[: rng.randint(2, len(name))]
        elif form == 1:
            full = "".join(lazy_pinyin(name))
            q = full[: rng.randint(min(4, len(full)), min(8, len(full)))]
        else:
            q = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
        out.append(f"/api/v1/finder/search?q={quote(q)}&district={rng.choice(codes)}")
    return out


def client(port: int, paths: list[str], stop: float, out: list[float], errors: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    i = 0
    while time.perf_counter() < stop:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        out.append(time.perf_counter() - t0)
        if response.status != 200 or not json.loads(body)["products"]:
            errors.append(response.status)


def drive(port: int, paths: list[str], clients: int, seconds: float) -> tuple[list[float], int]:
    stop = time.perf_counter() + seconds
    results: list[list[float]] = [[] for _ in range(clients)]
    errors: list[int] = []
    threads = [
        threading.Thread(target=client, args=(port, paths[i::clients], stop, results[i], errors))
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(x for r in results for x in r), len(errors)


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from compliance_progress import database_or_cluster

    with database_or_cluster(url if url.startswith("postgresql") else None) as database:
        _main(database)


def _main(url: str) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=50_000)
    parser.add_argument("--clinics", type=int, default=5_000)
    parser.add_argument("--names", type=int, default=60)
    parser.add_argument("--per-store", type=int, default=50)
    parser.add_argument("--districts", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cache-seconds", type=float, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the world built by an earlier run"
    )
    args = parser.parse_args()
    if args.reuse:
        upgrade_reused(url)
        codes = [f"{3101 + d // 99:04d}{d % 99 + 1:02d}" for d in range(args.districts)]
    else:
        codes = build(url, args.stores, args.names, args.per_store, args.districts, args.clinics)
    proc, port = serve(url, args.workers, args.cache_seconds)
    try:
        paths = queries(NAMES[: args.names], codes, 20_000)
        drive(port, paths, args.clients, 3)  # warm up
        latencies, errors = drive(port, paths, args.clients, args.seconds)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # gunicorn and its workers (their own session)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    rps = len(latencies) / args.seconds
    print(
        f"{len(latencies):,} searches in {args.seconds:.0f} s ({rps:,.0f}/s), {errors} errors, "
        f"{args.clients} clients, {args.workers} gunicorn workers, {os.cpu_count()} cores, "
        f"answer cache {args.cache_seconds:g} s"
    )
    print(f"p50 {pct(latencies, 0.50):.1f} ms, p90 {pct(latencies, 0.90):.1f} ms")
    print(f"finder search p99 at {args.stores:,} stores: {pct(latencies, 0.99):.1f} ms")


if __name__ == "__main__":
    main()
