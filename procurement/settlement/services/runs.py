"""Settlement runs (直接结算): pay every unpaid payable accepted up to the cut-off date, one
payment per manufacturer, charged to each hospital's advance first, then its allocation.

Choice (documented in the issue report): a run pays all unpaid payables with ``accepted_at``
before the end of the cut-off date (a business date), whether or not their 30 days have run
out; paying early is allowed, and what stays unpaid past ``due_at`` is the overdue list.

Crash safety: the run row (unique fund office + Idempotency-Key) is claimed and committed
first. Work is split into batches of manufacturers (sorted by id); each batch is one database
transaction: claim the accrued payables (``run_id IS NULL``) and accrue-and-pay the due receipt
lines without one (the payable's primary key is the line's id, so no line is paid twice),
insert the payments and the balanced ledger transaction (unique key ``payment:{run}:{batch}``),
bump the run's counters, commit. Killed
between or inside batches, the same call again continues with what is left: committed batches
are never repeated and uncommitted ones left nothing behind. Only payables accrued by the run's
start belong to it, so every batch plan of one run is the same whether or not it was resumed.
At its start the run accrues the lines it will not pay (accepted after the cut-off), so that
after it every accepted line has a payable, as before.
This function therefore commits once per batch, not once in all: that is the point of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.core.clock import day_start
from procurement.core.messages import N_
from procurement.core.money import stored_amount
from procurement.db.backends import backend, plan_for_bulk
from procurement.orders.models import ReceiptLine
from procurement.settlement.errors import (
    BatchSizeNotValid,
    IdempotencyKeyRequired,
    NothingDue,
    RunKeyReused,
    RunNotCompleted,
    RunNotFound,
)
from procurement.settlement.export import payment_file_csv
from procurement.settlement.models import (
    AccountKind,
    Payable,
    Payment,
    RunStatus,
    SettlementRun,
)
from procurement.settlement.rules import DEFAULT_RUN_BATCH_SIZE
from procurement.settlement.services.batches import Work, due_lines, eligible, pay_batch
from procurement.settlement.services.ledger import CURRENCY, ensure_org_accounts
from procurement.settlement.services.payables import insert_payables

AfterBatch = Callable[[int], None]


def start_run(
    session: Session,
    *,
    cut_off: date,
    idempotency_key: str,
    now: datetime,
    actor: Actor,
    batch_size: int = DEFAULT_RUN_BATCH_SIZE,
    after_batch: AfterBatch | None = None,
    workers: int | None = None,
) -> SettlementRun:
    """Start (or, with the same Idempotency-Key, resume or replay) a settlement run.

    ``after_batch(batch_no)`` is called after each committed batch (progress, tests inject a
    crash there). ``workers``: batches paid side by side (default: see ``_workers``)."""
    check_start(
        session,
        cut_off=cut_off,
        idempotency_key=idempotency_key,
        batch_size=batch_size,
        now=now,
        actor=actor,
    )
    run = _claim(session, cut_off, idempotency_key, now, actor, batch_size)
    if run.status == RunStatus.COMPLETED:
        run.replayed = True  # transient: the API answers a replay with 200, not 201
        return run
    return _execute(session, run, now=now, actor=actor, after_batch=after_batch, workers=workers)


def check_start(
    session: Session,
    *,
    cut_off: date,
    idempotency_key: str,
    batch_size: int,
    now: datetime,
    actor: Actor,
) -> None:
    """Refuse a run that cannot start: not a fund office, no key, a bad batch size, or
    nothing due (unless the key names a run already started, which resumes)."""
    actor.require(OrgKind.FUND, action="start a settlement run")
    if not idempotency_key or not idempotency_key.strip() or len(idempotency_key) > 200:
        raise IdempotencyKeyRequired(
            errors={"Idempotency-Key": [N_("Required, 1 to 200 characters.")]}
        )
    if batch_size < 1:
        raise BatchSizeNotValid(errors={"batch_size": [N_("At least 1.")]})
    if _by_key(session, actor.org_id, idempotency_key) is None and not anything_due(
        session, cut_off, now
    ):
        raise NothingDue(cut_off=cut_off.isoformat())


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
            later = day_start(cut_off + timedelta(days=1))
            insert_payables(
                session,
                where=(ReceiptLine.accepted_at >= later,),
                same=(Payable.accepted_at >= later,),
            )
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
            run.replayed = False
            return run
    existing.replayed = True
    if existing.cut_off != cut_off:
        raise RunKeyReused(key=key, cut_off=existing.cut_off, run_id=existing.id)
    return existing


def _by_key(session, org_id, key) -> SettlementRun | None:
    return session.scalars(
        select(SettlementRun).where(
            SettlementRun.fund_org_id == org_id, SettlementRun.idempotency_key == key
        )
    ).one_or_none()


def anything_due(session: Session, cut_off: date, now: datetime) -> bool:
    """Whether a run with this cut-off, started now, would pay anything: an unpaid payable, or
    an accepted contract receipt line without one, accepted by the end of the cut-off date."""
    probe = SettlementRun(cut_off=cut_off, started_at=now)  # never added: only its dates count
    accrued = select(Payable.id).where(Payable.id == ReceiptLine.id).exists()
    unpaid = select(Payable.id).where(*eligible(session, probe)).limit(1)
    unaccrued = (
        select(ReceiptLine.id)
        .where(
            *due_lines(session, probe),
            ReceiptLine.contract_id.is_not(None),
            ReceiptLine.accepted_quantity > 0,
            ~accrued,
        )
        .limit(1)
    )
    return session.scalar(unpaid) is not None or session.scalar(unaccrued) is not None


def open_work(session: Session, run: SettlementRun) -> Work:
    """Manufacturers without a payment in this run yet that have eligible accrued payables, and
    those that have due receipt lines without a payable (one hash anti-join of the lines with
    the payables: a LATERAL probe per line through the primary key was far slower once they
    were all accrued; docs/performance.md)."""
    plan_for_bulk(session)
    paid = select(Payment.manufacturer_id).where(Payment.run_id == run.id)
    accrued = select(Payable.id).where(Payable.id == ReceiptLine.id).exists()
    claim = select(Payable.manufacturer_id).where(
        *eligible(session, run), Payable.manufacturer_id.not_in(paid)
    )
    accrue = select(ReceiptLine.manufacturer_id).where(
        *due_lines(session, run),
        ReceiptLine.contract_id.is_not(None),
        ReceiptLine.accepted_quantity > 0,
        ReceiptLine.manufacturer_id.not_in(paid),
        ~accrued,
    )
    return Work(
        frozenset(session.scalars(claim.distinct())), frozenset(session.scalars(accrue.distinct()))
    )


def plan_batches(session: Session, run: SettlementRun, work: Work | None = None) -> list[list[int]]:
    """Manufacturers with eligible payables or due unaccrued receipt lines and no payment in
    this run yet, in id order, chunked by the run's batch size."""
    work = work or open_work(session, run)
    ids = sorted(work.claim | work.accrue)
    return [ids[i : i + run.batch_size] for i in range(0, len(ids), run.batch_size)]


def _workers(session: Session, asked: int | None) -> int:
    """Batches paid side by side: as asked, else two on PostgreSQL when the session owns its
    connections (a session bound to one connection, as in tests, cannot lend it out)."""
    if asked is not None:
        return max(1, asked)
    bind = session.get_bind()
    if isinstance(bind, Engine) and backend(bind).writes_side_by_side:
        return min(2, os.cpu_count() or 1)
    return 1


def pay_side_by_side(session, run, plan, work, now, actor, after_batch, workers) -> None:
    """Pay the planned batches on ``workers`` connections at once, each batch its own
    transaction as in the sequential run. PostgreSQL runs an INSERT ... SELECT on one core
    only, while the GROUP BY it is measured against reads with two parallel workers.

    Batch numbers (and so ledger keys) are fixed before they start, above every number this
    run has used, so a batch resumed after a crash never reuses one: committed batches are
    counted in ``batches_done`` and have payments; a batch that paid nothing left no key."""
    used = session.scalar(select(func.max(Payment.batch_no)).where(Payment.run_id == run.id))
    base = max(run.batches_done, used or 0)
    engine, run_id = session.get_bind(), run.id

    def pay(batch_no: int, manufacturers: list[int]) -> int:
        with Session(engine, expire_on_commit=False) as own:
            mine = own.get(SettlementRun, run_id)
            return pay_batch(
                own, mine, manufacturers, now=now, actor=actor, work=work, batch_no=batch_no
            )

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="settlement-batch")
    try:
        futures = [pool.submit(pay, base + i, m) for i, m in enumerate(plan, start=1)]
        for future in as_completed(futures):
            batch_no = future.result()
            if after_batch is not None:
                after_batch(batch_no)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _execute(session, run, *, now, actor, after_batch, workers=None) -> SettlementRun:
    run_id = run.id
    try:
        # Accounts for every hospital and manufacturer: reading the organizations is cheaper
        # than a DISTINCT over a million payables.
        for kind, account in (
            (OrgKind.HOSPITAL, AccountKind.HOSPITAL_ALLOCATION),
            (OrgKind.MANUFACTURER, AccountKind.MANUFACTURER_PAID),
        ):
            owners = select(Organization.id).where(Organization.kind == kind)
            ensure_org_accounts(session, account, owners, now)
        work = open_work(session, run)
        plan = plan_batches(session, run, work)
        run.status, run.error = RunStatus.RUNNING, None
        run.batches_total = run.batches_done + len(plan)
        session.commit()
        workers = _workers(session, workers)
        if workers > 1 and len(plan) > 1:
            pay_side_by_side(session, run, plan, work, now, actor, after_batch, workers)
            session.refresh(run)
        else:
            for manufacturers in plan:
                batch_no = pay_batch(session, run, manufacturers, now=now, actor=actor, work=work)
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


def get_run(session: Session, *, run_id: int, actor: Actor) -> SettlementRun:
    """A run with its progress (fund office, regulator)."""
    actor.require(OrgKind.FUND, OrgKind.REGULATOR, write=False, action="read settlement runs")
    run = session.get(SettlementRun, run_id)
    if run is None:
        raise RunNotFound(run_id=run_id)
    return run


def list_runs(session: Session, *, actor: Actor, limit: int = 200) -> list[SettlementRun]:
    """Runs, newest first (fund office, regulator)."""
    actor.require(OrgKind.FUND, OrgKind.REGULATOR, write=False, action="read settlement runs")
    return list(
        session.scalars(select(SettlementRun).order_by(SettlementRun.id.desc()).limit(limit))
    )


def payment_file(session: Session, *, run_id: int, actor: Actor) -> tuple[str, bytes]:
    """The bank's payment file (CSV) of a completed run: (file name, bytes); the same bytes
    every time it is generated (fund office)."""
    actor.require(OrgKind.FUND, write=False, action="download payment files")
    run = get_run(session, run_id=run_id, actor=actor)
    if run.status != RunStatus.COMPLETED:
        raise RunNotCompleted(reference=run.reference, run_status=run.status.value, run_id=run.id)
    rows = session.execute(
        select(
            Organization.code,
            Organization.name,
            Payment.amount,
            Payment.currency,
            Payment.payables_count,
        )
        .join(Organization, Organization.id == Payment.manufacturer_id)
        .where(Payment.run_id == run.id)
    ).all()
    payments = [(c, n, stored_amount(a), cur, k) for c, n, a, cur, k in rows]
    return f"payments-{run.reference}.csv", payment_file_csv(run.reference, payments)
