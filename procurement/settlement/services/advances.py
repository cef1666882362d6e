"""Advances (预付): at the start of a contract year the fund pays each hospital the advance ratio
x its annual contract value, from the regional fund pool to the hospital's advance account."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.models import Tender
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.errors import NotFound, ValidationFailed
from procurement.settlement.models import AccountKind, Advance, TransactionKind
from procurement.settlement.rules import SettlementRules, advance_amount, annual_contract_value
from procurement.settlement.services.ledger import CURRENCY, get_account, post


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


def run_advances(session: Session, *, tender_id: int, contract_year: int, now: datetime,
                 actor: Actor) -> AdvanceResult:  # fmt: skip
    """Pay the advance of every hospital with active contracts of the tender's year; a hospital
    already paid for that year is skipped, so a retry pays nothing twice."""
    actor.require(OrgKind.FUND, action="pay advances")
    tender = session.get(Tender, tender_id)
    if tender is None:
        raise NotFound(f"No tender {tender_id}.", tender_id=tender_id)
    if contract_year < 1 or contract_year > (tender.contract_years or 1):
        raise ValidationFailed(f"Contract year must be 1 to {tender.contract_years}.",
                               errors={"contract_year": ["Not a year of this tender."]})  # fmt: skip
    ratio = SettlementRules.from_snapshot(tender.rules_snapshot).advance_ratio
    result = AdvanceResult(tender_id, contract_year, ratio)
    paid = set(session.scalars(select(Advance.hospital_id).where(
        Advance.tender_id == tender_id, Advance.contract_year == contract_year)))  # fmt: skip
    for hospital_id, (region, lines) in sorted(
        _contract_lines(session, tender_id, contract_year).items()
    ):
        if hospital_id in paid:
            result.already_paid += 1
            continue
        result.created.append(_pay(session, tender_id, contract_year, hospital_id, region,
                                   lines, ratio, now, actor))  # fmt: skip
    audit.record(session, action="settlement.advances.paid", subject_type="tender",
                 subject_id=tender_id, now=now, actor=actor,
                 payload={"year": contract_year, "hospitals": len(result.created),
                          "amount": str(result.total)})  # fmt: skip
    session.commit()
    return result


def _contract_lines(session, tender_id, year) -> dict[int, tuple[str, list]]:
    rows = session.execute(
        select(Contract.hospital_id, Contract.region_code, Contract.agreed_volume, Contract.unit_price)
        .where(Contract.tender_id == tender_id, Contract.contract_year == year,
               Contract.status != ContractStatus.DRAFT)
        .order_by(Contract.id))  # fmt: skip
    found: dict[int, tuple[str, list]] = {}
    grouped: dict[int, list] = defaultdict(list)
    for hospital_id, region, volume, price in rows:
        grouped[hospital_id].append((volume, Decimal(price)))
        found[hospital_id] = (region, grouped[hospital_id])
    return found


def _pay(session, tender_id, year, hospital_id, region, lines, ratio, now, actor) -> Advance:
    value = annual_contract_value(lines)
    amount = advance_amount(value, ratio)
    txn = None
    if amount > 0:
        advance_account = get_account(
            session, AccountKind.HOSPITAL_ADVANCE, org_id=hospital_id, now=now
        )
        pool = get_account(session, AccountKind.FUND_POOL, region=region, now=now)
        txn = post(session, key=f"advance:{hospital_id}:{tender_id}:{year}",
                   kind=TransactionKind.ADVANCE, legs=[(advance_account, amount), (pool, -amount)],
                   occurred_at=now, now=now, reference=f"tender {tender_id} year {year}",
                   description=f"Advance {ratio} x {value}", actor=actor)  # fmt: skip
    advance = Advance(hospital_id=hospital_id, tender_id=tender_id, contract_year=year,
                      region_code=region, annual_value=value, ratio=ratio, amount=amount,
                      currency=CURRENCY, transaction_id=txn.id if txn else None, paid_at=now)  # fmt: skip
    session.add(advance)
    session.flush()
    return advance


def list_advances(session: Session, *, actor: Actor, tender_id: int | None = None,
                  hospital_id: int | None = None) -> list[Advance]:  # fmt: skip
    """Advances paid (fund office, regulator: all; a hospital: its own)."""
    actor.require(OrgKind.FUND, OrgKind.REGULATOR, OrgKind.HOSPITAL, write=False,
                  action="read advances")  # fmt: skip
    query = select(Advance).order_by(Advance.id)
    if actor.org_kind == OrgKind.HOSPITAL:
        query = query.where(Advance.hospital_id == actor.org_id)
    if tender_id is not None:
        query = query.where(Advance.tender_id == tender_id)
    if hospital_id is not None:
        query = query.where(Advance.hospital_id == hospital_id)
    return list(session.scalars(query))
