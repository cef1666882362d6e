"""The year-end check of a tender's contract year (RULES.md 7), run once by the regulator:
per hospital x lot agreed, accepted and completion; budget deductions and retained savings by
the pure formulas of :mod:`procurement.compliance.yearend`, posted to the ledger as their own
balanced transactions. Re-running returns the stored run and posts nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Lot
from procurement.catalog.services import transition
from procurement.compliance.common_services import OVERSIGHT, get_tender, rules_for
from procurement.compliance.errors import ContractYearNotFound, ContractYearRunning, YearEndNotFound
from procurement.compliance.progress.queries import Filters, filter_conditions
from procurement.compliance.yearend import ledger_services as ledger
from procurement.compliance.yearend import rules as ye
from procurement.compliance.yearend.models import YearEndLine, YearEndResult, YearEndRun
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date, day_start
from procurement.core.money import round_ratio, round_unit_price
from procurement.orders.models import OrderLine, ReceiptLine
from procurement.settlement.models import AccountKind, Payable


class NonWinning(NamedTuple):
    """A hospital's accepted non-winning purchases of a lot's generic."""

    quantity: int
    amount: Decimal


@dataclass
class HospitalLots:
    """What the year-end formulas take for one hospital: its region and its lots."""

    region_code: str
    lots: list[ye.LotYear] = field(default_factory=list)


def _period(session: Session, filters: Filters):
    start, end = session.execute(
        select(func.min(Contract.period_start), func.max(Contract.period_end)).where(
            *filter_conditions(filters)
        )
    ).one()
    if start is None:
        raise ContractYearNotFound()
    return start, end


def _agreed(session: Session, filters: Filters):
    c = Contract
    return session.execute(
        select(
            c.hospital_id,
            c.lot_id,
            func.min(c.region_code).label("region"),
            func.sum(c.agreed_volume).label("agreed"),
            func.sum(c.agreed_volume * c.unit_price).label("value"),
        )
        .where(*filter_conditions(filters))
        .group_by(c.hospital_id, c.lot_id)
    ).all()


def _accepted(session: Session, filters: Filters, start, end) -> dict:
    rl, c = ReceiptLine, Contract
    rows = session.execute(
        select(c.hospital_id, c.lot_id, func.sum(rl.accepted_quantity))
        .join(c, c.id == rl.contract_id)
        .where(
            *filter_conditions(filters),
            rl.accepted_at >= day_start(start),
            rl.accepted_at < day_start(end + timedelta(days=1)),
        )
        .group_by(c.hospital_id, c.lot_id)
    )
    return {(h, lot): int(q or 0) for h, lot, q in rows}


def _non_winning(session: Session, tender_id: int, start, end) -> dict[tuple, NonWinning]:
    rl, ol = ReceiptLine, OrderLine
    rows = session.execute(
        select(
            rl.hospital_id, ol.lot_id, func.sum(rl.accepted_quantity), func.sum(rl.accepted_amount)
        )
        .join(ol, ol.id == rl.order_line_id)
        .where(
            ol.off_contract.is_(True),
            ol.lot_id.in_(select(Lot.id).where(Lot.tender_id == tender_id)),
            rl.accepted_at >= day_start(start),
            rl.accepted_at < day_start(end + timedelta(days=1)),
        )
        .group_by(rl.hospital_id, ol.lot_id)
    )
    return {(h, lot): NonWinning(int(q or 0), Decimal(a or 0)) for h, lot, q, a in rows}


def _payment_rates(session: Session, filters: Filters, now: datetime) -> dict[int, Decimal]:
    pay, c = Payable, Contract
    due = (pay.due_at <= now) | pay.paid_at.is_not(None)
    ok = and_(due, pay.paid_at.is_not(None), pay.paid_at <= pay.due_at)
    rows = session.execute(
        select(c.hospital_id, func.sum(case((due, 1), else_=0)), func.sum(case((ok, 1), else_=0)))
        .join(c, c.id == pay.contract_id)
        .where(*filter_conditions(filters))
        .group_by(c.hospital_id)
    )
    return {h: round_ratio(Decimal(o or 0) / Decimal(d)) if d else Decimal(1) for h, d, o in rows}


def check_year_end(
    session: Session, *, tender_id: int, contract_year: int, now: datetime, actor: Actor
):
    """Refuse a year-end check that cannot run now (not the regulator, no such tender or
    year, the year still running); the tender, the year's filters and its period."""
    actor.require(OrgKind.REGULATOR, action="run the year-end check")
    tender = get_tender(session, tender_id)
    filters = Filters(tender_id=tender_id, contract_year=contract_year)
    start, end = _period(session, filters)
    if business_date(now) <= end:
        raise ContractYearRunning(contract_year=contract_year, tender_code=tender.code, end=end)
    return tender, filters, start, end


def run_year_end(
    session: Session,
    *,
    tender_id: int,
    contract_year: int,
    now: datetime,
    actor: Actor,
    progress: Callable[[int, int], None] | None = None,
) -> YearEndRun:
    """Run the year-end check once the contract year is over (regulator); idempotent. The
    year's contracts end with it, and after the tender's last contract year the tender closes.
    ``progress(done, total)`` hears of the hospitals checked."""
    actor.require(OrgKind.REGULATOR, action="run the year-end check")
    get_tender(session, tender_id)
    done = _find_run(session, tender_id, contract_year)
    if done is not None:
        return done
    tender, filters, start, end = check_year_end(
        session, tender_id=tender_id, contract_year=contract_year, now=now, actor=actor
    )
    rules = rules_for(session, tender_id)
    hospitals = _collect(session, filters, tender_id, start, end, now)
    run = YearEndRun(
        tender_id=tender_id,
        contract_year=contract_year,
        period_start=start,
        period_end=end,
        scheme=rules.retention_scheme,
        rules=_rules_json(rules),
        run_by_org_id=actor.org_id,
        run_at=now,
        total_deduction=Decimal(0),
        total_retained=Decimal(0),
    )
    session.add(run)
    session.flush()
    rates = _payment_rates(session, filters, now)
    for checked, (hospital_id, hospital) in enumerate(sorted(hospitals.items()), start=1):
        result = ye.hospital_year(hospital.lots, rates.get(hospital_id, Decimal(1)), rules)
        stored = _store(session, run, hospital_id, hospital.region_code, hospital.lots, result)
        _post(session, run, stored, tender.code, now, actor)
        run.total_deduction += stored.deduction
        run.total_retained += stored.retained
        if progress is not None:
            progress(checked, len(hospitals))
    record(
        session,
        action="compliance.year_end_run",
        subject_type="tender",
        subject_id=tender_id,
        now=now,
        actor=actor,
        payload={
            "year": contract_year,
            "hospitals": len(hospitals),
            "deduction": str(run.total_deduction),
            "retained": str(run.total_retained),
        },
    )
    _end_the_year(session, tender, contract_year, now, actor)
    session.commit()
    return run


def _end_the_year(session: Session, tender, contract_year: int, now: datetime, actor) -> None:
    session.execute(
        update(Contract)
        .where(
            Contract.tender_id == tender.id,
            Contract.contract_year == contract_year,
            Contract.status == ContractStatus.ACTIVE,
        )
        .values(status=ContractStatus.ENDED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if contract_year >= tender.contract_years and tender.status == TenderStatus.IN_FORCE:
        transition(session, tender, TenderStatus.CLOSED, now=now, actor=actor)


def _collect(session, filters, tender_id, start, end, now) -> dict[int, HospitalLots]:
    accepted = _accepted(session, filters, start, end)
    nonwin = _non_winning(session, tender_id, start, end)
    refs = dict(
        session.execute(
            select(Lot.id, Lot.reference_unit_price).where(Lot.tender_id == tender_id)
        ).all()
    )
    out: dict[int, HospitalLots] = {}
    for row in _agreed(session, filters):
        agreed, key = int(row.agreed), (row.hospital_id, row.lot_id)
        price = round_unit_price(Decimal(row.value) / agreed) if agreed else Decimal(0)
        off_contract = nonwin.get(key, NonWinning(0, Decimal(0)))
        item = ye.LotYear(
            lot_id=row.lot_id,
            agreed=agreed,
            accepted=accepted.get(key, 0),
            reference_price=refs[row.lot_id],
            winning_price=price,
            non_winning_amount=off_contract.amount,
            non_winning_quantity=off_contract.quantity,
        )
        out.setdefault(row.hospital_id, HospitalLots(row.region)).lots.append(item)
    return out


def _rules_json(rules) -> dict:
    def plain(value):
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return str(value) if isinstance(value, Decimal) else value

    return {k: plain(v) for k, v in dataclasses.asdict(rules).items()}


def _store(session, run, hospital_id, region, items, res: ye.HospitalYear) -> YearEndResult:
    stored = YearEndResult(
        run_id=run.id,
        hospital_id=hospital_id,
        region_code=region,
        agreed=res.agreed,
        accepted=res.accepted,
        completion=res.completion,
        budget=res.budget,
        actual=res.actual,
        balance=res.balance,
        savings_rate=res.savings_rate,
        payment_rate=res.payment_rate,
        non_winning_share=res.non_winning_share,
        score=res.score,
        grade=res.grade,
        retention_ratio=res.retention_ratio,
        deduction=res.deduction,
        retained=res.retained,
        tiers=[
            {
                "lower": str(p.lower),
                "upper": None if p.upper is None else str(p.upper),
                "amount": str(p.amount),
                "retained_share": str(p.retained_share),
                "retained": str(p.retained),
            }
            for p in res.tiers
        ],
        note=res.retained_note,
    )
    session.add(stored)
    session.flush()
    for item, lot in zip(items, res.lots, strict=True):
        session.add(
            YearEndLine(
                result_id=stored.id,
                lot_id=lot.lot_id,
                agreed=lot.agreed,
                accepted=lot.accepted,
                completion=lot.completion,
                shortfall=lot.shortfall,
                reference_price=item.reference_price,
                winning_price=item.winning_price,
                non_winning_quantity=item.non_winning_quantity,
                non_winning_amount=item.non_winning_amount,
                budget=lot.budget,
                actual=lot.actual,
                deduction=lot.deduction,
            )
        )
    return stored


def _post(session, run, stored: YearEndResult, code: str, now, actor) -> None:
    h, base = stored.hospital_id, f"t{run.tender_id}:y{run.contract_year}:h{stored.hospital_id}"
    if stored.deduction > 0:
        debit = ledger.account(session, AccountKind.BUDGET_DEDUCTION, org_id=h, now=now)
        credit = ledger.account(session, AccountKind.HOSPITAL_ALLOCATION, org_id=h, now=now)
        txn = ledger.post(
            session,
            key=f"year_end:deduction:{base}",
            legs=[(debit, stored.deduction), (credit, -stored.deduction)],
            reference=f"{code} year {run.contract_year}",
            description="budget deduction for next year (下年度总额扣减)",
            now=now,
            actor=actor,
        )
        stored.deduction_txn_id = txn.id
    if stored.retained > 0:
        debit = ledger.account(session, AccountKind.RETAINED_SAVINGS, org_id=h, now=now)
        credit = ledger.account(
            session, AccountKind.FUND_POOL, region_code=stored.region_code, now=now
        )
        txn = ledger.post(
            session,
            key=f"year_end:retained:{base}",
            legs=[(debit, stored.retained), (credit, -stored.retained)],
            reference=f"{code} year {run.contract_year}",
            description="retained savings (结余留用)",
            now=now,
            actor=actor,
        )
        stored.retained_txn_id = txn.id


def _find_run(session: Session, tender_id: int, year: int) -> YearEndRun | None:
    return session.scalar(
        select(YearEndRun).where(
            YearEndRun.tender_id == tender_id, YearEndRun.contract_year == year
        )
    )


def get_year_end(
    session: Session, *, tender_id: int, contract_year: int, actor: Actor
) -> tuple[YearEndRun, list[YearEndResult]]:
    """The stored year-end run and the results the actor may see (a hospital: its own)."""
    run = get_year_end_run(session, tender_id=tender_id, contract_year=contract_year, actor=actor)
    results = list(run.results)
    if actor.org_kind == OrgKind.HOSPITAL:
        results = [x for x in results if actor.acts_for(x.hospital_id)]
    return run, results


def get_year_end_run(
    session: Session, *, tender_id: int, contract_year: int, actor: Actor
) -> YearEndRun:
    """The stored year-end run of a tender's contract year (404 before the check ran)."""
    actor.require(*OVERSIGHT, OrgKind.HOSPITAL, write=False, action="see year-end results")
    run = _find_run(session, tender_id, contract_year)
    if run is None:
        raise YearEndNotFound(tender_id=tender_id, contract_year=contract_year)
    return run


def list_year_ends(session: Session, *, actor: Actor) -> list[YearEndRun]:
    """Every year-end run (oversight and hospitals)."""
    actor.require(*OVERSIGHT, OrgKind.HOSPITAL, write=False, action="see year-end results")
    return list(session.scalars(select(YearEndRun).order_by(YearEndRun.run_at.desc())))
