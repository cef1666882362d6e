"""Award runs: start (select, volumes, allocate every lot, store), list, read, compare."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.award.allocation import SolverOptions
from procurement.award.errors import (
    AwardRunNotFound,
    RunsOfDifferentTenders,
    TenderAlreadyAwarded,
    TenderNotOpened,
)
from procurement.award.models import AwardLotResult, AwardRun, LotStatus, RunStatus
from procurement.award.optimizer import allocate_many
from procurement.award.services.inputs import RunOptions, inputs_digest, load_inputs
from procurement.award.services.solving import LotPlan, lot_row, plan_lot
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.catalog.rules import RulesSet
from procurement.catalog.services.common import require_owner, visible_tender
from procurement.core.errors import Conflict
from procurement.jobs import defer
from procurement.jobs.models import Job

Progress = Callable[[int, int], None]


def owned_tender(session: Session, tender_id: int, actor: Actor, action: str, *, lock=False):
    """The tender, for its own regulator only (403 for other organizations)."""
    actor.require(write=False, action=action)
    tender = visible_tender(session, tender_id, actor, lock=lock)
    require_owner(tender, actor, action)
    return tender


def runnable_tender(
    session: Session, *, tender_id: int, options: RunOptions, actor: Actor, lock: bool = False
) -> Tender:
    """The tender an award run may start on now (its regulator, opened), or the refusal."""
    options.check()
    actor.require(write=True, action="run the award")
    tender = owned_tender(session, tender_id, actor, "run the award", lock=lock)
    if tender.status != TenderStatus.OPENED:
        raise _not_opened(tender)
    return tender


def ask_award_run(
    session: Session, *, tender_id: int, options: RunOptions | None = None, actor: Actor
) -> Job:
    """Ask for an award run as a job (checked now, run by a worker or inline after the
    commit); the job shows its progress (lots solved of lots) and links the run."""
    options = options or RunOptions()
    runnable_tender(session, tender_id=tender_id, options=options, actor=actor)
    job = defer(
        session,
        "award.run",
        actor=actor,
        subject=("tender", tender_id),
        tender_id=tender_id,
        options=asdict(options),
    )
    session.commit()
    return job


def start_award_run(
    session: Session,
    *,
    tender_id: int,
    options: RunOptions | None = None,
    workers: int = 1,
    now: datetime,
    actor: Actor,
    progress: Progress | None = None,
) -> AwardRun:
    """Run the award for an opened tender (its regulator): selection, agreed volumes and the
    allocation of every lot; infeasible lots are recorded with their diagnosis. Re-runs are
    allowed until a run is confirmed. ``progress(done, total)`` hears of the lots solved."""
    options = options or RunOptions()
    tender = runnable_tender(session, tender_id=tender_id, options=options, actor=actor, lock=True)
    rules = RulesSet.from_dict(tender.rules_snapshot or {})
    resolved = options.resolved(rules)
    lots = load_inputs(session, tender)
    digest = inputs_digest(tender, lots, tender.rules_snapshot or {}, resolved)
    plans = [plan_lot(item, rules, resolved, tender.contract_years, now=now) for item in lots]
    results = _solve(plans, resolved, workers, progress)
    run = AwardRun(
        tender_id=tender.id,
        number=_next_number(session, tender.id),
        inputs_digest=digest,
        rules_snapshot=tender.rules_snapshot or {},
        options=resolved,
        solver=resolved["solver"],
        started_at=now,
        finished_at=now,
        started_by_org_id=actor.org_id,
        started_by_user_id=actor.user_id,
        status=RunStatus.SUCCEEDED,
    )
    run.lots = [lot_row(p, r, resolved["granularity"]) for p, r in zip(plans, results, strict=True)]
    _summarize(run)
    session.add(run)
    session.flush()
    record(
        session,
        action="award.run_started",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload=_audit_payload(run),
    )
    session.commit()
    return run


def _not_opened(tender: Tender) -> Conflict:
    if tender.status in (TenderStatus.AWARDED, TenderStatus.IN_FORCE, TenderStatus.CLOSED):
        return TenderAlreadyAwarded(tender_code=tender.code, current_status=tender.status.value)
    return TenderNotOpened(tender_code=tender.code, current_status=tender.status.value)


def _solve(
    plans: list[LotPlan], resolved: dict[str, Any], workers: int, progress: Progress | None
) -> list:
    solver = SolverOptions(
        solver=resolved["solver"],
        time_limit_s=float(resolved["time_limit_s"]),
        mip_gap=float(resolved["mip_gap"]),
        fallback=resolved["fallback"],
    )
    problems = [p.problem for p in plans if p.problem is not None]
    answers: list = []
    step = max(1, workers)  # a pool's worth of lots at a time, so progress moves
    for start in range(0, len(problems), step):
        answers += allocate_many(problems[start : start + step], solver, workers=workers)
        if progress is not None:  # lots solved of lots (a lot without bids needs no solving)
            progress(len(plans) - len(problems) + len(answers), len(plans))
    solved = iter(answers)
    return [next(solved) if p.problem is not None else None for p in plans]


def _next_number(session: Session, tender_id: int) -> int:
    last = session.scalar(select(func.max(AwardRun.number)).where(AwardRun.tender_id == tender_id))
    return (last or 0) + 1


def _summarize(run: AwardRun) -> None:
    statuses = {lot.status for lot in run.lots}
    if LotStatus.ERROR in statuses:
        run.status = RunStatus.FAILED
    elif LotStatus.INFEASIBLE in statuses:
        run.status = RunStatus.INFEASIBLE
    else:
        run.status = RunStatus.SUCCEEDED
    ok = [lot for lot in run.lots if lot.status == LotStatus.OK]
    run.objective = sum((lot.objective or Decimal(0) for lot in ok), Decimal("0.00"))
    gaps = [lot.gap for lot in ok if lot.gap is not None]
    run.gap = max(gaps) if gaps else None
    run.build_s = sum(lot.build_s or 0.0 for lot in run.lots)
    run.solve_s = sum(lot.solve_s or 0.0 for lot in run.lots)
    run.total_s = sum(lot.total_s or 0.0 for lot in run.lots)
    counts = {s.value: sum(lot.status == s for lot in run.lots) for s in LotStatus}
    run.message = ", ".join(f"{n} {s}" for s, n in counts.items() if n)


def _audit_payload(run: AwardRun) -> dict[str, Any]:
    return {
        "run": run.id,
        "number": run.number,
        "status": run.status.value,
        "inputs_digest": run.inputs_digest,
        "options": run.options,
        "lots": {lot.lot_code: lot.status.value for lot in run.lots},
        "objective": str(run.objective),
    }


def list_award_runs(session: Session, *, tender_id: int, actor: Actor) -> list[AwardRun]:
    """A tender's award runs, newest first (its regulator)."""
    tender = owned_tender(session, tender_id, actor, "see the award runs")
    query = select(AwardRun).where(AwardRun.tender_id == tender.id)
    return list(session.scalars(query.order_by(AwardRun.number.desc())))


def get_award_run(session: Session, *, run_id: int, actor: Actor, lock: bool = False) -> AwardRun:
    """One award run with its per-lot results (the tender's regulator; 404 for others)."""
    actor.require(write=False, action="see award runs")
    run = session.get(AwardRun, run_id, with_for_update=lock or None)
    if run is None:
        raise AwardRunNotFound(run_id=run_id)
    owned_tender(session, run.tender_id, actor, "see the award runs")
    return run


@dataclass
class LotComparison:
    lot_code: str
    status: tuple[str | None, str | None]
    winners: tuple[list[str], list[str]]
    objective: tuple[Decimal | None, Decimal | None]
    objective_difference: Decimal | None
    allocation_differences: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunComparison:
    run: AwardRun
    other: AwardRun
    same_inputs: bool
    lots: list[LotComparison]


def compare_award_runs(session: Session, *, run_id: int, other_id: int, actor: Actor):
    """Per lot: status, winners, objective and allocation differences of two runs."""
    run = get_award_run(session, run_id=run_id, actor=actor)
    other = get_award_run(session, run_id=other_id, actor=actor)
    if run.tender_id != other.tender_id:
        raise RunsOfDifferentTenders(run_id=run.id, other_id=other.id)
    a = {lot.lot_code: lot for lot in run.lots}
    b = {lot.lot_code: lot for lot in other.lots}
    lots = [_compare_lot(code, a.get(code), b.get(code)) for code in sorted(set(a) | set(b))]
    return RunComparison(run, other, run.inputs_digest == other.inputs_digest, lots)


def _winner_names(lot: AwardLotResult | None) -> list[str]:
    return [] if lot is None else [o.manufacturer.name for o in lot.winners]


def _compare_lot(code: str, a: AwardLotResult | None, b: AwardLotResult | None):
    obj_a, obj_b = (a.objective if a else None), (b.objective if b else None)
    diff = obj_b - obj_a if obj_a is not None and obj_b is not None else None
    qa = _quantities(a)
    qb = _quantities(b)
    changes = [
        {"hospital": key[0], "manufacturer": key[1], "quantity": [qa.get(key, 0), qb.get(key, 0)]}
        for key in sorted(set(qa) | set(qb))
        if qa.get(key, 0) != qb.get(key, 0)
    ]
    return LotComparison(
        code,
        (a.status.value if a else None, b.status.value if b else None),
        (_winner_names(a), _winner_names(b)),
        (obj_a, obj_b),
        diff,
        changes,
    )


def _quantities(lot: AwardLotResult | None) -> dict[tuple[str, str], int]:
    if lot is None:
        return {}
    return {(a.hospital.name, a.manufacturer.name): a.quantity for a in lot.allocations}
