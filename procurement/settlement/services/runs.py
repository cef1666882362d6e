"""Settlement runs (直接结算): pay every unpaid payable accepted up to the cut-off date, one
payment per manufacturer, charged to each hospital's advance first, then its allocation.

Choice (documented in the issue report): a run pays all unpaid payables with ``accepted_at``
before the end of the cut-off date (UTC), whether or not their 30 days have run out; paying
early is allowed, and what stays unpaid past ``due_at`` is the overdue list.

Crash safety: the run row (unique fund office + Idempotency-Key) is claimed and committed
first. Work is split into batches of manufacturers (sorted by id); each batch is one database
transaction: claim the payables (``run_id IS NULL``), insert the payments and the balanced ledger
transaction (unique key ``payment:{run}:{batch}``), bump the run's counters, commit. Killed
between or inside batches, the same call again continues with what is left: committed batches
are never repeated and uncommitted ones left nothing behind. Only payables accrued by the run's
start belong to it, so every batch plan of one run is the same whether or not it was resumed.
This function therefore commits once per batch, not once in all: that is the point of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, insert, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.core.errors import Conflict, NotFound, RuleViolation
from procurement.settlement.models import (
    Account,
    AccountKind,
    LedgerPosting,
    LedgerTransaction,
    Payable,
    Payment,
    RunStatus,
    SettlementRun,
    TransactionKind,
)
from procurement.settlement.services.ledger import CURRENCY, ensure_org_accounts
from procurement.settlement.services.payables import day_start, insert_payables

AfterBatch = Callable[[int], None]
HALF_FEN = Decimal("0.005")


def start_run(
    session: Session,
    *,
    cut_off: date,
    idempotency_key: str,
    now: datetime,
    actor: Actor,
    batch_size: int = 20,
    after_batch: AfterBatch | None = None,
) -> SettlementRun:
    """Start (or, with the same Idempotency-Key, resume or replay) a settlement run.

    ``after_batch(batch_no)`` is called after each committed batch (progress, tests inject a
    crash there)."""
    actor.require(OrgKind.FUND, action="start a settlement run")
    if not idempotency_key or len(idempotency_key) > 200:
        raise RuleViolation(
            "Send an Idempotency-Key of 1 to 200 characters with a run.",
            code="idempotency-key-required",
        )
    if batch_size < 1:
        raise RuleViolation("batch_size must be at least 1.", code="bad-batch-size")
    run = _claim(session, cut_off, idempotency_key, now, actor, batch_size)
    if run.status == RunStatus.COMPLETED:
        return run
    return _execute(session, run, now=now, actor=actor, after_batch=after_batch)


def _claim(session, cut_off, key, now, actor, batch_size) -> SettlementRun:
    existing = _by_key(session, actor.org_id, key)
    if existing is None:
        run = SettlementRun(
            reference=f"pending-{key}"[:40],
            fund_org_id=actor.org_id,
            idempotency_key=key,
            cut_off=cut_off,
            started_at=now,
            batch_size=batch_size,
            currency=CURRENCY,
        )
        session.add(run)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            existing = _by_key(session, actor.org_id, key)
        else:
            run.reference = f"SR{cut_off:%Y%m%d}-{run.id:06d}"
            insert_payables(session, now=now)
            audit.record(
                session,
                action="settlement.run.started",
                subject_type="settlement_run",
                subject_id=run.id,
                now=now,
                actor=actor,
                payload={"cut_off": cut_off.isoformat(), "key": key},
            )
            session.commit()
            return run
    if existing.cut_off != cut_off:
        raise Conflict(
            f"Idempotency-Key {key!r} was used for the run with cut-off "
            f"{existing.cut_off}; use a new key for another cut-off.",
            code="idempotency-key-reused",
            run_id=existing.id,
        )
    return existing


def _by_key(session, org_id, key) -> SettlementRun | None:
    return session.scalars(
        select(SettlementRun).where(
            SettlementRun.fund_org_id == org_id, SettlementRun.idempotency_key == key
        )
    ).one_or_none()


def _eligible(run: SettlementRun):
    """The run's payables not yet claimed: accepted up to the cut-off, accrued by its start."""
    return (
        Payable.run_id.is_(None),
        Payable.accepted_at < day_start(run.cut_off + timedelta(days=1)),
        Payable.accrued_at <= run.started_at,
    )


def plan_batches(session: Session, run: SettlementRun) -> list[list[int]]:
    """Manufacturers with eligible payables and no payment in this run yet, in id order,
    chunked by the run's batch size."""
    paid = select(Payment.manufacturer_id).where(Payment.run_id == run.id)
    ids = list(
        session.scalars(
            select(Payable.manufacturer_id)
            .where(*_eligible(run), Payable.manufacturer_id.not_in(paid))
            .group_by(Payable.manufacturer_id)
            .order_by(Payable.manufacturer_id)
        )
    )
    return [ids[i : i + run.batch_size] for i in range(0, len(ids), run.batch_size)]


def _execute(session, run, *, now, actor, after_batch) -> SettlementRun:
    run_id = run.id
    try:
        eligible = select(Payable.hospital_id).where(*_eligible(run))
        ensure_org_accounts(session, AccountKind.HOSPITAL_ALLOCATION, eligible, now)
        ensure_org_accounts(
            session,
            AccountKind.MANUFACTURER_PAID,
            select(Payable.manufacturer_id).where(*_eligible(run)),
            now,
        )
        plan = plan_batches(session, run)
        run.status, run.error = RunStatus.RUNNING, None
        run.batches_total = run.batches_done + len(plan)
        session.commit()
        for manufacturers in plan:
            batch_no = pay_batch(session, run, manufacturers, now=now, actor=actor)
            if after_batch is not None:
                after_batch(batch_no)
    except Exception as exc:
        session.rollback()
        run = session.get(SettlementRun, run_id)
        run.status, run.error = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        session.commit()
        raise
    run.status, run.finished_at = RunStatus.COMPLETED, now
    audit.record(
        session,
        action="settlement.run.completed",
        subject_type="settlement_run",
        subject_id=run.id,
        now=now,
        actor=actor,
        payload={"payables": run.payables_count, "amount": str(run.total_amount)},
    )
    session.commit()
    return run


def pay_batch(
    session: Session, run: SettlementRun, manufacturers: list[int], *, now: datetime, actor: Actor
) -> int:
    """One batch in one database transaction (committed here); returns its number."""
    session.refresh(run, with_for_update=True)
    batch_no = run.batches_done + 1
    txn = LedgerTransaction(
        key=f"payment:{run.reference}:{batch_no}",
        kind=TransactionKind.PAYMENT,
        reference=run.reference,
        run_id=run.id,
        occurred_at=now,
        created_at=now,
        actor_org_id=actor.org_id,
        description=f"Settlement run {run.reference}, batch {batch_no}",
    )
    session.add(txn)
    session.flush()
    claimed = (
        session.connection()
        .execute(
            update(Payable)
            .where(*_eligible(run), Payable.manufacturer_id.in_(manufacturers))
            .values(run_id=run.id, payment_txn_id=txn.id, paid_at=now)
        )
        .rowcount
    )
    if claimed:
        _insert_payments(session, run, txn, batch_no, now)
        _insert_postings(session, txn)
        total = _check_balanced(session, txn)
    else:
        session.delete(txn)
        total = Decimal("0.00")
    run.batches_done = batch_no
    run.payables_count += claimed
    run.total_amount = Decimal(run.total_amount) + total
    audit.record(
        session,
        action="settlement.run.batch_paid",
        subject_type="settlement_run",
        subject_id=run.id,
        now=now,
        actor=actor,
        payload={"batch": batch_no, "payables": claimed, "amount": str(total)},
    )
    session.commit()
    return batch_no


def _insert_payments(session, run, txn, batch_no, now) -> None:
    rows = (
        select(
            literal(run.id),
            Payable.manufacturer_id,
            literal(batch_no),
            func.sum(Payable.amount),
            func.count(Payable.id),
            literal(CURRENCY),
            literal(txn.id),
            literal(now, Payment.paid_at.type),
        )
        .where(Payable.payment_txn_id == txn.id)
        .group_by(Payable.manufacturer_id)
    )
    session.execute(
        insert(Payment).from_select(
            [
                "run_id",
                "manufacturer_id",
                "batch_no",
                "amount",
                "payables_count",
                "currency",
                "transaction_id",
                "paid_at",
            ],
            rows,
        )
    )


def _insert_postings(session, txn) -> None:
    """Dr manufacturer_paid per manufacturer; Cr hospital_advance (up to its balance) and Cr
    hospital_allocation (the rest) per hospital, all from one snapshot of the balances."""
    paid = Account.__table__.alias("paid")
    debit = (
        select(literal(txn.id), paid.c.id, Payment.amount, literal(CURRENCY))
        .join(
            paid,
            (paid.c.kind == AccountKind.MANUFACTURER_PAID.value)
            & (paid.c.owner_org_id == Payment.manufacturer_id),
        )
        .where(Payment.transaction_id == txn.id)
    )
    charge = (
        select(Payable.hospital_id.label("hospital_id"), func.sum(Payable.amount).label("c"))
        .where(Payable.payment_txn_id == txn.id)
        .group_by(Payable.hospital_id)
        .cte("charge")
    )
    adv = Account.__table__.alias("adv")
    alloc = Account.__table__.alias("alloc")
    advance_balance = (
        select(
            adv.c.owner_org_id.label("hospital_id"),
            adv.c.id.label("account_id"),
            func.coalesce(func.sum(LedgerPosting.amount), 0).label("bal"),
        )
        .outerjoin(LedgerPosting, LedgerPosting.account_id == adv.c.id)
        .where(
            adv.c.kind == AccountKind.HOSPITAL_ADVANCE.value,
            adv.c.owner_org_id.in_(select(charge.c.hospital_id)),
        )
        .group_by(adv.c.id, adv.c.owner_org_id)
        .cte("advance_balance")
    )
    bal = func.coalesce(advance_balance.c.bal, 0)
    from_advance = case((bal <= 0, 0), (bal >= charge.c.c, charge.c.c), else_=bal)
    split = (
        select(
            charge.c.hospital_id,
            charge.c.c,
            advance_balance.c.account_id,
            func.round(from_advance, 2).label("from_advance"),
        )
        .outerjoin(advance_balance, advance_balance.c.hospital_id == charge.c.hospital_id)
        .cte("split")
    )
    advance_leg = select(
        literal(txn.id), split.c.account_id, -split.c.from_advance, literal(CURRENCY)
    ).where(split.c.from_advance > 0)
    rest = func.round(split.c.c - split.c.from_advance, 2)
    allocation_leg = (
        select(literal(txn.id), alloc.c.id, -rest, literal(CURRENCY))
        .join(
            alloc,
            (alloc.c.kind == AccountKind.HOSPITAL_ALLOCATION.value)
            & (alloc.c.owner_org_id == split.c.hospital_id),
        )
        .where(rest > 0)
    )
    session.execute(
        insert(LedgerPosting).from_select(
            ["transaction_id", "account_id", "amount", "currency"],
            union_all(debit, advance_leg, allocation_leg),
        )
    )


def _check_balanced(session, txn) -> Decimal:
    """Refuse (roll back the batch) unless the batch's postings balance; returns the amount paid."""
    debit, net = session.execute(
        select(
            func.coalesce(func.sum(case((LedgerPosting.amount > 0, LedgerPosting.amount))), 0),
            func.coalesce(func.sum(LedgerPosting.amount), 0),
        ).where(LedgerPosting.transaction_id == txn.id)
    ).one()
    if abs(Decimal(str(net))) >= HALF_FEN:
        raise RuleViolation(
            f"Payment transaction {txn.key} does not balance ({net}).",
            code="unbalanced-transaction",
        )
    return Decimal(str(debit)).quantize(Decimal("0.01"))


def get_run(session: Session, *, run_id: int, actor: Actor) -> SettlementRun:
    """A run with its progress (fund office, regulator)."""
    actor.require(OrgKind.FUND, OrgKind.REGULATOR, write=False, action="read settlement runs")
    run = session.get(SettlementRun, run_id)
    if run is None:
        raise NotFound(f"No settlement run {run_id}.", run_id=run_id)
    return run


def list_runs(session: Session, *, actor: Actor, limit: int = 200) -> list[SettlementRun]:
    """Runs, newest first (fund office, regulator)."""
    actor.require(OrgKind.FUND, OrgKind.REGULATOR, write=False, action="read settlement runs")
    return list(
        session.scalars(select(SettlementRun).order_by(SettlementRun.id.desc()).limit(limit))
    )
