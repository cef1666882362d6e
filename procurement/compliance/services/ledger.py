"""Year-end postings: a small double-entry helper (settlement has no posting service yet).

Accounts and transactions use settlement's natural keys, so a retry that would post the same
event again finds the first transaction instead of writing a second one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.settlement.models import (
    Account,
    AccountKind,
    LedgerPosting,
    LedgerTransaction,
    TransactionKind,
)


def account(
    session: Session,
    kind: AccountKind,
    *,
    org_id: int | None = None,
    region_code: str | None = None,
    currency: str = "CNY",
    now: datetime,
) -> Account:
    """The account "kind:owner:currency", created on first use."""
    owner = f"org{org_id}" if org_id is not None else f"region{region_code}"
    key = f"{kind.value}:{owner}:{currency}"
    found = session.scalar(select(Account).where(Account.key == key))
    if found is None:
        found = Account(
            key=key,
            kind=kind,
            owner_org_id=org_id,
            region_code=region_code,
            currency=currency,
            created_at=now,
        )
        session.add(found)
        session.flush()
    return found


def post(
    session: Session,
    *,
    key: str,
    legs: list[tuple[Account, Decimal]],
    reference: str,
    description: str,
    now: datetime,
    actor_org_id: int | None,
) -> LedgerTransaction:
    """One balanced year-end transaction (signed amounts, debit positive); idempotent by key."""
    existing = session.scalar(select(LedgerTransaction).where(LedgerTransaction.key == key))
    if existing is not None:
        return existing
    if sum(amount for _, amount in legs) != 0:
        raise ValueError(f"unbalanced transaction {key}")
    txn = LedgerTransaction(
        key=key,
        kind=TransactionKind.YEAR_END,
        reference=reference,
        description=description,
        occurred_at=now,
        created_at=now,
        actor_org_id=actor_org_id,
    )
    session.add(txn)
    session.flush()
    for acct, amount in legs:
        if amount != 0:
            session.add(
                LedgerPosting(
                    transaction_id=txn.id, account_id=acct.id, amount=amount, currency=acct.currency
                )
            )
    session.flush()
    return txn
