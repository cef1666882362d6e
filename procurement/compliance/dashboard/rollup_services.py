"""The dashboard rollup: exact figures of a national contract year without rescanning it.

The regulator's home needs, for one tender's contract year, the progress sums per group (total,
lot, region, hospital, manufacturer) with the day's status counts, the accepted quantity per
lot and price (savings) and per month (completion curve), the non-winning quantity and the
payables due and paid on time. From scratch that is several passes over 1.2M contracts and
3.6M receipt lines and payables (docs/performance.md). The rollup keeps those sums as of
watermarks, and :func:`rollup_delta.read` adds a live delta, so every figure equals the full
computation (the tests' oracle, ``tests/oracles/compliance_dashboard.py``) at every moment:

* **Receipt lines** (append-only) up to ``receipt_line_mark`` are folded in. On PostgreSQL the
  mark is taken under a SHARE lock on ``receipt_lines``, committed at once: the lock waits for
  the transactions inserting lines, so every id up to the mark is committed, and later lines
  get higher ids. Progress while the year runs comes from ``contract_volumes.accepted``, which
  a receipt moves by its lines in the same transaction: the fold takes the lines above the
  mark off the counter in the same statement, and the delta (lines above the mark, per
  contract) moves each touched contract's sums and status flags from its folded value
  (counter now - delta) to its value now. After the year, the lines within the period count.
  The non-winning quantity is summed from the receipt lines of off-contract order lines: a
  receipt adds each line's accepted quantity to its order line, so it equals the order
  lines' ``accepted_quantity`` the full computation reads.
* **Payables** up to ``payable_mark`` are folded in: paid, paid on time, unpaid due before the
  day, and the unpaid falling due during the day by due time (so any moment of the day is
  exact). A payable's id is its receipt line's id (settlement revision 3b9e1c2d4a61) and
  lines are accrued in any order, so the mark is one below the first accruable line (a
  contract line with accepted units) without a payable: no payable up to it can appear
  later. Payables above it are counted live.
* **Orders** (confirmations and deliveries on time): the selection's settled orders up to an
  order id mark are folded, the unsettled ones listed and counted live with those above the
  mark (:mod:`procurement.compliance.dashboard.order_fold_queries`).
* **Invalidation** (the dashboard then folds anew): another day or other thresholds (time
  progress, and with it each contract's status, changes daily); a new tender version (its
  contracts go in force with it: the only change of a counted contract); a new contract (a
  higher ``contracts.id``); a new payment or reversal ledger transaction (the only writers of
  ``payables.paid_at``); more than :data:`DELTA_LIMIT` rows above the marks (receipt lines
  and payables; orders, of every selection). The fingerprints
  are read before the fold, so a change during it invalidates it too.
* **Who folds.** ``procurement compliance check`` (run it after midnight and after settlement
  runs, so that no regulator waits) and the dashboard itself when it finds no valid rollup:
  that view pays the fold once (docs/performance.md, "Compliance"; receipts wait only for
  the instant of the lock). Older rollups of the selection are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Integer, and_, case, cast, delete, func, insert, select, text
from sqlalchemy.orm import Session

from procurement.catalog.models import Tender
from procurement.compliance import rules as r
from procurement.compliance.dashboard.models import Rollup, RollupGroup, RollupUnpaid
from procurement.compliance.progress import metrics_queries as metrics
from procurement.compliance.progress import queries
from procurement.contracts.models import Contract
from procurement.core.clock import business_date, day_start
from procurement.db import business_month
from procurement.db.backends import refresh_statistics
from procurement.orders.models import OrderLine, PurchaseOrder, ReceiptLine
from procurement.settlement.models import LedgerTransaction, Payable, TransactionKind

DELTA_LIMIT = 50_000
PROGRESS = ("total", "lot", "region", "hospital", "manufacturer")
PAY_EVENTS = (TransactionKind.PAYMENT, TransactionKind.REVERSAL)


@dataclass
class Group:
    grp: str
    key: str
    agreed: int = 0
    accepted: int = 0
    contracts: int = 0
    behind: int = 0
    at_risk: int = 0
    zero: int = 0


@dataclass
class Figures:
    """What the dashboard reads: raw progress sums, (lot, price, accepted), month sums and
    payable counts, all as of now."""

    groups: list[Group]
    prices: list[queries.LotPrice]
    months: dict[str, int]
    payables_due: int
    paid_on_time: int
    non_winning: int
    rollup_id: int


def params(window: queries.Window, rules: r.ComplianceRules) -> str:
    """The thresholds the folded status flags were computed with."""
    checked = window.months >= rules.checks_from_month
    on_k = queries._threshold(rules.on_track_factor, window.time_progress)
    risk_k = queries._threshold(rules.at_risk_factor, window.time_progress)
    return f"{int(window.running)}:{int(checked)}:{on_k}:{risk_k}"


def thresholds(params_text: str) -> tuple[int, int, int]:
    """(checked, on-track threshold, at-risk threshold) of :func:`params`."""
    _, checked, on_k, risk_k = (int(x) for x in params_text.split(":"))
    return checked, on_k, risk_k


def month_of(column, session: Session):
    """A timestamp column as its business month, "YYYY-MM" (the completion curve's buckets)."""
    return business_month(column, session.get_bind().dialect)


def _pay_events(session: Session) -> int:
    query = select(func.count()).where(LedgerTransaction.kind.in_(PAY_EVENTS))
    return int(session.scalar(query) or 0)


def _contract_mark(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(Contract.id), 0))) or 0)


def find(session: Session, filters: queries.Filters, as_of: datetime, rules: r.ComplianceRules):
    """The valid rollup of the selection for today and its window, else (None, None)."""
    rollup = session.scalar(
        select(Rollup)
        .where(
            Rollup.tender_id == filters.tender_id,
            Rollup.contract_year == filters.contract_year,
            Rollup.day == business_date(as_of),
        )
        .order_by(Rollup.id.desc())
        .limit(1)
    )
    if rollup is None:
        return None, None
    start, end, today = rollup.window_start, rollup.window_end, business_date(as_of)
    window = queries.Window(
        start, end, today, r.time_progress(start, end, today), r.months_elapsed(start, today)
    )
    version = session.scalar(select(Tender.version).where(Tender.id == filters.tender_id))
    if (
        rollup.params != params(window, rules)
        or rollup.tender_version != version
        or rollup.payment_events != _pay_events(session)
        or rollup.contract_mark != _contract_mark(session)
    ):
        return None, None
    return rollup, window


def build(session: Session, filters: queries.Filters, as_of: datetime, rules: r.ComplianceRules):
    """Fold the selection as of now into a new rollup (flushed; the caller commits)."""
    mark = _receipt_mark(session)
    # The fingerprints first: whatever changes after them invalidates this fold.
    events, contract_mark = _pay_events(session), _contract_mark(session)
    version = session.scalar(select(Tender.version).where(Tender.id == filters.tender_id))
    floor = _accrual_floor(session, mark)
    window = queries.contract_window(session, filters, as_of, rules)
    cte = queries.base(filters, window, rules, mark)
    rows, prices = queries.grouped(session, cte, PROGRESS)
    prices = prices if prices is not None else queries.lot_prices(session, cte)
    payables = _fold_payables(session, filters, as_of, floor - 1)
    rollup = Rollup(
        tender_id=filters.tender_id,
        contract_year=filters.contract_year,
        day=business_date(as_of),
        params=params(window, rules),
        window_start=window.start,
        window_end=window.end,
        contract_mark=contract_mark,
        tender_version=version,
        payment_events=events,
        receipt_line_mark=mark,
        payable_mark=floor - 1,
        paid=payables.paid,
        paid_on_time=payables.paid_on_time,
        unpaid_due_before=payables.unpaid_due_before,
        non_winning=non_winning_quantity(session, filters, window, None, mark),
        built_at=as_of,
    )
    session.add(rollup)
    session.flush()
    months = _months(session, filters, window, None, mark)
    ranks = _lag_ranks(rows, window, rules)
    _store(session, rollup.id, rows, prices, months, payables.due_today, ranks)
    session.execute(
        delete(Rollup).where(
            Rollup.tender_id == filters.tender_id,
            Rollup.contract_year == filters.contract_year,
            Rollup.id < rollup.id,
        )
    )
    session.flush()
    refresh_statistics(session, RollupGroup.__table__)  # for the delta's semi-joins
    return rollup, window


def _lag_ranks(rows, window: queries.Window, rules: r.ComplianceRules) -> dict[str, int]:
    """The hospitals not on track, ranked as the dashboard lists those furthest behind: by
    completion rounded half up to 4 places, then id."""
    lagging = [
        (int(row.accepted or 0), int(row.agreed or 0), int(row.key))
        for row in rows
        if row.grp == "hospital" and int(row.agreed or 0) > 0
    ]
    lagging = [
        (acc, agreed, key)
        for acc, agreed, key in lagging
        if r.status(acc, agreed, window.time_progress, window.months, rules) != r.Status.ON_TRACK
    ]
    lagging.sort(key=lambda x: lag_order(*x))
    return {str(key): rank for rank, (_, _, key) in enumerate(lagging, start=1)}


def lag_order(accepted: int, agreed: int, key: int) -> tuple[int, int]:
    """The order of :func:`queries.furthest_behind` in integers: completion rounded half up
    to 4 places (ten-thousandths), then id."""
    return (accepted * 20000 + agreed) // (2 * agreed), key


def _receipt_mark(session: Session) -> int:
    """The highest receipt line id, once every line up to it is committed. PostgreSQL: a SHARE
    lock waits for the transactions inserting lines and holds new ones for this instant (then
    the commit releases it); SQLite transactions already exclude each other (BEGIN IMMEDIATE)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(text("LOCK TABLE receipt_lines IN SHARE MODE"))
    mark = int(session.scalar(select(func.coalesce(func.max(ReceiptLine.id), 0))) or 0)
    if postgresql:
        session.commit()
    return mark


def _accrual_floor(session: Session, mark: int) -> int:
    """The lowest receipt line id that may still get a payable: the first accruable line (a
    contract line with accepted units, RULES.md 5) up to the mark without one, else mark + 1.
    A payable's id is its receipt line's id, so no payable below it can appear later."""
    rl = ReceiptLine
    accrued = select(Payable.id).where(Payable.id == rl.id).exists()
    first = session.scalar(
        select(func.min(rl.id)).where(
            rl.id <= mark, rl.contract_id.is_not(None), rl.accepted_quantity > 0, ~accrued
        )
    )
    return int(first) if first is not None else mark + 1


def _store(session, rollup_id, rows, prices, months, unpaid_today, ranks) -> None:
    values: list[dict[str, Any]] = [
        {
            "rollup_id": rollup_id,
            "grp": row.grp,
            "key": str(row.key),
            "unit_price": None,
            "lag_rank": ranks.get(str(row.key)) if row.grp == "hospital" else None,
            "agreed": int(row.agreed or 0),
            "accepted": int(row.accepted or 0),
            "contracts": int(row.contracts or 0),
            "behind": int(row.behind or 0),
            "at_risk": int(row.at_risk or 0),
            "zero": int(row.zero or 0),
        }
        for row in rows
    ]
    blank = {"agreed": 0, "contracts": 0, "behind": 0, "at_risk": 0, "zero": 0, "lag_rank": None}
    values += [
        {
            "rollup_id": rollup_id,
            "grp": "lot_price",
            "key": str(lot),
            "unit_price": price,
            "accepted": int(accepted or 0),
            **blank,
        }
        for lot, price, accepted in prices
    ]
    values += [
        {
            "rollup_id": rollup_id,
            "grp": "month",
            "key": month,
            "unit_price": None,
            "accepted": accepted,
            **blank,
        }
        for month, accepted in months.items()
    ]
    if values:
        session.execute(insert(RollupGroup), values)
    if unpaid_today:
        session.execute(
            insert(RollupUnpaid),
            [{"rollup_id": rollup_id, "due_at": at, "payables": n} for at, n in unpaid_today],
        )


def _payables_query(filters: queries.Filters):
    return (
        select(Payable)
        .join(Contract, Contract.id == Payable.contract_id)
        .where(*queries.filter_conditions(filters))
    )


class PayablesFold(NamedTuple):
    """The selection's payables up to the mark as of a day."""

    paid: int
    paid_on_time: int
    unpaid_due_before: int  # unpaid, due before the day
    due_today: list[tuple[datetime, int]]  # unpaid falling due during the day: (due at, count)


def _fold_payables(session, filters, as_of: datetime, mark: int) -> PayablesFold:
    """Paid, paid on time and unpaid due before today; unpaid falling due today by due time."""
    day0 = day_start(business_date(as_of))
    p = _payables_query(filters).where(Payable.id <= mark).subquery().c
    paid, unpaid = p.paid_at.is_not(None), p.paid_at.is_(None)
    counts = session.execute(
        select(
            func.sum(case((paid, 1), else_=0)).label("paid"),
            func.sum(case((and_(paid, p.paid_at <= p.due_at), 1), else_=0)).label("on_time"),
            func.sum(case((and_(unpaid, p.due_at < day0), 1), else_=0)).label("before"),
        )
    ).one()
    today = session.execute(
        select(p.due_at, func.count())
        .where(unpaid, p.due_at >= day0, p.due_at < day0 + timedelta(days=1))
        .group_by(p.due_at)
    ).all()
    return PayablesFold(
        paid=int(counts.paid or 0),
        paid_on_time=int(counts.on_time or 0),
        unpaid_due_before=int(counts.before or 0),
        due_today=[(at, int(n)) for at, n in today],
    )


def non_winning_quantity(
    session, filters, window: queries.Window, above: int | None, upto: int | None
) -> int:
    """Accepted quantity of non-winning products of the selection's lots (off-contract order
    lines of orders placed in the contract year) from the receipt lines with ``above < id <=
    upto``: a receipt adds each line's accepted quantity to its order line, so this sums to
    the order lines' ``accepted_quantity`` that :func:`metrics._non_winning` reads."""
    rl, ol, po = ReceiptLine, OrderLine, PurchaseOrder
    query = (
        select(func.coalesce(func.sum(rl.accepted_quantity), 0))
        .join(ol, ol.id == rl.order_line_id)
        .join(po, po.id == ol.order_id)
        .where(
            ol.off_contract.is_(True),
            ol.lot_id.in_(metrics._lot_scope(filters)),
            po.placed_at >= day_start(window.start),
            po.placed_at < day_start(window.end + timedelta(days=1)),
        )
    )
    if above is not None:
        query = query.where(rl.id > above)
    if upto is not None:
        query = query.where(rl.id <= upto)
    return int(session.scalar(query) or 0)


def _months(
    session, filters, window: queries.Window, above: int | None, upto: int | None
) -> dict[str, int]:
    """Accepted quantity of the selection by month of acceptance, within the contract year up
    to today, of the receipt lines with ``above < id <= upto``."""
    rl = ReceiptLine
    month = month_of(rl.accepted_at, session)
    query = (
        select(month, func.sum(rl.accepted_quantity))
        .join(Contract, Contract.id == rl.contract_id)
        .where(
            *queries.filter_conditions(filters),
            rl.accepted_at >= day_start(window.start),
            rl.accepted_at < day_start(min(window.as_of, window.end) + timedelta(days=1)),
        )
        .group_by(month)
    )
    if above is not None:
        query = query.where(rl.id > above)
    if upto is not None:
        query = query.where(rl.id <= upto)
    return {m: int(q or 0) for m, q in session.execute(query)}


def organizations(rollup_id: int, grp: str):
    """The hospitals (or manufacturers) of the selection, as a subquery of ids."""
    return select(cast(RollupGroup.key, Integer)).where(
        RollupGroup.rollup_id == rollup_id, RollupGroup.grp == grp
    )
