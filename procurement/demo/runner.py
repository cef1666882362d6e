"""Run the whole demo: prepare the database, build the world, walk the year, summarize.

Stages report their counts and elapsed seconds through ``progress(line)``; the CLI prints them.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.core.clock import FrozenClock
from procurement.core.errors import Conflict
from procurement.db import make_engine, make_session_factory
from procurement.demo import data, walk
from procurement.demo.oversight import Oversight
from procurement.demo.summary import Summary, summarize
from procurement.demo.world import World, build_world
from procurement.demo.year import Year

Progress = Callable[[str], None]
T = TypeVar("T")


@dataclass
class DemoResult:
    world: World
    summary: Summary
    seconds: float


def _fast_sqlite(dbapi_connection, _record) -> None:
    # A demo database may lose its last transactions in a power cut: fine for a demo, and
    # several times faster than a sync on every commit.
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def prepare_database(url: str, *, fresh: bool) -> Engine:
    """Recreate the schema from the migrations (``fresh``), or upgrade it in place."""
    from procurement import migrate

    parsed = make_url(url)
    sqlite_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (
        None,
        "",
        ":memory:",
    )
    if fresh and sqlite_file:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    if sqlite_file:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _fast_sqlite)
    if fresh and not sqlite_file:
        _drop_everything(engine)
    migrate.upgrade(engine)
    return engine


def _drop_everything(engine: Engine) -> None:
    import procurement.models  # noqa: F401  (fills the metadata)
    from procurement.db import Base

    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        if inspect(conn).has_table("alembic_version"):
            conn.execute(text("DROP TABLE alembic_version"))


def check_empty(session: Session) -> None:
    if session.scalar(select(Organization.id).where(Organization.code == data.REGULATOR[0])):
        raise Conflict(
            "This database already holds the demo; run `procurement demo` without --keep "
            "(the default, --fresh) to rebuild it.",
            code="demo-exists",
        )


class Stages:
    """Times each stage and reports one line when it ends."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.started = time.perf_counter()

    def run(self, name: str, step: Callable[[], T], describe: Callable[[T], str]) -> T:
        t0 = time.perf_counter()
        result = step()
        took = time.perf_counter() - t0
        self.progress(f"  {name:<26} {took:6.1f}s  {describe(result)}".rstrip())
        return result

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def run_demo(
    engine: Engine, *, seed: int, scale: float, sealer, progress: Progress = print
) -> DemoResult:
    """Build the world and walk one contract year; every change goes through the services."""
    session = make_session_factory(engine)()
    try:
        check_empty(session)
        return _walk(session, seed=seed, scale=scale, sealer=sealer, progress=progress)
    finally:
        session.close()


def _walk(session: Session, *, seed: int, scale: float, sealer, progress: Progress) -> DemoResult:
    clock = FrozenClock(datetime(2024, 9, 1, tzinfo=UTC))
    rng = random.Random(seed * 7919 + 1)
    stages = Stages(progress)
    world = stages.run(
        "world, tender and demand",
        lambda: build_world(session, seed=seed, scale=scale, clock=clock),
        lambda w: (
            f"{w.counts['hospitals']} hospitals, {w.counts['manufacturers']} manufacturers, "
            f"{w.counts['lots']} lots, {w.counts['demand_reports']} demand reports"
        ),
    )
    stages.run("bids", lambda: walk.submit_bids(session, world, rng, sealer), _bids_line(world))
    stages.run("opening", lambda: walk.open_tender(session, world, sealer), _opening_line)
    stages.run("award, contracts", lambda: walk.run_award(session, world), _award_line)
    year, oversight = Year(session, world, rng), Oversight(session, world, rng)
    stages.run("advances", oversight.pay_advances, lambda n: f"{n} hospitals")
    for month in range(1, 13):
        stages.run(f"month {month:2d}", lambda m=month: _month(year, oversight, m), str)
    stages.run("year-end, credit", oversight.close_year, lambda n: f"{n} credit events")
    return DemoResult(world, summarize(session, world), stages.elapsed)


def _bids_line(world: World) -> Callable[[Counter], str]:
    def line(tally: Counter) -> str:
        refused = sum(v for k, v in tally.items() if k.startswith("refused"))
        return (
            f"{world.counts['products']} products, {tally['submitted']} bids, "
            f"{refused} refused, {tally['accepted above the ceiling']} above the ceiling"
        )

    return line


def _opening_line(result) -> str:
    return f"{result.total_bids} bids opened, {sum(lot.valid for lot in result.lots)} valid"


def _award_line(out: walk.AwardOutcome) -> str:
    return (
        f"run {out.first_run} infeasible on {', '.join(out.infeasible_lots) or 'none'}; "
        f"run {out.final_run} with reserves on {', '.join(out.fallback_lots) or 'none'}; "
        f"{out.contracts} contracts in force"
    )


def _month(year: Year, oversight: Oversight, month: int) -> str:
    placed = year.month(month)
    oversight.settle(month)
    oversight.watch(month)
    t = year.tally
    escalated = sum(oversight.tally.escalations.values())
    return (
        f"{placed} orders; year so far: {t.rejected} rejected, {t.late_shipments} late, "
        f"{t.rejected_batches} batches refused, {oversight.tally.runs} payment runs, "
        f"{oversight.tally.evaluations['raised']} alerts, {escalated} escalations"
    )
