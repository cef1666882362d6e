"""Simulation use cases: run rule variants on an opened tender or on an uploaded file of bids,
keep the run, read it back, re-run it. Nothing of the tender, its bids or its award changes:
the award's pure steps are called on the loaded inputs, and only the simulation's rows are
written."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor, require_kind
from procurement.auth.models import OrgKind
from procurement.award.allocation import SolverOptions
from procurement.award.models import AwardRun, RunStatus
from procurement.award.optimizer import allocate_many
from procurement.award.services.inputs import RunOptions, inputs_digest, load_inputs
from procurement.award.services.solving import LotPlan, plan_lot
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.catalog.rules import DEFAULT_PRESET, RulesSet
from procurement.catalog.services.common import require_owner, table_failure, visible_tender
from procurement.catalog.services.overrides import build_rules
from procurement.catalog.tabular import TableError
from procurement.simulation import upload as uploads
from procurement.simulation.comparison import compare
from procurement.simulation.engine import LotResult, lot_result
from procurement.simulation.errors import SimulationNotFound, TenderNotSimulable
from procurement.simulation.export import export_file
from procurement.simulation.models import Simulation, SimulationLotResult, SimulationVariant
from procurement.simulation.variants_services import Variant, resolve_variants

SIMULABLE = (TenderStatus.OPENED, TenderStatus.AWARDED, TenderStatus.IN_FORCE, TenderStatus.CLOSED)
ACTION = "simulate the rules"


def _require_regulator(actor: Actor | None, *, write: bool) -> Actor:
    require_kind(actor, (OrgKind.REGULATOR,), write=write, action=ACTION)
    assert actor is not None
    return actor


def simulable_tender(session: Session, tender_id: int, actor: Actor | None) -> Tender:
    """The tender, for its own regulator, once its bids are opened (404 before: prices stay
    sealed; 403 for another organization)."""
    actor = _require_regulator(actor, write=False)
    tender = visible_tender(session, tender_id, actor)
    if tender.status not in SIMULABLE:
        raise TenderNotSimulable(tender_id=tender_id)
    require_owner(tender, actor, ACTION)
    return tender


def _baseline(tender: Tender | None) -> Variant:
    if tender is not None:
        rules = tender.rules_snapshot or {}
        return Variant("", tender.rules_preset, {}, rules, baseline=True)
    return Variant("", DEFAULT_PRESET, {}, build_rules(DEFAULT_PRESET, {}), baseline=True)


def _solver(rules: RulesSet, fallback: str = "none") -> SolverOptions:
    alloc = rules.allocation
    return SolverOptions(
        solver=alloc.solver,
        time_limit_s=float(alloc.time_limit_s),
        mip_gap=float(alloc.mip_gap),
        fallback=fallback,
    )


def _award_options(session: Session, tender: Tender) -> dict[str, Any]:
    """What the tender's award chose beyond its rules, so that the baseline reproduces the
    award: the fallback of its latest successful run (e.g. reserve suppliers on a lot that is
    infeasible otherwise), "none" before any."""
    options = session.scalar(
        select(AwardRun.options)
        .where(AwardRun.tender_id == tender.id, AwardRun.status == RunStatus.SUCCEEDED)
        .order_by(AwardRun.id.desc())
        .limit(1)
    )
    return {"fallback": (options or {}).get("fallback", "none")}


def _simulation_rules(data: dict[str, Any]) -> RulesSet:
    """The variant's rules with cost disclosure off: a simulated winner is taken to file its
    cost breakdown (the award's disclosure step writes filings, which a simulation must not)."""
    rules = RulesSet.from_dict(data)
    selection = dataclasses.replace(rules.selection, cost_disclosure=False)
    return dataclasses.replace(rules, selection=selection)


def _tender_results(
    tender: Tender,
    lots: list,
    variants: list[Variant],
    now: datetime,
    workers: int,
    award: dict[str, Any],
) -> list[list[LotResult]]:
    out = []
    for variant in variants:
        rules = _simulation_rules(variant.rules)
        options = RunOptions(fallback=award["fallback"]).resolved(rules)
        plans = [plan_lot(item, rules, options, tender.contract_years, now=now) for item in lots]
        solver = _solver(rules, award["fallback"])
        solved = iter(
            allocate_many([p.problem for p in plans if p.problem is not None], solver, workers)
        )
        out.append([_tender_lot(p, next(solved) if p.problem else None) for p in plans])
    return out


def _tender_lot(plan: LotPlan, allocation: Any) -> LotResult:
    lot, bids = plan.inputs.lot, plan.inputs.bids
    return lot_result(
        code=lot.code,
        name=lot.generic_name,
        selection=plan.selection,
        names={str(b.manufacturer_id): b.manufacturer.name for b in bids},
        ratio=plan.ratio,
        demand=sum(d.quantity for d in plan.inputs.demand),
        agreed=sum(plan.agreed.values()),
        allocation=allocation,
        keys={str(b.id): b.manufacturer.code for b in bids},
        reference_price=lot.reference_unit_price,
        reserves={w.id: w.price for w in plan.problem.reserves} if plan.problem else {},
    )


def _upload_results(
    lots: list[uploads.UploadedLot], variants: list[Variant], workers: int
) -> list[list[LotResult]]:
    out = []
    for variant in variants:
        rules = _simulation_rules(variant.rules)
        plans = [uploads.plan_uploaded(lot, rules) for lot in lots]
        solved = iter(
            allocate_many(
                [p.problem for p in plans if p.problem is not None], _solver(rules), workers
            )
        )
        out.append([uploads.uploaded_result(p, next(solved) if p.problem else None) for p in plans])
    return out


def _digest(body: Any) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _rules_body(variants: list[Variant]) -> dict[str, Any]:
    return {"variants": [v.rules for v in variants]}


def _store(
    session: Session,
    variants: list[Variant],
    results: list[list[LotResult]],
    *,
    now: datetime,
    actor: Actor,
    **fields: Any,
) -> Simulation:
    simulation = Simulation(org_id=actor.org_id, ran_at=now, ran_by_user_id=actor.user_id, **fields)
    simulation.variants = [
        SimulationVariant(
            position=position,
            name=v.name,
            baseline=v.baseline,
            preset=v.preset,
            overrides=v.overrides,
            rules=v.rules,
            lots=[_row(r) for r in lots],
        )
        for position, (v, lots) in enumerate(zip(variants, results, strict=True))
    ]
    session.add(simulation)
    session.flush()
    record(
        session,
        action="simulation.run",
        subject_type="simulation",
        subject_id=simulation.id,
        now=now,
        actor=actor,
        payload={
            "tender": simulation.tender_id,
            "file": simulation.filename,
            "inputs_digest": simulation.inputs_digest,
            "variants": [v.name or v.preset for v in variants],
        },
    )
    session.commit()
    session.expire_all()  # read back as stored (Numeric places), as a later read shows it
    return simulation


def _row(r: LotResult) -> SimulationLotResult:
    return SimulationLotResult(
        lot_code=r.lot_code,
        lot_name=r.lot_name,
        status=r.status.value,
        winner_count=len(r.winners),
        anchor_price=r.anchor,
        volume_ratio=r.ratio,
        total_demand=r.demand,
        agreed=r.agreed,
        spend=r.spend,
        reference_spend=r.reference_spend,
        winners=[w.as_json() for w in r.winners],
        note=r.note,
    )


def simulate_tender(
    session: Session,
    *,
    tender_id: int,
    variants: list[dict[str, Any]],
    now: datetime,
    actor: Actor | None,
    workers: int = 1,
) -> Simulation:
    """Run rule variants on an opened tender's bids beside its own rules (the baseline) and
    keep the comparison; the tender, its bids and its award stay as they are."""
    actor = _require_regulator(actor, write=True)
    tender = simulable_tender(session, tender_id, actor)
    chosen = [_baseline(tender), *resolve_variants(variants)]
    return _run_tender(session, tender, chosen, now=now, actor=actor, workers=workers)


def _run_tender(session, tender, chosen, *, now, actor, workers, rerun_of=None) -> Simulation:
    _stored_values(session)
    lots = load_inputs(session, tender)
    award = _award_options(session, tender)
    digest = inputs_digest(tender, lots, _rules_body(chosen), award)
    results = _tender_results(tender, lots, chosen, now, workers, award)
    return _store(
        session,
        chosen,
        results,
        now=now,
        actor=actor,
        tender_id=tender.id,
        inputs_digest=digest,
        rerun_of_id=rerun_of,
    )


def read_upload(filename: str, content: bytes) -> list[uploads.UploadedLot]:
    """The lots of an uploaded file of bids, or an ImportFailed listing every bad cell."""
    try:
        return uploads.read_bids(filename, content)
    except TableError as error:
        raise table_failure(error.errors, "bids") from error


def simulate_upload(
    session: Session,
    *,
    filename: str,
    content: bytes,
    variants: list[dict[str, Any]],
    now: datetime,
    actor: Actor | None,
    workers: int = 1,
) -> Simulation:
    """Run rule variants on a file of historical bids beside the platform's default preset."""
    actor = _require_regulator(actor, write=True)
    chosen = [_baseline(None), *resolve_variants(variants)]
    lots = read_upload(filename, content)
    return _run_upload(session, filename, lots, chosen, now=now, actor=actor, workers=workers)


def _run_upload(session, filename, lots, chosen, *, now, actor, workers, rerun_of=None):
    stored = [lot.as_json() for lot in lots]
    return _store(
        session,
        chosen,
        _upload_results(lots, chosen, workers),
        now=now,
        actor=actor,
        filename=filename[:200],
        uploaded=stored,
        inputs_digest=_digest({"lots": stored, **_rules_body(chosen)}),
        rerun_of_id=rerun_of,
    )


def get_simulation(session: Session, *, simulation_id: int, actor: Actor | None) -> Simulation:
    """A kept simulation (the organization that ran it; 404 for others)."""
    actor = _require_regulator(actor, write=False)
    simulation = session.get(Simulation, simulation_id)
    if simulation is None or simulation.org_id != actor.org_id:
        raise SimulationNotFound(simulation_id=simulation_id)
    return simulation


def list_simulations(
    session: Session, *, actor: Actor | None, tender_id: int | None = None
) -> list[Simulation]:
    """The organization's simulations, newest first; of one tender when ``tender_id``."""
    actor = _require_regulator(actor, write=False)
    query = select(Simulation).where(Simulation.org_id == actor.org_id)
    if tender_id is not None:
        simulable_tender(session, tender_id, actor)
        query = query.where(Simulation.tender_id == tender_id)
    else:
        query = query.where(Simulation.tender_id.is_(None))
    return list(session.scalars(query.order_by(Simulation.id.desc())))


def _kept_variants(simulation: Simulation) -> list[Variant]:
    return [
        Variant(v.name, v.preset, dict(v.overrides), dict(v.rules), v.baseline)
        for v in simulation.variants
    ]


def _stored_values(session: Session) -> None:
    """Read the inputs as stored: the digest writes Decimals as text, and an object still in
    the session from its creation may hold "5" where the database gives back "5.0000"."""
    session.expire_all()


def current_digest(session: Session, simulation: Simulation) -> str:
    """The digest of the simulation's inputs as they are now (its variants' rules, the
    tender's bids and demand today); a kept upload cannot change."""
    if simulation.tender is None:
        return simulation.inputs_digest
    _stored_values(session)
    lots = load_inputs(session, simulation.tender)
    award = _award_options(session, simulation.tender)
    body = _rules_body(_kept_variants(simulation))
    return inputs_digest(simulation.tender, lots, body, award)


def rerun_simulation(
    session: Session, *, simulation_id: int, now: datetime, actor: Actor | None, workers: int = 1
) -> Simulation:
    """Run a kept simulation's variants again on today's inputs, kept as a new simulation."""
    actor = _require_regulator(actor, write=True)
    kept = get_simulation(session, simulation_id=simulation_id, actor=actor)
    chosen = _kept_variants(kept)
    if kept.tender_id is not None:
        tender = simulable_tender(session, kept.tender_id, actor)
        return _run_tender(
            session, tender, chosen, now=now, actor=actor, workers=workers, rerun_of=kept.id
        )
    lots = [uploads.UploadedLot.from_json(lot) for lot in kept.uploaded or []]
    return _run_upload(
        session,
        kept.filename,
        lots,
        chosen,
        now=now,
        actor=actor,
        workers=workers,
        rerun_of=kept.id,
    )


def view(session: Session, simulation: Simulation) -> dict[str, Any]:
    """The kept simulation as the API and the page show it: its comparison (per lot x variant
    and totals, against the baseline) and whether its inputs changed since it ran."""
    return {
        "id": simulation.id,
        "tender_id": simulation.tender_id,
        "filename": simulation.filename,
        "inputs_digest": simulation.inputs_digest,
        "ran_at": simulation.ran_at,
        "ran_by_user_id": simulation.ran_by_user_id,
        "rerun_of_id": simulation.rerun_of_id,
        "inputs_changed": current_digest(session, simulation) != simulation.inputs_digest,
        "variants": compare(simulation.variants),
    }


def export(
    session: Session,
    *,
    simulation_id: int,
    fmt: str,
    actor: Actor | None,
    baseline_name: str = "baseline",
) -> tuple[bytes, str, str]:
    """The comparison as a CSV or XLSX file: (bytes, mimetype, file name)."""
    simulation = get_simulation(session, simulation_id=simulation_id, actor=actor)
    body, mimetype = export_file(compare(simulation.variants), fmt, baseline_name)
    return body, mimetype, f"simulation-{simulation.id}.{fmt}"
