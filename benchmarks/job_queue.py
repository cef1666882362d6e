"""Job queue throughput on PostgreSQL: jobs per second through one and then two
``procurement worker`` processes (procrastinate).

Usage: ``python benchmarks/job_queue.py [--jobs 500] [--concurrency 1]``

Uses ``BENCH_DATABASE_URL`` (an empty PostgreSQL database: it is wiped) or starts a throwaway
cluster with initdb/pg_ctl on a loopback port (durability off, as .ci/run and the orders
benchmark do). The schema is built by the migrations (procrastinate's with it). For each
worker count the workers are started and registered first; then ``--jobs`` jobs
(``jobs.ping``: the whole path of a job, with nothing of its own to do) are deferred in one
transaction, exactly as a request does, and the clock runs from that commit until every job
has succeeded. Printed per worker count: jobs/s, and the delay from commit to a job's end
(p50, p99). The last line is the headline: jobs/s with one and with two workers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.orders_throughput import Cluster  # noqa: E402


@contextmanager
def database():
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        yield url
        return
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def prepare(url: str):
    """Wipe the database and migrate it; an engine on it."""
    from sqlalchemy import text

    from procurement import migrate
    from procurement.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    return engine


def start_workers(url: str, count: int, concurrency: int) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PROCUREMENT_JOB_QUEUE": "procrastinate",
        "PROCUREMENT_ENV": "testing",
    }
    command = [sys.executable, "-c", "from procurement.cli import main; main()", "worker"]
    return [
        subprocess.Popen(
            [*command, "--concurrency", str(concurrency)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def wait_registered(engine, count: int) -> None:
    from sqlalchemy import text

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.scalar(text("SELECT count(*) FROM procrastinate_workers")) >= count:
                return
        time.sleep(0.2)
    raise SystemExit("the workers did not start")


def measure(engine, url: str, workers: int, jobs: int, concurrency: int) -> dict:
    from sqlalchemy import func, select, text
    from sqlalchemy.orm import Session

    from procurement.jobs import defer
    from procurement.jobs.models import Job, JobStatus
    from procurement.jobs.services import install

    with engine.begin() as conn:
        conn.execute(text("TRUNCATE jobs, procrastinate_jobs CASCADE"))
        conn.execute(text("DELETE FROM procrastinate_workers"))
    install(queue="procrastinate")
    processes = start_workers(url, workers, concurrency)
    try:
        wait_registered(engine, workers)
        with Session(engine, expire_on_commit=False) as session:
            for i in range(jobs):
                defer(session, "jobs.ping", note=str(i))
            session.commit()
            committed = time.monotonic()
            count = select(func.count()).where(Job.status == JobStatus.SUCCEEDED)
            while session.scalar(count) < jobs:
                session.rollback()
                time.sleep(0.05)
            elapsed = time.monotonic() - committed
            delays = [
                (f - c).total_seconds()
                for c, f in session.execute(select(Job.created_at, Job.finished_at))
            ]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    delays.sort()
    return {
        "workers": workers,
        "rate": jobs / elapsed,
        "elapsed": elapsed,
        "p50": statistics.median(delays),
        "p99": delays[int(0.99 * (len(delays) - 1))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500, help="jobs per measurement")
    parser.add_argument("--concurrency", type=int, default=1, help="jobs side by side per worker")
    args = parser.parse_args()
    with database() as url:
        engine = prepare(url)
        results = [measure(engine, url, n, args.jobs, args.concurrency) for n in (1, 2)]
        engine.dispose()
    for r in results:
        print(
            f"{r['workers']} worker(s): {args.jobs} jobs in {r['elapsed']:.1f} s = "
            f"{r['rate']:.1f} jobs/s; commit to done p50 {r['p50']:.2f} s, p99 {r['p99']:.2f} s"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    one, two = results
    print(  # the headline, last
        f"job queue on PostgreSQL: {one['rate']:.1f} jobs/s with one worker, "
        f"{two['rate']:.1f} jobs/s with two ({two['rate'] / one['rate']:.2f}x)"
    )


if __name__ == "__main__":
    main()
