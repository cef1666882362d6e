"""Year-end postings through settlement's ledger (``get_account`` and ``post``). A transaction
is found by its natural key first, so a retry never posts the same event twice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.settlement.models import Account, AccountKind, LedgerTransaction, TransactionKind
from procurement.settlement.services import ledger as settlement_ledger


def account(
    session: Session,
    kind: AccountKind,
    *,
    org_id: int | None = None,
    region_code: str | None = None,
    now: datetime,
) -> Account:
    """The account of (kind, owner), created on first use."""
    return settlement_ledger.get_account(session, kind, org_id=org_id, region=region_code, now=now)


def post(
    session: Session,
    *,
    key: str,
    legs: list[tuple[Account, Decimal]],
    reference: str,
    description: str,
    now: datetime,
    actor: Actor | None,
) -> LedgerTransaction:
    """One balanced year-end transaction (debit positive); idempotent by its key."""
    existing = session.scalar(select(LedgerTransaction).where(LedgerTransaction.key == key))
    if existing is not None:
        return existing
    return settlement_ledger.post(
        session,
        key=key,
        kind=TransactionKind.YEAR_END,
        legs=legs,
        occurred_at=now,
        now=now,
        reference=reference,
        description=description,
        actor=actor,
    )
