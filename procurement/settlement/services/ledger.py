"""The double-entry ledger: accounts, balanced transactions, balances, reversal, reconciliation.

Balances are always ``SUM(amount)`` over postings (positive = debit); nothing caches them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import String, cast, func, insert, literal, select, update
from sqlalchemy.orm import Session, aliased

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import InstitutionType, Organization, OrgKind
from procurement.core.money import Money, stored_amount
from procurement.settlement.errors import (
    AlreadyReversed,
    ReversalOfReversal,
    TransactionNotFound,
    UnbalancedTransaction,
)
from procurement.settlement.models import (
    CURRENCY,
    Account,
    AccountKind,
    LedgerPosting,
    LedgerTransaction,
    Payable,
    TransactionKind,
)

ZERO = Decimal("0.00")


def community_payers(session: Session) -> dict[int, int]:
    """{member id: its county medical community's id}: one payment, one settlement (RULES.md
    12), so the fund charges a member's payables and credits its advances to the community's
    accounts. Every other buyer pays for itself (absent here)."""
    community = aliased(Organization)
    rows = session.execute(
        select(Organization.id, community.id)
        .join(community, community.id == Organization.parent_id)
        .where(community.institution_type == InstitutionType.MEDICAL_COMMUNITY)
    )
    return {member: payer for member, payer in rows}


def account_key(
    kind: AccountKind,
    *,
    org_id: int | None = None,
    region: str | None = None,
    currency: str = CURRENCY,
) -> str:
    owner = f"org{org_id}" if org_id is not None else f"region{region}"
    return f"{kind.value}:{owner}:{currency}"


def get_account(
    session: Session,
    kind: AccountKind,
    *,
    org_id: int | None = None,
    region: str | None = None,
    now: datetime,
    currency: str = CURRENCY,
) -> Account:
    """The account of (kind, owner, currency), created on first use (inside the caller's
    transaction)."""
    key = account_key(kind, org_id=org_id, region=region, currency=currency)
    account = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    if account is None:
        account = Account(
            key=key,
            kind=kind,
            owner_org_id=org_id,
            region_code=region,
            currency=currency,
            created_at=now,
        )
        session.add(account)
        session.flush()
    return account


def ensure_org_accounts(session: Session, kind: AccountKind, owners, now: datetime) -> None:
    """Create the missing ``kind`` accounts of the organizations selected by ``owners`` (a
    select of one column of organization ids) in one INSERT ... SELECT."""
    sub = owners.subquery()
    org_id = sub.c[0]
    key = literal(f"{kind.value}:org") + cast(org_id, String) + literal(f":{CURRENCY}")
    exists = select(Account.id).where(Account.kind == kind, Account.owner_org_id == org_id)
    rows = (
        select(key, literal(kind.value), org_id, literal(CURRENCY), literal(now))
        .where(~exists.exists())
        .distinct()
    )
    session.execute(
        insert(Account).from_select(["key", "kind", "owner_org_id", "currency", "created_at"], rows)
    )


def account_ids(session: Session, kind: AccountKind) -> dict[int, int]:
    """{owner organization id: account id} of one kind."""
    rows = session.execute(select(Account.owner_org_id, Account.id).where(Account.kind == kind))
    return {owner: id_ for owner, id_ in rows}


def post(
    session: Session,
    *,
    key: str,
    kind: TransactionKind,
    legs: list[tuple[Account, Decimal]],
    occurred_at: datetime,
    now: datetime,
    reference: str = "",
    description: str = "",
    actor: Actor | None = None,
    reverses_id: int | None = None,
) -> LedgerTransaction:
    """Add one balanced transaction (flushes, does not commit). Refuses an unbalanced one;
    legs in more than one currency raise (``Money``): a transaction balances in one."""
    legs = [(account, amount) for account, amount in legs if amount != 0]
    amounts = [Money(amount, account.currency) for account, amount in legs]
    total = sum(amounts[1:], amounts[0]) if amounts else Money(ZERO, CURRENCY)
    if total.amount != 0 or not legs:
        raise UnbalancedTransaction(key=key, total=total.amount)
    txn = LedgerTransaction(
        key=key,
        kind=kind,
        reference=reference,
        description=description,
        occurred_at=occurred_at,
        created_at=now,
        reverses_id=reverses_id,
        actor_org_id=actor.org_id if actor else None,
    )
    session.add(txn)
    session.flush()
    session.add_all(
        LedgerPosting(
            transaction_id=txn.id, account_id=account.id, amount=amount, currency=account.currency
        )
        for account, amount in legs
    )
    session.flush()
    return txn


def transaction_sum(session: Session, transaction_id: int) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerPosting.amount), 0)).where(
            LedgerPosting.transaction_id == transaction_id
        )
    )
    return Decimal(total)


def balance(session: Session, account_id: int, *, until: datetime | None = None) -> Decimal:
    """An account's balance = the sum of its postings (up to ``until``, exclusive)."""
    query = select(func.coalesce(func.sum(LedgerPosting.amount), 0)).where(
        LedgerPosting.account_id == account_id
    )
    if until is not None:
        query = query.join(LedgerTransaction).where(LedgerTransaction.occurred_at < until)
    return stored_amount(session.scalar(query))


def reverse_transaction(
    session: Session, *, transaction_id: int, reason: str, now: datetime, actor: Actor
) -> LedgerTransaction:
    """Correct a transaction by a reversing one (fund office). A reversed payment releases its
    payables, so the next settlement run pays them again."""
    actor.require(OrgKind.FUND, action="reverse a ledger transaction")
    original = session.get(LedgerTransaction, transaction_id)
    if original is None:
        raise TransactionNotFound(transaction_id=transaction_id)
    if original.kind == TransactionKind.REVERSAL:
        raise ReversalOfReversal(transaction_id=transaction_id)
    if (
        session.scalar(
            select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == transaction_id)
        )
        is not None
    ):
        raise AlreadyReversed(transaction_id=transaction_id)
    legs = [(p.account, -p.amount) for p in original.postings]
    txn = post(
        session,
        key=f"reversal:{original.id}",
        kind=TransactionKind.REVERSAL,
        legs=legs,
        occurred_at=now,
        now=now,
        reference=original.key,
        description=reason or f"Reversal of {original.key}",
        actor=actor,
        reverses_id=original.id,
    )
    released = (
        session.connection()
        .execute(
            update(Payable)
            .where(Payable.payment_txn_id == original.id)
            .values(run_id=None, payment_txn_id=None, paid_at=None)
        )
        .rowcount
    )
    audit.record(
        session,
        action="settlement.transaction.reversed",
        subject_type="ledger_transaction",
        subject_id=original.id,
        now=now,
        actor=actor,
        payload={"reversal_id": txn.id, "reason": reason, "payables_released": released},
    )
    session.commit()
    return txn
