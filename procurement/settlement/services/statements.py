"""Statements for any period (business dates, inclusive): a manufacturer's (receivables accrued,
payments, outstanding and overdue) and a hospital's (advance, charged to advance, charged to
allocation, remaining advance). Plain queries over payables, payments and postings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import InstitutionType, Organization, OrgKind
from procurement.core.clock import business_date, day_start
from procurement.core.messages import N_, Message
from procurement.core.money import stored_amount
from procurement.orders.models import ReceiptLine
from procurement.settlement.errors import NotYourStatement, PartyNotFound, PeriodReversed
from procurement.settlement.models import (
    Account,
    AccountKind,
    LedgerPosting,
    LedgerTransaction,
    Payable,
    Payment,
    SettlementRun,
    TransactionKind,
)
from procurement.settlement.monthly_models import Reconciliation, ReconciliationLine
from procurement.settlement.rules import days_overdue
from procurement.settlement.services.holds import unscanned

MEDICAL_COMMUNITY = InstitutionType.MEDICAL_COMMUNITY


@dataclass
class Statement:
    party_id: int
    party_code: str
    party_name: str
    party_kind: str
    period_from: date
    period_to: date
    summary: dict[str, Any] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    # A county medical community's statement: one row per member (RULES.md 12, one
    # settlement): code, name, institution type and the value accepted in the period.
    members: list[dict[str, Any]] = field(default_factory=list)
    settled_by: str | None = None  # a member's: the community its payables are charged to


def statement(
    session: Session,
    *,
    party_id: int,
    period_from: date | None = None,
    period_to: date | None = None,
    now: datetime,
    actor: Actor,
) -> Statement:
    """The statement of a manufacturer or hospital for a period (own party only, except fund
    office and regulator). The period defaults to the current month up to today."""
    period_to = period_to or business_date(now)
    period_from = period_from or period_to.replace(day=1)
    if period_to < period_from:
        raise PeriodReversed(errors={"to": [N_("Must be on or after 'from'.")]})
    actor.require(
        OrgKind.FUND,
        OrgKind.REGULATOR,
        OrgKind.MANUFACTURER,
        OrgKind.HOSPITAL,
        write=False,
        action="read settlement statements",
    )
    org = session.get(Organization, party_id)
    if org is None or org.kind not in (OrgKind.MANUFACTURER, OrgKind.HOSPITAL):
        raise PartyNotFound(party_id=party_id)
    if actor.org_kind in (OrgKind.MANUFACTURER, OrgKind.HOSPITAL) and not actor.acts_for(org.id):
        raise NotYourStatement()
    result = Statement(org.id, org.code, org.name, org.kind.value, period_from, period_to)
    start, end = day_start(period_from), day_start(period_to + timedelta(days=1))
    if org.kind == OrgKind.MANUFACTURER:
        _manufacturer(session, result, start, end, min(now, end))
    else:
        _hospital(session, result, start, end, _members(session, org))
        parent = session.get(Organization, org.parent_id) if org.parent_id else None
        if parent is not None and parent.institution_type == MEDICAL_COMMUNITY:
            result.settled_by = f"{parent.code} · {parent.name}"
    result.summary |= held_now(session, org.id, org.kind, end)
    return result


def _sum(session, query) -> Decimal:
    return stored_amount(session.scalar(query))


def _manufacturer(session, result: Statement, start, end, as_of) -> None:
    mine = Payable.manufacturer_id == result.party_id
    in_period = and_(mine, Payable.accepted_at >= start, Payable.accepted_at < end)
    open_at_end = and_(
        mine, Payable.accepted_at < end, or_(Payable.paid_at.is_(None), Payable.paid_at >= end)
    )
    overdue = and_(
        mine, Payable.due_at < as_of, or_(Payable.paid_at.is_(None), Payable.paid_at >= as_of)
    )
    payments = _live_payments(session, result.party_id, start, end)
    total = select(func.sum(Payable.amount))
    result.summary = {
        "receivables_accrued": _sum(session, total.where(in_period)),
        "payables_accrued": session.scalar(select(func.count(Payable.id)).where(in_period)),
        "payments": sum((p.amount for p, _ in payments), Decimal("0.00")),
        "outstanding_at_end": _sum(session, total.where(open_at_end)),
        "overdue": _sum(session, total.where(overdue)),
    }
    result.columns = ["kind", "date", "reference", "amount", "count", "days_overdue"]
    result.lines = [
        _line("payment", p.paid_at, ref, p.amount, p.payables_count, "") for p, ref in payments
    ]
    late = session.scalars(select(Payable).where(overdue).order_by(Payable.due_at).limit(1000))
    result.lines += [
        _line(
            "overdue",
            p.due_at,
            Message("receipt line {id}", id=p.receipt_line_id),
            p.amount,
            1,
            days_overdue(p.due_at, as_of),
        )
        for p in late
    ]


def _live_payments(session, manufacturer_id: int, start, end) -> list:
    """(payment, run reference) of the period, except payments whose transaction was reversed."""
    reversed_ids = select(LedgerTransaction.reverses_id).where(
        LedgerTransaction.reverses_id.is_not(None)
    )
    return session.execute(
        select(Payment, SettlementRun.reference)
        .join(SettlementRun)
        .where(
            Payment.manufacturer_id == manufacturer_id,
            Payment.paid_at >= start,
            Payment.paid_at < end,
            Payment.transaction_id.not_in(reversed_ids),
        )
        .order_by(Payment.paid_at, Payment.id)
    ).all()


def _line(kind, at, reference, amount, count, late) -> dict[str, Any]:
    return {
        "kind": kind,
        "date": business_date(at).isoformat(),
        "reference": reference,
        "amount": amount,
        "count": count,
        "days_overdue": late,
    }


def _members(session, org: Organization) -> list[Organization]:
    """A county medical community's members (it pays for them); [] for any other buyer."""
    if org.institution_type != MEDICAL_COMMUNITY:
        return []
    query = select(Organization).where(Organization.parent_id == org.id)
    return list(session.scalars(query.order_by(Organization.code)))


def _hospital(session, result: Statement, start, end, members: list[Organization]) -> None:
    h = result.party_id
    legs = (
        select(Account.kind, LedgerTransaction.kind, func.sum(LedgerPosting.amount))
        .join(LedgerPosting, LedgerPosting.account_id == Account.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(
            Account.owner_org_id == h,
            LedgerTransaction.occurred_at >= start,
            LedgerTransaction.occurred_at < end,
        )
        .group_by(Account.kind, LedgerTransaction.kind)
    )
    sums: dict[tuple[str, str], Decimal] = {}
    for account_kind, txn_kind, total in session.execute(legs):
        sums[(account_kind, txn_kind)] = stored_amount(total)
    advance_kind = AccountKind.HOSPITAL_ADVANCE
    received = sums.get((advance_kind, TransactionKind.ADVANCE), Decimal("0.00"))
    advance_moves = sum((v for (a, _), v in sums.items() if a == advance_kind), Decimal("0.00"))
    allocation = sum(
        (v for (a, _), v in sums.items() if a == AccountKind.HOSPITAL_ALLOCATION), Decimal("0.00")
    )
    remaining = _sum(
        session,
        select(func.sum(LedgerPosting.amount))
        .join(Account)
        .join(LedgerTransaction)
        .where(
            Account.owner_org_id == h,
            Account.kind == advance_kind,
            LedgerTransaction.occurred_at < end,
        ),
    )
    buyers = [h, *(m.id for m in members)]
    accepted = select(func.sum(Payable.amount)).where(
        Payable.hospital_id.in_(buyers), Payable.accepted_at >= start, Payable.accepted_at < end
    )
    if members:
        per_member = dict(
            session.execute(
                select(Payable.hospital_id, func.sum(Payable.amount))
                .where(
                    Payable.hospital_id.in_(buyers),
                    Payable.accepted_at >= start,
                    Payable.accepted_at < end,
                )
                .group_by(Payable.hospital_id)
            ).all()
        )
        result.members = [
            {
                "id": m.id,
                "code": m.code,
                "name": m.name,
                "institution_type": m.buyer_type,
                "accepted_value": stored_amount(per_member.get(m.id, 0)),
            }
            for m in members
        ]
    result.summary = {
        "advance_received": received,
        "charged_to_advance": received - advance_moves,
        "charged_to_allocation": -allocation,
        "advance_remaining": remaining,
        "accepted_value": _sum(session, accepted),
    }
    result.columns = ["date", "transaction", "account", "amount"]
    result.lines = _hospital_lines(session, h, start, end)


def _hospital_lines(session, hospital_id: int, start, end) -> list[dict[str, Any]]:
    """Every posting on the hospital's accounts in the period, oldest first."""
    rows = session.execute(
        select(
            LedgerTransaction.occurred_at, LedgerTransaction.key, Account.kind, LedgerPosting.amount
        )
        .join(LedgerPosting, LedgerPosting.transaction_id == LedgerTransaction.id)
        .join(Account, Account.id == LedgerPosting.account_id)
        .where(
            Account.owner_org_id == hospital_id,
            LedgerTransaction.occurred_at >= start,
            LedgerTransaction.occurred_at < end,
        )
        .order_by(LedgerTransaction.occurred_at, LedgerPosting.id)
        .limit(5000)
    )
    return [
        {
            "date": business_date(at).isoformat(),
            "transaction": key,
            "account": str(kind),
            "amount": amount,
        }
        for at, key, kind, amount in rows
    ]


def statement_parties(session: Session, *, actor: Actor) -> list[Organization]:
    """Hospitals and manufacturers whose statements the actor may read (fund office and
    regulator: all; a hospital or manufacturer: itself)."""
    actor.require(
        OrgKind.FUND,
        OrgKind.REGULATOR,
        OrgKind.MANUFACTURER,
        OrgKind.HOSPITAL,
        write=False,
        action="read settlement statements",
    )
    query = select(Organization).where(
        Organization.kind.in_([OrgKind.HOSPITAL, OrgKind.MANUFACTURER])
    )
    if actor.org_kind in (OrgKind.MANUFACTURER, OrgKind.HOSPITAL):
        query = query.where(Organization.id.in_(actor.buyer_ids))
    return list(session.scalars(query.order_by(Organization.kind, Organization.code)))


def held_now(session: Session, party_id: int, kind: OrgKind, end) -> dict[str, Decimal]:
    """Amounts of the party's lines accepted before ``end`` that a run may not pay now, per
    reason (``held_unconfirmed``, ``held_disputed``, ``held_mismatch``, ``held_no_invoice``,
    ``held_unscanned``;
    none when nothing is held): the monthly reconciliation's holds (RULES.md 11) and the lines
    accepted without scanning their codes (``services/holds.py``)."""
    side = (
        Reconciliation.manufacturer_id
        if kind == OrgKind.MANUFACTURER
        else (Reconciliation.hospital_id)
    )
    rows = session.execute(
        select(ReconciliationLine.held_reason, func.sum(ReconciliationLine.amount))
        .join(Reconciliation, Reconciliation.id == ReconciliationLine.reconciliation_id)
        .where(
            side == party_id,
            ReconciliationLine.held_reason.is_not(None),
            ReconciliationLine.accepted_at < end,
        )
        .group_by(ReconciliationLine.held_reason)
        .order_by(ReconciliationLine.held_reason)
    )
    held = {f"held_{reason.value}": stored_amount(total) for reason, total in rows}
    unscanned_total = _unscanned_unreconciled(session, party_id, kind, end)
    if unscanned_total:
        held["held_unscanned"] = held.get("held_unscanned", Decimal("0.00")) + unscanned_total
    return held


def _unscanned_unreconciled(session: Session, party_id: int, kind: OrgKind, end) -> Decimal:
    """Unpaid lines outside any reconciliation held because their codes were not scanned."""
    held = unscanned(session, ReceiptLine.id)
    if held is None:
        return Decimal("0.00")
    side = ReceiptLine.manufacturer_id if kind == OrgKind.MANUFACTURER else ReceiptLine.hospital_id
    reconciled = select(ReconciliationLine.id).where(
        ReconciliationLine.receipt_line_id == ReceiptLine.id
    )
    paid = select(Payable.id).where(Payable.id == ReceiptLine.id, Payable.paid_at.is_not(None))
    total = session.scalar(
        select(func.sum(ReceiptLine.accepted_amount)).where(
            side == party_id,
            ReceiptLine.contract_id.is_not(None),
            ReceiptLine.accepted_at < end,
            held,
            ~reconciled.exists(),
            ~paid.exists(),
        )
    )
    return stored_amount(total) if total else Decimal("0.00")
