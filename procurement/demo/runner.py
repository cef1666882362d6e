"""Run the whole demo: prepare the database, build the world, walk the year, summarize.

Stages report their counts and elapsed seconds through ``progress(line)``; the CLI prints them.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.core.clock import FrozenClock
from procurement.db import make_engine, make_session_factory
from procurement.demo import brands, data, walk
from procurement.demo.community import build_community
from procurement.demo.errors import DemoExists
from procurement.demo.listing import file_listing_requests
from procurement.demo.oversight import Oversight
from procurement.demo.pharmacy import build_pharmacy
from procurement.demo.prices import price_outlier
from procurement.demo.reconcile import Reconciling
from procurement.demo.shortage import shortage_gap
from procurement.demo.summary import Summary, summarize
from procurement.demo.trace import Tracing
from procurement.demo.world import (
    Round,
    Timeline,
    World,
    add_months,
    at,
    bar_one_maker,
    build_world,
    create_tender,
    report_demand,
    timeline,
)
from procurement.demo.year import Year

Progress = Callable[[str], None]
PAST_MONTHS = 7  # this year's contract year began about seven months before the demo's today
LAST_LOTS, THIS_LOTS, NEXT_LOTS = 7, 20, 6  # lots per tender at scale 1 (at most)
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
    from procurement import migrate
    from procurement.db import Base

    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        if inspect(conn).has_table("alembic_version"):
            conn.execute(text("DROP TABLE alembic_version"))
        if conn.dialect.name == "postgresql":  # the job queue's own tables, types, functions
            conn.execute(text(migrate.QUEUE_DROP))


def check_empty(session: Session) -> None:
    if session.scalar(select(Organization.id).where(Organization.code == data.REGULATOR[0])):
        raise DemoExists()


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
    engine: Engine,
    *,
    seed: int,
    scale: float,
    today: date,
    sealer,
    progress: Progress = print,
) -> DemoResult:
    """Build the world and walk it up to ``today``; every change goes through the services."""
    session = make_session_factory(engine)()
    try:
        check_empty(session)
        return _walk(session, seed=seed, scale=scale, today=today, sealer=sealer, progress=progress)
    finally:
        session.close()


def plan_rounds(today: date, scale: float) -> tuple[Round, Round, Round]:
    """Last year's tender (its contract year over, year-end done), this year's (its contract
    year began about seven months before ``today``) and the next one (open for bids today).

    Last year's batch bought hospital drugs (injections and specialty medicines primary care
    does not use), so its year is walked for the city and county hospitals; this year's is the
    large batch of common drugs; the next takes drugs neither has."""
    this_start = add_months(today.replace(day=1), -PAST_MONTHS)
    drugs = data.DRUGS
    this_drugs = drugs[: max(4, min(len(drugs), round(THIS_LOTS * scale)))]
    hospital_drugs = [d for d in drugs if not d.common or d.dosage_class == "injection"]
    last_drugs = hospital_drugs[: max(4, round(LAST_LOTS * scale))]
    rest = [d for d in drugs if d not in this_drugs and d not in last_drugs]
    next_drugs = rest[: max(2, round(NEXT_LOTS * scale))] or drugs[-2:]
    month = (today - timedelta(days=26)).replace(day=1)  # the next tender's bidding month
    next_timeline = Timeline(
        created=at(month.replace(day=8)),
        demand_deadline=at(month.replace(day=15), 17),
        bidding_opens=at(month.replace(day=16), 10),
        bid_deadline=at(today + timedelta(days=14), 17),
        opening_at=at(today + timedelta(days=15), 9, 30),
        contract_start=add_months(today.replace(day=1), 3),
    )
    return (
        Round(1, timeline(add_months(this_start, -12)), last_drugs),
        Round(2, timeline(this_start), this_drugs, brand_reporting=True),
        Round(3, next_timeline, next_drugs),
    )


def _walk(
    session: Session, *, seed: int, scale: float, today: date, sealer, progress: Progress
) -> DemoResult:
    last, this, upcoming = plan_rounds(today, scale)
    clock = FrozenClock(last.timeline.created)
    rng = random.Random(seed * 7919 + 1)
    stages = Stages(progress)
    world = stages.run(
        "organizations, logins",
        lambda: _build(session, seed=seed, scale=scale, clock=clock),
        lambda w: (
            f"{w.counts['hospitals']} hospitals, {w.counts['manufacturers']} manufacturers, "
            f"a medical community of {len(w.community.members)}"
        ),
    )
    world.rounds = [last, this, upcoming]
    world.shortage_gap = shortage_gap(today)
    bar_one_maker(session, world, until=at(add_months(this.timeline.contract_start, 12)))
    tender = _TenderSteps(stages, session, world, rng, sealer)
    tender.demand(last)
    tender.bids_and_award(last)
    tender.in_force(last)
    last_year, last_watch = Year(session, world, last, rng), Oversight(session, world, last, rng)
    last_watch.reconciling = Reconciling(session, world)
    stages.run(f"{last.code} advances", last_watch.pay_advances, lambda n: f"{n} hospitals")
    between = {
        9: lambda: tender.demand(this),
        10: lambda: tender.bids_and_award(this),
        12: lambda: tender.in_force(this),
    }
    for month in range(1, 13):
        stages.run(
            f"{last.code} month {month:2d}",
            lambda m=month: _month(last_year, last_watch, m, between.get(m)),
            str,
        )
    this_year = _this_year(stages, session, world, rng, tender, last_watch, today=today)
    stages.run(
        "listing requests",
        lambda: file_listing_requests(session, world),
        lambda n: f"{n} filed, one pending above 1.5x the winning price",
    )
    stages.run(
        f"{this.code} yesterday",
        lambda: this_year.present(today - timedelta(days=1)),
        lambda counts: (
            f"{counts[0]} orders to confirm, {counts[1]} shipments to receive, "
            f"{counts[2]} receipts to pay"
        ),
    )
    stages.run(
        f"{this.code} price outlier",
        lambda: price_outlier(this_year, today - timedelta(days=1)),
        lambda n: f"{n} price outlier alert(s) open",
    )
    stages.run(
        f"{this.code} codes",
        lambda: Tracing(session, world, this_year).evening(today - timedelta(days=1)),
        lambda n: f"{n[0]} boxes coded, {n[1]} deliveries received by scan, {n[2]} alert",
    )
    stages.run(
        "pharmacy chain",
        lambda: build_pharmacy(session, world, this, rng),
        str,
    )
    return DemoResult(world, summarize(session, world), stages.elapsed)


def _build(session: Session, *, seed: int, scale: float, clock: FrozenClock) -> World:
    world = build_world(session, seed=seed, scale=scale, clock=clock)
    world.community = build_community(session, world)
    return world


def _this_year(
    stages: Stages,
    session: Session,
    world: World,
    rng: random.Random,
    tender: _TenderSteps,
    last_watch: Oversight,
    *,
    today: date,
) -> Year:
    """The running contract year, month by month up to today: last year's close and credit in
    its first month, the next round's call for bids when its month comes; settlement and
    watching only for the months whose day for them has passed."""
    last, this, upcoming = world.rounds
    this_year, this_watch = Year(session, world, this, rng), Oversight(session, world, this, rng)
    this_watch.reconciling = last_watch.reconciling  # last year's final month is issued now
    stages.run(f"{this.code} advances", this_watch.pay_advances, lambda n: f"{n} hospitals")
    next_month = upcoming.timeline.created.date().replace(day=1)
    for month in range(1, 13):
        first = add_months(this.timeline.contract_start, month - 1)
        if first.replace(day=7) > today:
            break
        if month == 1:
            step = lambda: stages.run(  # noqa: E731
                f"{last.code} year-end, credit", last_watch.close_year, lambda n: f"{n} events"
            )
        elif first == next_month:
            step = lambda: tender.open_for_bids(upcoming)  # noqa: E731
        else:
            step = None
        stages.run(
            f"{this.code} month {month:2d}",
            lambda m=month, s=step, f=first: _month(
                this_year,
                this_watch,
                m,
                s,
                settle=f.replace(day=26) <= today,
                watch=f.replace(day=29) <= today,
            ),
            str,
        )
    return this_year


class _TenderSteps:
    """A round's tender from creation to contracts in force, each step a stage line."""

    def __init__(self, stages: Stages, session: Session, world: World, rng, sealer) -> None:
        self.stages, self.session, self.world, self.rng = stages, session, world, rng
        self.sealer = sealer

    def demand(self, rnd: Round) -> None:
        self.stages.run(
            f"{rnd.code} tender, demand",
            lambda: self._create(rnd),
            lambda rows: f"{len(rnd.lots)} lots, {rows} demand lines confirmed",
        )

    def _create(self, rnd: Round) -> int:
        create_tender(self.session, self.world, rnd)
        named = brands.prepare(self.session, self.world, rnd) if rnd.brand_reporting else None
        return report_demand(self.session, self.world, rnd, self.rng, named)

    def bids(self, rnd: Round, **kwargs) -> None:
        self.stages.run(
            f"{rnd.code} bids",
            lambda: walk.submit_bids(
                self.session, self.world, rnd, self.rng, self.sealer, **kwargs
            ),
            _bids_line,
        )

    def bids_and_award(self, rnd: Round) -> None:
        self.bids(rnd)
        self.stages.run(
            f"{rnd.code} opening",
            lambda: walk.open_tender(self.session, self.world, rnd, self.sealer),
            _opening_line,
        )
        self.stages.run(
            f"{rnd.code} award", lambda: walk.run_award(self.session, self.world, rnd), _award_line
        )

    def in_force(self, rnd: Round) -> None:
        self.stages.run(
            f"{rnd.code} in force",
            lambda: walk.put_in_force(self.session, self.world, rnd),
            lambda n: f"distributor appointed on {n} lots",
        )

    def open_for_bids(self, rnd: Round) -> None:
        """The next tender: demand confirmed, bidding open until after today; the demo's own
        manufacturer login has not bid yet (its clerk can)."""
        self.demand(rnd)
        until = rnd.timeline.bidding_opens + timedelta(days=7)
        self.bids(rnd, until=until, holdouts={self.world.makers[0].code})


def _bids_line(tally: Counter) -> str:
    refused = sum(v for k, v in tally.items() if k.startswith("refused"))
    return (
        f"{tally['products']} products, {tally['submitted']} bids, "
        f"{refused} refused, {tally['accepted above the ceiling']} above the ceiling"
    )


def _opening_line(result) -> str:
    return f"{result.total_bids} bids opened, {sum(lot.valid for lot in result.lots)} valid"


def _award_line(out: walk.AwardOutcome) -> str:
    return (
        f"run {out.first_run} infeasible on {', '.join(out.infeasible_lots) or 'none'}; "
        f"run {out.final_run} with reserves on {', '.join(out.fallback_lots) or 'none'}; "
        f"{out.contracts} contracts in force"
    )


def _month(
    year: Year,
    oversight: Oversight,
    month: int,
    between: Callable[[], object] | None = None,
    *,
    settle: bool = True,
    watch: bool = True,
) -> str:
    """Last month's reconciliation issued and invoiced (the 2nd), the month's orders (days
    3-6), what else happens before the 25th (``between``), the settlement run on the 25th
    (silence confirming the reconciliations first) and the compliance check on the 28th (each
    if already past)."""
    oversight.open_month(month)
    placed = year.month(month)
    community = year.world.community.month(year, month) if year.world.community else 0
    if between is not None:
        between()
    if settle:
        oversight.close_reconciliations(month)
        oversight.settle(month)
    if watch:
        oversight.watch(month)
    t = year.tally
    escalated = sum(oversight.tally.escalations.values())
    return (
        f"{placed} orders{f' (+{community} by the community)' if community else ''}; "
        f"year so far: {t.rejected} rejected, {t.late_shipments} late, "
        f"{t.rejected_batches} batches refused, {oversight.tally.runs} payment runs, "
        f"{oversight.tally.evaluations['raised']} alerts, {escalated} escalations"
    )
