"""Advances (预付): at the start of a contract year the fund pays each hospital the advance ratio
x its annual contract value, from the regional fund pool to the hospital's advance account."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.auth.services.scope import buyer_clause
from procurement.catalog.models import Tender
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.messages import N_
from procurement.core.money import stored_amount
from procurement.settlement.errors import ContractYearOutOfRange, NoSuchTender
from procurement.settlement.models import (
    AccountKind,
    Advance,
    LedgerPosting,
    LedgerTransaction,
    TransactionKind,
)
from procurement.settlement.rules import SettlementRules, advance_amount, annual_contract_value
from procurement.settlement.services.ledger import (
    CURRENCY,
    account_ids,
    community_payers,
    ensure_org_accounts,
    get_account,
)


@dataclass
class AdvanceResult:
    tender_id: int
    contract_year: int
    ratio: Decimal
    created: list[Advance] = field(default_factory=list)
    already_paid: int = 0

    @property
    def total(self) -> Decimal:
        return sum((a.amount for a in self.created), Decimal("0.00"))


def run_advances(
    session: Session, *, tender_id: int, contract_year: int, now: datetime, actor: Actor
) -> AdvanceResult:
    """Pay the advance of every hospital with active contracts of the tender's year; a hospital
    already paid for that year is skipped, so a retry pays nothing twice."""
    actor.require(OrgKind.FUND, action="pay advances")
    tender = session.get(Tender, tender_id)
    if tender is None:
        raise NoSuchTender(tender_id=tender_id)
    if contract_year < 1 or contract_year > (tender.contract_years or 1):
        raise ContractYearOutOfRange(
            errors={"contract_year": [N_("Not a year of this tender.")]},
            contract_years=tender.contract_years,
        )
    ratio = SettlementRules.from_snapshot(tender.rules_snapshot).advance_ratio
    result = AdvanceResult(tender_id, contract_year, ratio)
    paid = set(
        session.scalars(
            select(Advance.hospital_id).where(
                Advance.tender_id == tender_id, Advance.contract_year == contract_year
            )
        )
    )
    due = []
    for hospital_id, (region, lines) in sorted(
        _contract_lines(session, tender_id, contract_year).items()
    ):
        if hospital_id in paid:
            result.already_paid += 1
            continue
        value = annual_contract_value(lines)
        due.append((hospital_id, region, value, advance_amount(value, ratio)))
    result.created = _pay_all(session, tender_id, contract_year, due, ratio, now, actor)
    audit.record(
        session,
        action="settlement.advances.paid",
        subject_type="tender",
        subject_id=tender_id,
        now=now,
        actor=actor,
        payload={
            "year": contract_year,
            "hospitals": len(result.created),
            "amount": str(result.total),
        },
    )
    session.commit()
    return result


def _contract_lines(session, tender_id, year) -> dict[int, tuple[str, list]]:
    rows = session.execute(
        select(
            Contract.hospital_id, Contract.region_code, Contract.agreed_volume, Contract.unit_price
        )
        .where(
            Contract.tender_id == tender_id,
            Contract.contract_year == year,
            Contract.status != ContractStatus.DRAFT,
        )
        .order_by(Contract.id)
    )
    found: dict[int, tuple[str, list]] = {}
    grouped: dict[int, list] = defaultdict(list)
    for hospital_id, region, volume, price in rows:
        grouped[hospital_id].append((volume, Decimal(price)))
        found[hospital_id] = (region, grouped[hospital_id])
    return found


def _pay_all(session, tender_id, year, due, ratio, now, actor) -> list[Advance]:
    """Post all advances with a handful of multi-row statements (1,000 hospitals in one go):
    one balanced transaction per hospital, Dr hospital_advance / Cr fund_pool of its region."""
    paying = [row for row in due if row[3] > 0]
    txn_ids = _post(session, tender_id, year, paying, ratio, now, actor) if paying else {}
    advances = [
        Advance(
            hospital_id=h,
            tender_id=tender_id,
            contract_year=year,
            region_code=region,
            annual_value=value,
            ratio=ratio,
            amount=amount,
            currency=CURRENCY,
            transaction_id=txn_ids.get(h),
            paid_at=now,
        )
        for h, region, value, amount in due
    ]
    session.add_all(advances)
    session.flush()
    return advances


def _post(session, tender_id, year, paying, ratio, now, actor) -> dict[int, int]:
    """The advance transactions and their two legs each; {hospital: transaction id}. A county
    medical community's member's advance goes to the community's advance account (it pays
    for its members: RULES.md 12)."""
    payers = community_payers(session)
    payer_ids = sorted({payers.get(row[0], row[0]) for row in paying})
    hospitals = select(Organization.id).where(Organization.id.in_(payer_ids))
    ensure_org_accounts(session, AccountKind.HOSPITAL_ADVANCE, hospitals, now)
    advance_accounts = account_ids(session, AccountKind.HOSPITAL_ADVANCE)
    advance_accounts = {h: advance_accounts[payers.get(h, h)] for h, *_ in paying}
    pools = {
        region: get_account(session, AccountKind.FUND_POOL, region=region, now=now).id
        for region in sorted({row[1] for row in paying})
    }
    txns = [
        {
            "key": f"advance:{h}:{tender_id}:{year}",
            "kind": TransactionKind.ADVANCE,
            "reference": f"tender {tender_id} year {year}",
            "occurred_at": now,
            "created_at": now,
            "actor_org_id": actor.org_id,
            "reverses_id": None,
            "run_id": None,
            "description": f"Advance {ratio} x {value}",
        }
        for h, _, value, _ in paying
    ]
    rows = session.execute(
        insert(LedgerTransaction).returning(LedgerTransaction.id, LedgerTransaction.key), txns
    )
    by_key = {key: id_ for id_, key in rows}
    txn_ids = {h: by_key[f"advance:{h}:{tender_id}:{year}"] for h, *_ in paying}
    legs = [
        {"transaction_id": txn_ids[h], "account_id": account, "amount": x, "currency": CURRENCY}
        for h, region, _, amount in paying
        for account, x in ((advance_accounts[h], amount), (pools[region], -amount))
    ]
    session.execute(insert(LedgerPosting), legs)
    return txn_ids


def list_advances(
    session: Session, *, actor: Actor, tender_id: int | None = None, hospital_id: int | None = None
) -> list[Advance]:
    """Advances paid (fund office, regulator: all; a hospital: its own)."""
    actor.require(
        OrgKind.FUND, OrgKind.REGULATOR, OrgKind.HOSPITAL, write=False, action="read advances"
    )
    query = select(Advance).order_by(Advance.id)
    if actor.org_kind == OrgKind.HOSPITAL:
        query = query.where(buyer_clause(Advance.hospital_id, actor))
    if tender_id is not None:
        query = query.where(Advance.tender_id == tender_id)
    if hospital_id is not None:
        query = query.where(Advance.hospital_id == hospital_id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class AdvanceYear:
    """One tender's contract year as the fund office's advance page lists it."""

    tender_id: int
    tender_code: str
    tender_name: str
    contract_year: int
    hospitals: int
    hospitals_paid: int
    amount_paid: Decimal


def advance_overview(session: Session, *, actor: Actor) -> list[AdvanceYear]:
    """Every tender year with active contracts: hospitals under contract, hospitals already
    paid their advance and the amount (fund office, regulator)."""
    actor.require(OrgKind.FUND, OrgKind.REGULATOR, write=False, action="read advances")
    contracted = session.execute(
        select(
            Contract.tender_id,
            Tender.code,
            Tender.name,
            Contract.contract_year,
            func.count(func.distinct(Contract.hospital_id)),
        )
        .join(Tender, Tender.id == Contract.tender_id)
        .where(Contract.status != ContractStatus.DRAFT)
        .group_by(Contract.tender_id, Tender.code, Tender.name, Contract.contract_year)
        .order_by(Contract.tender_id, Contract.contract_year)
    ).all()
    paid = {
        (t, y): (n, stored_amount(total))
        for t, y, n, total in session.execute(
            select(
                Advance.tender_id,
                Advance.contract_year,
                func.count(Advance.id),
                func.sum(Advance.amount),
            ).group_by(Advance.tender_id, Advance.contract_year)
        )
    }
    return [
        AdvanceYear(t, code, name, y, n, *paid.get((t, y), (0, Decimal("0.00"))))
        for t, code, name, y, n in contracted
    ]
