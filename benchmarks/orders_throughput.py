"""Order placement throughput: the app under gunicorn on PostgreSQL vs a bare Flask endpoint.

Usage: ``python benchmarks/orders_throughput.py [--workers 4] [--connections 16] [--seconds 10]
[--rounds 3]``

Uses ``BENCH_DATABASE_URL`` (an empty PostgreSQL database: it is wiped) or starts a throwaway
cluster with initdb/pg_ctl on a loopback port (as the postgres user when run as root; durability
off, like .ci/run). Loads a world (hospitals with active contracts and API tokens), serves the
app and a bare Flask endpoint with gunicorn, drives both with wrk (16 connections; a Lua script
POSTs JSON orders with unique Idempotency-Keys and bearer tokens), and prints requests/s, p99
latency and the ratio. Goal: orders >= 15% of the bare endpoint, p99 < 100 ms. The two are
driven in alternating rounds (bare, orders, bare, orders, ...): this shared machine's speed
drifts by tens of percent within a minute, and two back-to-back runs put all of a drift on
one side of the ratio. The ratio is over all rounds; each round's ratio is printed too, and
the p99 is the worst round's.

Beside each run it prints the CPU one request cost the server's workers, PostgreSQL's backends
(when the cluster is the benchmark's own) and wrk: on a busy machine requests/s drift with the
neighbours' load, CPU per request much less, so the ratio of the two totals is a second,
steadier reading of the same comparison. The last line is the headline: the ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NOW = datetime.now(UTC)
BARE_APP = """
from flask import Flask, jsonify, request
app = Flask(__name__)

@app.post("/bare")
def bare():
    data = request.get_json()
    return jsonify({"ok": True, "lines": len(data["lines"])}), 201
"""
LUA = """
local tokens = {%(tokens)s}
local contracts = {%(contracts)s}
local counter = 0
local n = 0
function setup(thread) thread:set("tid", n); n = n + 1 end
function init(args) math.randomseed(os.time() + tid) end
function request()
  counter = counter + 1
  local i = (counter %% #tokens) + 1
  local body = '{"lines":[{"contract_id":' .. contracts[i] .. ',"packs":1}]}'
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[i],
    ["Idempotency-Key"] = "bench-" .. tid .. "-" .. counter .. "-" .. math.random(1, 1000000000),
  }, body)
end
"""


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
        self.bin = str(bindir[-1]) if bindir else ""
        self.dir = tempfile.mkdtemp(prefix="orders-bench-pg-")
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.port = free_port()

    def start(self) -> str:
        b = f"{self.bin}/" if self.bin else ""
        as_postgres(
            f"{b}initdb -D {self.dir}/data -U postgres -A trust -E UTF8 --no-sync "
            f">{self.dir}/initdb.log"
        )
        as_postgres(
            f"{b}pg_ctl -D {self.dir}/data -l {self.dir}/server.log -w -t 60 start "
            f'-o "-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off '
            f'-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"'
        )
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE bench")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/bench"

    @property
    def postmaster(self) -> int:
        return int(Path(self.dir, "data", "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        b = f"{self.bin}/" if self.bin else ""
        as_postgres(f"{b}pg_ctl -D {self.dir}/data -m fast -w stop >/dev/null")
        shutil.rmtree(self.dir, ignore_errors=True)


def load_world(url: str, hospitals: int) -> tuple[list[str], list[int]]:
    """Hospitals with one active contract each (huge agreed volume) and an API token each."""
    from sqlalchemy import text

    import procurement.models  # noqa: F401
    from procurement.auth import services as auth
    from procurement.db import Base, make_engine, make_session_factory
    from tests.fixtures.orders import build_contract

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    tokens, contracts = [], []
    with make_session_factory(engine)() as s:
        reg = auth.create_org(
            s, code="BREG", name="Bench regulator", kind="regulator", region_code="310000", now=NOW
        )
        maker = auth.create_org(
            s, code="BMAN", name="Bench maker", kind="manufacturer", region_code="320000", now=NOW
        )
        for i in range(hospitals):
            org = auth.create_org(
                s,
                code=f"BH{i}",
                name=f"Bench hospital {i}",
                kind="hospital",
                region_code="310101",
                now=NOW,
            )
            user = auth.create_user(
                s,
                org_code=org.code,
                username=f"bh{i}",
                password="bench password 1",
                role="staff",
                now=NOW,
            )
            contract = build_contract(
                s, NOW, hospital_org=org, manufacturer_org=maker, regulator_org=reg, agreed=10**9
            )
            issued = auth.create_token(s, actor=auth.actor_of(user), name="bench", now=NOW)
            tokens.append(issued.secret)
            contracts.append(contract.id)
    engine.dispose()
    return tokens, contracts


def serve(target: str, workers: int, env: dict, cwd: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
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
            target,
        ],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn for {target} did not start")


def children_cpu(parent: int | None) -> float:
    """CPU seconds (user + system) used so far by the children of a process: gunicorn's
    workers, PostgreSQL's backends (Linux /proc)."""
    if parent is None:
        return 0.0
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(parent):  # ppid
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    rps: float
    p99: float
    output: str
    cpu: dict[str, float]  # CPU ms per request, by process group
    requests: int = 0

    @classmethod
    def combined(cls, runs: list[Run]) -> Run:
        """Rounds of one endpoint as one run: requests/s and CPU per request over all of
        them, the worst round's p99."""
        requests = sum(r.requests for r in runs)
        seconds = sum(r.requests / r.rps for r in runs)
        cpu = {name: sum(r.cpu[name] * r.requests for r in runs) / requests for name in runs[0].cpu}
        return cls(
            requests / seconds,
            max(r.p99 for r in runs),
            "".join(r.output for r in runs),
            cpu,
            requests,
        )

    def cpu_line(self) -> str:
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in self.cpu.items())
        return f"CPU ms per request: {parts}; total {sum(self.cpu.values()):.2f}"


def drive(
    port: int, lua: str, connections: int, seconds: int, server: int, postmaster: int | None
) -> Run:
    """wrk against one server; requests/s, p99 and the CPU each request cost the server's
    workers, PostgreSQL's backends (when the cluster is ours) and wrk itself."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(lua)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = (children_cpu(server), children_cpu(postmaster), usage.ru_utime + usage.ru_stime)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = (children_cpu(server), children_cpu(postmaster), usage.ru_utime + usage.ru_stime)
    script.unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    per = 1000.0 / max(requests, 1)
    names = ("server", "postgres", "wrk") if postmaster else ("server", "", "wrk")
    cpu = {name: (y - x) * per for name, x, y in zip(names, before, after, strict=True) if name}
    return Run(rps, p99, out, cpu, requests)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # gunicorn finishes the requests in flight
    proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hospitals", type=int, default=16)
    args = parser.parse_args()
    cluster = None
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        cluster = Cluster()
        url = cluster.start()
    procs = []
    try:
        tokens, contracts = load_world(url, args.hospitals)
        work = tempfile.mkdtemp(prefix="orders-bench-")
        Path(work, "bare_app.py").write_text(BARE_APP)
        env = {
            **os.environ,
            "PROCUREMENT_ENV": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": "b" * 40,
            "PROCUREMENT_AUTO_MIGRATE": "false",
            "PYTHONPATH": str(ROOT),
            "PROCUREMENT_BID_SEAL_KEYS": '["q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="]',
            "PROCUREMENT_AUDIT_KEYS": '["benchmark-audit-key-public-not-a-secret-01"]',
        }
        app_proc, app_port = serve("wsgi:app", args.workers, env, str(ROOT))
        bare_proc, bare_port = serve("bare_app:app", args.workers, env, work)
        procs = [app_proc, bare_proc]
        fill = {
            "tokens": ",".join(f'"{t}"' for t in tokens),
            "contracts": ",".join(map(str, contracts)),
        }
        for port, path in ((app_port, "/api/v1/orders"), (bare_port, "/bare")):  # warm up
            drive(port, LUA % {**fill, "path": path}, args.connections, 5, 0, None)
        postmaster = cluster.postmaster if cluster else None
        bares, apps = [], []
        bare_lua = LUA % {**fill, "path": "/bare"}
        app_lua = LUA % {**fill, "path": "/api/v1/orders"}
        for _ in range(args.rounds):  # alternate, so the host's drift falls on both alike
            bares.append(
                drive(bare_port, bare_lua, args.connections, args.seconds, bare_proc.pid, None)
            )
            apps.append(
                drive(app_port, app_lua, args.connections, args.seconds, app_proc.pid, postmaster)
            )
        stop(app_proc)  # drain in-flight requests before counting what they wrote
        bare, app = Run.combined(bares), Run.combined(apps)
        check_orders(url, app.requests)
        for n, (b, a) in enumerate(zip(bares, apps, strict=True), start=1):
            print(
                f"round {n}: bare {b.rps:7.1f} req/s, orders {a.rps:6.1f} req/s "
                f"(p99 {a.p99:5.1f} ms): {a.rps / b.rps:6.1%}"
            )
        report(args, bare, app)
    finally:
        for proc in procs:
            stop(proc)
        if cluster is not None:
            cluster.stop()


def check_orders(url: str, expected: float) -> None:
    """Every request made an order and the volume counters balance (non-2xx would show)."""
    from sqlalchemy import func, select

    from procurement.db import make_engine
    from procurement.orders.models import ContractVolume, OrderLine

    engine = make_engine(url)
    # One snapshot for the three sums (READ COMMITTED would let a late commit fall between them).
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        lines = conn.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0)))
        ordered = conn.scalar(select(func.coalesce(func.sum(ContractVolume.ordered), 0)))
        count = conn.scalar(select(func.count()).select_from(OrderLine))
    engine.dispose()
    print(
        f"orders written: {count} ({expected:.0f} in the measured rounds plus warm-up); "
        f"sum of lines {lines} = ordered {ordered}: {'ok' if lines == ordered else 'MISMATCH'}"
    )


def report(args, bare: Run, app: Run) -> None:
    ratio = app.rps / bare.rps
    print(
        f"workers {args.workers}, connections {args.connections}, {args.rounds} rounds of "
        f"{args.seconds}s each, alternating"
    )
    print(
        f"bare Flask endpoint: {bare.rps:10.1f} req/s   p99 {bare.p99:7.2f} ms   {bare.cpu_line()}"
    )
    print(f"order placement:     {app.rps:10.1f} req/s   p99 {app.p99:7.2f} ms   {app.cpu_line()}")
    cores = os.cpu_count() or 1
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {cores} cores")
    errors = sum(map(int, re.findall(r"Non-2xx or 3xx responses: (\d+)", app.output)))
    if errors:
        print(f"non-2xx responses in the order rounds: {errors}")
    print(  # the headline, last
        f"ratio orders/bare:   {ratio:10.1%}   (goal >= 15%, p99 < 100 ms: "
        f"{'met' if ratio >= 0.15 and app.p99 < 100 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
