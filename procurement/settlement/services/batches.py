"""One batch of a settlement run, in one database transaction.

Set-based: one statement claims every eligible payable of the batch's manufacturers (an UPDATE
of the payables accrued before) and accrues-and-pays their due receipt lines that have none yet
(an INSERT ... SELECT writing each payable once, already paid: a run over a million unaccrued
lines writes a million rows, not twice that), and (on PostgreSQL, in the same statement through
data-modifying CTEs) returns them aggregated per (manufacturer, hospital) pair; at most a few
thousand pairs per batch, whatever the number of payables. Payments (one per manufacturer)
and the balanced ledger transaction are built from those pairs: Dr manufacturer_paid per
manufacturer; Cr hospital_advance up to its balance, then Cr hospital_allocation for the rest,
per hospital (``rules.split_charge``). No Python loop runs per payable.

The aggregate reads the rows the statement wrote (RETURNING), rather than a second query in a
REPEATABLE READ snapshot: it costs about the same (docs/performance.md), needs no isolation
level of its own, and what it sums is by construction what it wrote.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, union_all, update
from sqlalchemy.orm import Session

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.core.clock import day_start
from procurement.core.money import stored_amount
from procurement.db.backends import plan_for_bulk
from procurement.orders.models import ReceiptLine
from procurement.settlement.errors import UnbalancedPayment
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
from procurement.settlement.rules import split_charge
from procurement.settlement.services.holds import released_lines, released_payables
from procurement.settlement.services.ledger import CURRENCY, account_ids, community_payers
from procurement.settlement.services.outbox import record_payments
from procurement.settlement.services.payables import accruals


@dataclass(frozen=True)
class Pair:
    """What one batch paid for one (manufacturer, hospital) pair."""

    manufacturer_id: int
    hospital_id: int
    amount: Decimal
    count: int


@dataclass(frozen=True)
class Work:
    """What a run has left, per manufacturer, as seen when it (re)starts: accrued payables to
    claim, and due receipt lines without a payable to accrue and pay."""

    claim: frozenset[int]
    accrue: frozenset[int]


def eligible(session: Session, run: SettlementRun) -> tuple:
    """The run's accrued payables not yet claimed: accepted up to the cut-off and by its start
    (a payable is accrued after its line is accepted, so this includes every payable accrued by
    the run's start)."""
    return (
        Payable.paid_at.is_(None),
        Payable.accepted_at < day_start(run.cut_off + timedelta(days=1)),
        Payable.accepted_at <= run.started_at,
        *released_payables(session),  # held payables wait (services/holds.py)
    )


def due_lines(session: Session, run: SettlementRun) -> tuple:
    """The run's receipt lines (those without a payable are accrued and paid by it): accepted up
    to the cut-off and by the run's start, so a resumed run's plan is the same."""
    return (
        ReceiptLine.accepted_at < day_start(run.cut_off + timedelta(days=1)),
        ReceiptLine.accepted_at <= run.started_at,
        *released_lines(session),  # held lines wait (services/holds.py)
    )


def pay_batch(
    session: Session,
    run: SettlementRun,
    manufacturers: list[int],
    *,
    now: datetime,
    actor: Actor,
    work: Work | None = None,
    batch_no: int | None = None,
) -> int:
    """Pay one batch of manufacturers and commit it; returns the batch number. ``work`` (from
    the run's plan) spares the statements a batch has nothing to do with. Without
    ``batch_no`` the batch locks the run for its whole transaction and takes the next number;
    with one (batches running side by side, ``runs.pay_side_by_side``) it only bumps the run's
    counters at its end."""
    side_by_side = batch_no is not None
    if not side_by_side:
        session.refresh(run, with_for_update=True)
        batch_no = run.batches_done + 1
    txn = _payment_transaction(run, batch_no, now=now, actor=actor)
    session.add(txn)
    session.flush()
    work = work or Work(frozenset(manufacturers), frozenset(manufacturers))
    pairs = claim(session, run, txn.id, manufacturers, now, work)
    if pairs:
        total = _record(session, run, txn, batch_no, pairs, now)
    else:
        session.delete(txn)
        total = Decimal("0.00")
    count = sum(p.count for p in pairs)
    _count_batch(session, run, batch_no, count, total, side_by_side=side_by_side)
    audit.record(
        session,
        action="settlement.run.batch_paid",
        subject_type="settlement_run",
        subject_id=run.id,
        now=now,
        actor=actor,
        payload={"batch": batch_no, "payables": count, "amount": str(total)},
    )
    session.commit()
    return batch_no


def _payment_transaction(
    run: SettlementRun, batch_no: int | None, *, now: datetime, actor: Actor
) -> LedgerTransaction:
    """The batch's payment transaction (its postings follow once the batch is claimed)."""
    return LedgerTransaction(
        key=f"payment:{run.reference}:{batch_no}",
        kind=TransactionKind.PAYMENT,
        reference=run.reference,
        run_id=run.id,
        occurred_at=now,
        created_at=now,
        actor_org_id=actor.org_id,
        description=f"Settlement run {run.reference}, batch {batch_no}",
    )


def _count_batch(
    session: Session,
    run: SettlementRun,
    batch_no: int | None,
    count: int,
    total: Decimal,
    *,
    side_by_side: bool,
) -> None:
    """Add the batch to the run's counters: in place when the batch holds the run's lock, by
    one UPDATE of the counters when batches run side by side."""
    if side_by_side:
        session.execute(
            update(SettlementRun)
            .where(SettlementRun.id == run.id)
            .values(
                batches_done=SettlementRun.batches_done + 1,
                payables_count=SettlementRun.payables_count + count,
                total_amount=SettlementRun.total_amount + total,
            )
        )
    else:
        run.batches_done = batch_no
        run.payables_count += count
        run.total_amount = Decimal(run.total_amount) + total


def claim(session: Session, run, txn_id: int, manufacturers: list[int], now, work: Work):
    """Claim the batch's accrued payables (UPDATE), accrue-and-pay its unaccrued due lines
    (INSERT ... SELECT) and return what was paid summed per pair (a list of ``Pair``)."""
    statements = []
    to_claim = sorted(work.claim.intersection(manufacturers))
    if to_claim:
        statements.append(
            update(Payable)
            .where(*eligible(session, run), Payable.manufacturer_id.in_(to_claim))
            .values(run_id=run.id, payment_txn_id=txn_id, paid_at=now)
        )
    to_accrue = sorted(work.accrue.intersection(manufacturers))
    if to_accrue:
        statements += accruals(
            session,
            where=(*due_lines(session, run), ReceiptLine.manufacturer_id.in_(to_accrue)),
            same=(Payable.manufacturer_id.in_(to_accrue),),
            paid=(run.id, txn_id, now),
        )
    if not statements:
        return []
    conn = session.connection()
    plan_for_bulk(session)
    if conn.dialect.name == "postgresql":
        paid = (Payable.manufacturer_id, Payable.hospital_id, Payable.amount)
        parts = [st.returning(*paid).cte(f"paid_{i}") for i, st in enumerate(statements)]
        cols = union_all(*(select(*part.c) for part in parts)).subquery("paid").c
        where = ()
    else:  # SQLite cannot put an UPDATE in a CTE: write, then read the claimed rows back
        for statement in statements:
            conn.execute(statement)
        cols, where = Payable.__table__.c, (Payable.payment_txn_id == txn_id,)
    query = (
        select(cols.manufacturer_id, cols.hospital_id, func.sum(cols.amount), func.count())
        .where(*where)
        .group_by(cols.manufacturer_id, cols.hospital_id)
        .order_by(cols.manufacturer_id, cols.hospital_id)
    )
    return [Pair(m, h, stored_amount(amount), int(n)) for m, h, amount, n in conn.execute(query)]


def _record(session, run, txn, batch_no, pairs: list[Pair], now) -> Decimal:
    """Insert the batch's payments and postings; refuse unless the postings balance. Everything
    that needs no lock comes first: a batch running side by side waits for the other's advance
    accounts only while that one reads their balances, inserts its postings and commits."""
    per_maker: dict[int, list[Pair]] = defaultdict(list)
    charges: dict[int, Decimal] = defaultdict(Decimal)
    payers = community_payers(session)  # a medical community pays for its members
    for pair in pairs:
        per_maker[pair.manufacturer_id].append(pair)
        charges[payers.get(pair.hospital_id, pair.hospital_id)] += pair.amount
    payments = [
        {
            "run_id": run.id,
            "manufacturer_id": m,
            "batch_no": batch_no,
            "amount": sum((p.amount for p in rows), Decimal("0.00")),
            "payables_count": sum(p.count for p in rows),
            "currency": CURRENCY,
            "transaction_id": txn.id,
            "paid_at": now,
        }
        for m, rows in sorted(per_maker.items())
    ]
    _insert_rows(session, Payment, payments)
    record_payments(session, run, batch_no, payments, _hospitals_of(per_maker))
    paid = account_ids(session, AccountKind.MANUFACTURER_PAID)
    legs = [(paid[p["manufacturer_id"]], p["amount"]) for p in payments]
    allocation = account_ids(session, AccountKind.HOSPITAL_ALLOCATION)
    legs += _hospital_legs(session, charges, allocation)
    total = sum((amount for _, amount in legs), Decimal("0.00"))
    if total != 0:
        raise UnbalancedPayment(key=txn.key, total=total)
    _insert_rows(
        session,
        LedgerPosting,
        [
            {"transaction_id": txn.id, "account_id": a, "amount": x, "currency": CURRENCY}
            for a, x in legs
            if x != 0
        ],
    )
    return sum((p["amount"] for p in payments), Decimal("0.00"))


def _hospitals_of(per_maker: dict[int, list[Pair]]) -> dict[int, set[int]]:
    return {m: {p.hospital_id for p in rows} for m, rows in per_maker.items()}


def _insert_rows(session, model, rows: list[dict]) -> None:
    """One executemany of a Core INSERT (psycopg 3 pipelines it). Multi-row INSERT ... VALUES
    statements spent most of their time compiling bind parameters in Python, and an ORM
    executemany once sent one statement per row (docs/performance.md)."""
    if rows:
        session.connection().execute(insert(model.__table__), rows)


def _hospital_legs(
    session, charges: dict[int, Decimal], allocation: dict[int, int]
) -> list[tuple[int, Decimal]]:
    """Cr hospital_advance (up to its balance now) and Cr hospital_allocation (the rest). The
    advance accounts are locked first (in id order), so that batches running side by side
    charge one hospital's advance one after the other, never both against the same balance."""
    advance = dict(
        session.execute(
            select(Account.owner_org_id, Account.id)
            .where(
                Account.kind == AccountKind.HOSPITAL_ADVANCE,
                Account.owner_org_id.in_(list(charges)),
            )
            .order_by(Account.id)
            .with_for_update()
        ).all()
    )
    balances = dict(
        session.execute(
            select(LedgerPosting.account_id, func.sum(LedgerPosting.amount))
            .where(LedgerPosting.account_id.in_(list(advance.values())))
            .group_by(LedgerPosting.account_id)
        ).all()
    )
    legs = []
    for hospital, charge in sorted(charges.items()):
        account = advance.get(hospital)
        balance = stored_amount(balances.get(account, 0))
        from_advance, rest = split_charge(balance, charge)
        if from_advance:
            legs.append((account, -from_advance))
        if rest:
            legs.append((allocation[hospital], -rest))
    return legs
