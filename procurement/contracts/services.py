"""Contracts: written by confirming an award run, put in force, read, explained."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.auth.services.scope import buyer_clause
from procurement.award.models import AwardAllocation, AwardLotResult, AwardRun, LotStatus, RunStatus
from procurement.award.services import (
    RunOptions,
    confirmed_run,
    get_award_run,
    inputs_digest,
    load_inputs,
    owned_tender,
)
from procurement.award.services.cost_disclosure import require_disclosures_settled
from procurement.award.services.outbox import record_award_published
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.rules import RulesSet
from procurement.catalog.services import transition
from procurement.contracts.errors import (
    AwardInputsChanged,
    AwardRunAlreadyConfirmed,
    AwardRunNotConfirmable,
    ContractNotFound,
    TenderNotConfirmable,
)
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.messages import N_, Message


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def contract_period(start: date, year: int) -> tuple[date, date]:
    """Contract year ``year`` (1..n) from ``start``: [start + (n-1) years, start + n years)."""
    return add_years(start, year - 1), add_years(start, year) - timedelta(days=1)


@dataclass(frozen=True)
class Confirmation:
    run: AwardRun
    contracts: int


def confirm_award_run(
    session: Session, *, run_id: int, now: datetime, actor: Actor
) -> Confirmation:
    """Confirm a run (the tender's regulator): writes a draft contract per hospital x lot x
    winner x contract year and moves the tender to awarded, in one audited transaction.

    Contract years per lot = the rules' table by number of winners, capped by the tender's
    contract_years; each year carries the same agreed volume, at the allocation's unit price."""
    actor.require(OrgKind.REGULATOR, write=True, action="confirm an award run")
    run = get_award_run(session, run_id=run_id, actor=actor, lock=True)
    tender = owned_tender(session, run.tender_id, actor, "confirm an award run", lock=True)
    _check_confirmable(session, run, tender)
    require_disclosures_settled(session, run=run, now=now)
    contracts = [
        contract
        for lot in run.lots
        if lot.status == LotStatus.OK
        for allocation in lot.allocations
        for contract in _contracts_of(allocation, lot, run, now)
    ]
    session.add_all(contracts)
    run.confirmed_at, run.confirmed_by_user_id = now, actor.user_id
    transition(session, tender, TenderStatus.AWARDED, now=now, actor=actor)
    session.flush()
    record_award_published(session, tender, run, contracts, now)
    record(
        session,
        action="award.run_confirmed",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={
            "run": run.id,
            "number": run.number,
            "inputs_digest": run.inputs_digest,
            "contracts": len(contracts),
        },
    )
    session.commit()
    return Confirmation(run, len(contracts))


def _check_confirmable(session: Session, run: AwardRun, tender) -> None:
    if run.confirmed:
        raise AwardRunAlreadyConfirmed(run_number=run.number, tender_code=tender.code)
    other = confirmed_run(session, tender)
    if other is not None or tender.status != TenderStatus.OPENED:
        confirmed = Message(" (run {number} was confirmed)", number=other.number) if other else ""
        raise TenderNotConfirmable(
            tender_code=tender.code, current_status=tender.status.value, confirmed_run=confirmed
        )
    if run.status != RunStatus.SUCCEEDED:
        bad = [
            lot.lot_code
            for lot in run.lots
            if lot.status in (LotStatus.INFEASIBLE, LotStatus.ERROR)
        ]
        raise AwardRunNotConfirmable(
            run_number=run.number, run_status=run.status.value, lots_shown=", ".join(bad), lots=bad
        )
    _check_inputs_unchanged(session, run, tender)


def _check_inputs_unchanged(session: Session, run: AwardRun, tender) -> None:
    lots = load_inputs(session, tender)
    options = RunOptions(
        granularity=run.options["granularity"],
        fallback=run.options["fallback"],
        solver=run.options["solver"],
        time_limit_s=run.options["time_limit_s"],
    )
    resolved = options.resolved(RulesSet.from_dict(tender.rules_snapshot or {}))
    if inputs_digest(tender, lots, tender.rules_snapshot or {}, resolved) != run.inputs_digest:
        raise AwardInputsChanged(tender_code=tender.code, run_number=run.number)


def _contracts_of(
    allocation: AwardAllocation, lot: AwardLotResult, run: AwardRun, now: datetime
) -> list[Contract]:
    tender = run.tender
    out = []
    for year in range(1, lot.contract_years + 1):
        start, end = contract_period(tender.contract_start, year)
        out.append(
            Contract(
                tender_id=tender.id,
                lot_id=lot.lot_id,
                hospital_id=allocation.hospital_id,
                manufacturer_id=allocation.manufacturer_id,
                product_id=allocation.bid.product_id,
                bid_id=allocation.bid_id,
                award_run_id=run.id,
                contract_year=year,
                period_start=start,
                period_end=end,
                unit_price=allocation.unit_price,
                currency=lot.lot.currency,
                agreed_volume=allocation.quantity,
                region_code=allocation.region_code,
                status=ContractStatus.DRAFT,
                reason=allocation.reason,
                created_at=now,
                updated_at=now,
            )
        )
    return out


def put_in_force(
    session: Session, *, tender_id: int, now: datetime, actor: Actor
) -> list[Contract]:
    """Put an awarded tender in force (its regulator): every draft contract becomes active."""
    actor.require(OrgKind.REGULATOR, write=True, action="put contracts in force")
    tender = owned_tender(session, tender_id, actor, "put contracts in force", lock=True)
    transition(session, tender, TenderStatus.IN_FORCE, now=now, actor=actor)
    contracts = list(
        session.scalars(
            select(Contract).where(
                Contract.tender_id == tender.id, Contract.status == ContractStatus.DRAFT
            )
        )
    )
    for contract in contracts:
        contract.status, contract.activated_at, contract.updated_at = (
            ContractStatus.ACTIVE,
            now,
            now,
        )
    record(
        session,
        action="contracts.in_force",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={"contracts": len(contracts)},
    )
    session.commit()
    return contracts


def _scope(query, actor: Actor):
    actor.require(write=False, action="see contracts")
    if actor.org_kind == OrgKind.HOSPITAL:
        return query.where(buyer_clause(Contract.hospital_id, actor))
    if actor.org_kind == OrgKind.MANUFACTURER:
        return query.where(Contract.manufacturer_id == actor.org_id)
    if actor.org_kind in (OrgKind.REGULATOR, OrgKind.FUND):
        return query
    return query.where(Contract.id.is_(None))


def scoped_contracts(actor: Actor) -> Select:
    """A select of the contracts the actor may see (pages add filters, order and paging)."""
    return _scope(select(Contract), actor)


def list_contracts(
    session: Session,
    *,
    actor: Actor,
    tender_id: int | None = None,
    lot_id: int | None = None,
    year: int | None = None,
    hospital_id: int | None = None,
    status: str | None = None,
) -> list[Contract]:
    """Contracts the actor may see (hospital/manufacturer: its own; regulator, fund: all)."""
    query = _scope(select(Contract), actor)
    for column, value in (
        (Contract.tender_id, tender_id),
        (Contract.lot_id, lot_id),
        (Contract.contract_year, year),
        (Contract.hospital_id, hospital_id),
        (Contract.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    order = (Contract.tender_id, Contract.lot_id, Contract.hospital_id, Contract.contract_year)
    return list(session.scalars(query.order_by(*order, Contract.manufacturer_id)))


def get_contract(session: Session, *, contract_id: int, actor: Actor) -> Contract:
    """One contract the actor may see (404 otherwise, like a missing one)."""
    query = _scope(select(Contract).where(Contract.id == contract_id), actor)
    contract = session.scalar(query)
    if contract is None:
        raise ContractNotFound(contract_id=contract_id)
    return contract


@dataclass
class Alternative:
    manufacturer: str
    unit_price: Decimal
    serves_region: bool
    chosen: bool


@dataclass
class Explanation:
    contract: Contract
    reason: str
    binding_constraint: str
    summary: str
    alternatives: list[Alternative] = field(default_factory=list)
    volume_limit: dict | None = None  # the winner's whole volume and its limit (volume_limits)


BINDING = (
    ("reserve bidder", "reserve"),
    ("brand report", "brand"),
    ("only eligible", "eligibility"),
    ("moved by capacity", "capacity"),
    ("moved by maximum share", "max_share"),
    ("minimum share", "min_share"),
    ("every winner supplies", "one_region_each"),
    ("single sourcing", "granularity"),
    ("split", "capacity"),
    ("cheapest", "none"),
)

SUMMARIES = {
    "none": N_("the cheapest eligible winner for this hospital's region"),
    "eligibility": N_("the only winner committed to supply this region"),
    "capacity": N_("a cheaper winner had no capacity left for this volume"),
    "max_share": N_("a cheaper winner reached its maximum share of the lot"),
    "min_share": N_("kept so that this winner reaches its minimum share of the lot"),
    "one_region_each": N_("kept so that every winner supplies at least one region"),
    "granularity": N_("moved so that whole hospitals fit around cheaper winners' capacity"),
    "reserve": N_("a reserve bidder taken on by the fallback after the lot was infeasible"),
    "brand": N_("the hospital reported this winning product by brand: it supplies it directly"),
}


def contract_explanation(session: Session, *, contract_id: int, actor: Actor) -> Explanation:
    """Why this supplier: the allocation reason, the binding constraint and the other winners'
    (public) prices it was compared with."""
    contract = get_contract(session, contract_id=contract_id, actor=actor)
    lot = session.scalar(
        select(AwardLotResult).where(
            AwardLotResult.run_id == contract.award_run_id,
            AwardLotResult.lot_id == contract.lot_id,
        )
    )
    binding = next((b for key, b in BINDING if key in contract.reason), "none")
    alternatives = [
        Alternative(
            o.manufacturer.name,
            o.award_unit_price or Decimal(0),
            not o.bid.regions or contract.region_code in o.bid.regions,
            o.bid_id == contract.bid_id,
        )
        for o in (lot.winners if lot else [])
    ]
    alternatives.sort(key=lambda a: (a.unit_price, a.manufacturer))
    mine = next((o for o in (lot.winners if lot else []) if o.bid_id == contract.bid_id), None)
    return Explanation(
        contract,
        contract.reason,
        binding,
        SUMMARIES[binding],
        alternatives,
        mine.volume_limit if mine else None,
    )
