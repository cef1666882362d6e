"""Webhook delay: from the commit of a business event to its webhook's first delivery attempt
(the receiving endpoint getting the signed POST), p50 and p99.

Usage: ``python benchmarks/webhook_delay.py [--events 120] [--pace-ms 250]``

Uses ``BENCH_DATABASE_URL`` (an empty PostgreSQL database: it is wiped) or starts a throwaway
cluster with initdb/pg_ctl on a loopback port, as ``benchmarks/job_queue.py`` does. The schema is
built by the migrations. One ``procurement worker`` process (procrastinate) runs the delivery
jobs. A manufacturer subscribes a loopback endpoint (a ``http.server`` in this process, verifying
each signature with ``standardwebhooks``) to ``order.placed``; then ``--events`` events are
written one transaction each (``record_event`` and its delivery job in the same transaction, as
a business service does), ``--pace-ms`` apart: slower than one worker's throughput, so the
figure is the latency of a delivery, not the wait behind a backlog (the queue's throughput is
``benchmarks/job_queue.py``'s figure). Delay = the receiver's clock when the POST
arrives minus the clock just before that transaction's commit. The same is then measured
without a queue (SQLite, the inline default: the attempt runs as the commit returns). The last
line is the headline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.job_queue import database, prepare, start_workers, wait_registered  # noqa: E402


class Receiver:
    """A loopback endpoint: the arrival time of each message id, each signature verified."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.bad = 0
        self.secret = ""
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                at = time.time()
                from standardwebhooks.webhooks import Webhook

                body = self.rfile.read(int(self.headers["content-length"])).decode()
                try:
                    Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                except Exception:
                    receiver.bad += 1
                with receiver.lock:
                    receiver.arrived.setdefault(self.headers["webhook-id"], at)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def setup(engine, receiver: Receiver) -> int:
    """A manufacturer's admin subscribes the receiver; returns the manufacturer's id."""
    from sqlalchemy.orm import Session

    from procurement.auth import services as auth
    from procurement.auth.services import actor_of
    from procurement.events.services import subscriptions

    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        org = auth.create_org(
            session,
            code="BENCHM",
            name="bench maker",
            kind="manufacturer",
            region_code="320000",
            now=now,
        )
        user = auth.create_user(
            session,
            org_code=org.code,
            username="bench-admin",
            password="bench horse battery",
            role="admin",
            now=now,
        )
        issued = subscriptions.create_subscription(
            session,
            url=receiver.url,
            event_types=["order.placed"],
            allow_loopback_http=True,
            now=now,
            actor=actor_of(user),
        )
        receiver.secret = issued.secret
        return org.id


def emit(engine, org_id: int, events: int, pace: float) -> dict[str, float]:
    """Write ``events`` events, one committed transaction each; message id -> commit time."""
    from sqlalchemy.orm import Session

    from procurement.events.services import record_event
    from procurement.events.types import EventType

    committed: dict[str, float] = {}
    with Session(engine, expire_on_commit=False) as session:
        for i in range(events):
            event = record_event(
                session,
                EventType.ORDER_PLACED,
                "purchase_order",
                i + 1,
                audience=[org_id],
                payload={"order_id": i + 1, "total_amount": "12.34"},
                now=datetime.now(UTC),
            )
            session.flush()
            committed[event.message_id] = time.time()
            session.commit()
            time.sleep(pace)
    return committed


def delays(receiver: Receiver, committed: dict[str, float], timeout: float = 120) -> list[float]:
    deadline = time.monotonic() + timeout
    while len(receiver.arrived) < len(committed) and time.monotonic() < deadline:
        time.sleep(0.05)
    if len(receiver.arrived) < len(committed):
        raise SystemExit(f"only {len(receiver.arrived)} of {len(committed)} webhooks arrived")
    return sorted((receiver.arrived[k] - t) * 1000 for k, t in committed.items())


def measure_queue(url: str, events: int, pace: float) -> list[float]:
    from procurement.events import runtime
    from procurement.jobs.services import install

    engine = prepare(url)
    receiver = Receiver()
    org_id = setup(engine, receiver)
    install(queue="procrastinate")
    runtime.install(allow_loopback_http=True)
    os.environ["PROCUREMENT_WEBHOOKS_ALLOW_LOOPBACK_HTTP"] = "true"
    workers = start_workers(url, 1, 1)
    try:
        wait_registered(engine, 1)
        result = delays(receiver, emit(engine, org_id, events, pace))
    finally:
        for process in workers:
            process.terminate()
            process.wait(timeout=60)
        install(queue="")
        engine.dispose()
    assert receiver.bad == 0, f"{receiver.bad} signatures did not verify"
    return result


def measure_inline(events: int, pace: float) -> list[float]:
    from procurement import migrate
    from procurement.db import make_engine

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        migrate.upgrade(engine)
        receiver = Receiver()
        org_id = setup(engine, receiver)
        result = delays(receiver, emit(engine, org_id, events, pace))
        engine.dispose()
    assert receiver.bad == 0, f"{receiver.bad} signatures did not verify"
    return result


def summary(name: str, values: list[float]) -> str:
    p50 = statistics.median(values)
    p99 = values[int(0.99 * (len(values) - 1))]
    return (
        f"{name}: {len(values)} webhooks, commit to first attempt "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=120, help="events per measurement")
    parser.add_argument("--pace-ms", type=float, default=250.0, help="wait between events (ms)")
    args = parser.parse_args()
    pace = args.pace_ms / 1000
    with database() as url:
        queued = measure_queue(url, args.events, pace)
    inline = measure_inline(args.events, pace)
    print(summary("inline (SQLite, no queue; the attempt runs as the commit returns)", inline))
    print(summary("queue (PostgreSQL, procrastinate, one worker)", queued))
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    p50, p99 = statistics.median(queued), queued[int(0.99 * (len(queued) - 1))]
    print(  # the headline, last
        f"webhook delay on PostgreSQL with one worker: commit to first delivery attempt "
        f"p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )


if __name__ == "__main__":
    main()
