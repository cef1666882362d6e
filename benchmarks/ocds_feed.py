"""Benchmark of the OCDS change feed (GET /api/v1/ocds/releases) on an existing database, such
as the demo's: crawls the whole feed from the start, following links.next to the 204 that ends
it, and prints per page the wall and CPU time (median, 90th percentile, max) and the body size,
then the time of one page of the last month (``since``). Through the app's test client: no HTTP
server, so the figures are the app's and the database's alone.

    procurement demo --database-url sqlite:////tmp/demo.db
    python benchmarks/ocds_feed.py sqlite:////tmp/demo.db [--limit 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from procurement import create_app
from procurement.compliance.ocds_feed import rfc3339


def timed(client, url):
    wall, cpu = time.perf_counter(), time.process_time()
    reply = client.get(url)
    return reply, time.perf_counter() - wall, time.process_time() - cpu


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[int(len(ordered) * 0.9)]
    median = statistics.median(ordered)
    return f"median {median * 1000:.0f}, p90 {p90 * 1000:.0f}, max {ordered[-1] * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.database_url, "AUTO_MIGRATE": False})
    client, base = app.test_client(), app.config["PUBLIC_BASE_URL"]
    url, walls, cpus, sizes, releases = f"/api/v1/ocds/releases?limit={args.limit}", [], [], [], 0
    while url:
        reply, wall, cpu = timed(client, url)
        if reply.status_code == 204:
            break
        package = reply.get_json()
        walls.append(wall)
        cpus.append(cpu)
        sizes.append(len(reply.data))
        releases += len(package["releases"])
        url = package["links"]["next"].removeprefix(base)
    print(f"{len(walls)} pages of {args.limit}, {releases} releases")
    print(f"wall per page: {spread(walls)}")
    print(f"CPU per page:  {spread(cpus)}")
    print(f"bytes per page: median {statistics.median(sizes):.0f}, max {max(sizes)}")
    with app.app_context():
        month_ago = rfc3339(app.extensions["procurement"]["clock"].now() - timedelta(days=30))
    reply, wall, cpu = timed(
        client, f"/api/v1/ocds/releases?limit={args.limit}&since={month_ago.replace('+', '%2B')}"
    )
    count = len(reply.get_json()["releases"]) if reply.status_code == 200 else 0
    print(
        f"since {month_ago}: {count} releases, {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU"
    )


if __name__ == "__main__":
    main()
