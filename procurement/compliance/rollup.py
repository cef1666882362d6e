"""The dashboard rollup: exact figures of a national year without rescanning it.

The regulator's home needs, for one tender's contract year, the progress sums per group (total,
lot, region, hospital, manufacturer) with the status counts of the day, the accepted quantity
per lot and price (savings), per month (completion curve) and the payables due and paid on
time. Computed from scratch that is several passes over 1.2M contracts and 3.6M receipt lines
and payables (10-16 s at national scale). The rollup keeps those sums as of a watermark and the
dashboard adds a live delta, so every figure equals the full query at every moment:

* **What is folded.** :func:`build` takes SHARE locks on ``receipt_lines`` and ``payables``
  (PostgreSQL; on SQLite the writer lock is already exclusive). That waits for every inserting
  transaction to finish and holds new ones until the fold commits, so every id up to the marks
  (``max(id)`` of each table) is committed and folded, and every later insert gets a higher id.
  It then stores the group sums computed by the straightforward queries
  (:func:`queries.base`), the month sums of the receipt lines up to the mark and the payable
  counts up to the mark: paid, paid on time, unpaid due before the day, and the unpaid falling
  due during the day by due time.
* **The delta.** :func:`read` adds receipt lines above the mark: for each contract they touch
  it reads the contract's accepted quantity now (the ``contract_volumes`` counter while the
  year runs, the in-period receipt lines after), takes the delta off to get the folded value,
  and moves the contract's sums and status flags from the old value to the new one. Receipt
  lines are append-only and every receipt moves the counter by its lines in the same
  transaction, so old + delta = new exactly. Payables above the mark are counted live.
* **What invalidates it** (then the dashboard builds a new one): another day (time progress and
  so the status thresholds change daily) or other thresholds; a new tender version (contracts
  go in force with their tender, so the counted contracts of the selection change only then);
  another number of counted contracts; a new payment or reversal ledger transaction (the only
  writers of ``payables.paid_at``); more than :data:`DELTA_LIMIT` rows above a mark.
* **Who writes it.** The dashboard, when it finds none valid (the first view of a day pays the
  full computation once, about 4 s at national scale, during which receipts and payable
  accruals wait on the locks), and ``procurement compliance check`` (run it after midnight and
  after settlement runs so that no regulator waits). Older rollups of the selection are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, case, cast, delete, func, insert, select, text
from sqlalchemy.orm import Session, aliased

from procurement.catalog.models import Tender
from procurement.compliance import metrics, queries
from procurement.compliance import rules as r
from procurement.compliance.rollup_models import Rollup, RollupGroup, RollupUnpaid
from procurement.contracts.models import Contract
from procurement.orders.models import ContractVolume, OrderLine, PurchaseOrder, ReceiptLine
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
    prices: list[tuple[int, Decimal, int]]
    months: dict[str, int]
    payables_due: int
    paid_on_time: int
    non_winning: int
    rollup_id: int


def params(w: queries.Window, rules: r.ComplianceRules) -> str:
    """The thresholds the folded status flags were computed with."""
    checked = w.months >= rules.checks_from_month
    on_k = queries._threshold(rules.on_track_factor, w.time_progress)
    risk_k = queries._threshold(rules.at_risk_factor, w.time_progress)
    return f"{int(w.running)}:{int(checked)}:{on_k}:{risk_k}"


def flags(agreed: int, accepted: int, p: str) -> tuple[int, int, int]:
    """(behind, at_risk, zero) of one contract: :func:`queries.base` in Python."""
    _, checked, on_k, risk_k = (int(x) for x in p.split(":"))
    zero = bool(checked and accepted == 0 and agreed > 0)
    scaled = accepted * queries.SCALE
    behind = not zero and scaled < agreed * on_k
    at_risk = bool(checked) and not zero and scaled < agreed * risk_k
    return int(behind), int(at_risk), int(zero)


def _month(column, session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _pay_events(session: Session) -> int:
    query = select(func.count()).where(LedgerTransaction.kind.in_(PAY_EVENTS))
    return int(session.scalar(query) or 0)


def _counted(session: Session, f: queries.Filters) -> int:
    return int(session.scalar(select(func.count()).where(*queries._where(f))) or 0)


def find(session: Session, f: queries.Filters, as_of: datetime, rules: r.ComplianceRules):
    """The valid rollup of the selection for today and its window, else (None, None)."""
    rollup = session.scalar(
        select(Rollup)
        .where(
            Rollup.tender_id == f.tender_id,
            Rollup.contract_year == f.contract_year,
            Rollup.day == as_of.date(),
        )
        .order_by(Rollup.id.desc())
        .limit(1)
    )
    if rollup is None:
        return None, None
    start, end, today = rollup.window_start, rollup.window_end, as_of.date()
    w = queries.Window(
        start, end, today, r.time_progress(start, end, today), r.months_elapsed(start, today)
    )
    version = session.scalar(select(Tender.version).where(Tender.id == f.tender_id))
    if (
        rollup.params != params(w, rules)
        or rollup.tender_version != version
        or rollup.payment_events != _pay_events(session)
        or rollup.contracts != _counted(session, f)
    ):
        return None, None
    return rollup, w


def build(session: Session, f: queries.Filters, as_of: datetime, rules: r.ComplianceRules):
    """Fold the selection as of now into a new rollup (flushed; the caller commits)."""
    mark = _receipt_mark(session)
    events = _pay_events(session)  # first: a payment committed after it invalidates the fold
    floor = _accrual_floor(session, mark)
    w = queries.window(session, f, as_of, rules)
    cte = queries.base(f, w, rules, mark)
    rows, prices = queries.grouped(session, cte, PROGRESS)
    prices = prices if prices is not None else queries.lot_prices(session, cte)
    paid, on_time, before, today = _fold_payables(session, f, as_of, floor - 1)
    rollup = Rollup(
        tender_id=f.tender_id, contract_year=f.contract_year, day=as_of.date(),
        params=params(w, rules), window_start=w.start, window_end=w.end,
        contracts=_counted(session, f),
        tender_version=session.scalar(select(Tender.version).where(Tender.id == f.tender_id)),
        payment_events=events, receipt_line_mark=mark, payable_mark=floor - 1,
        paid=paid, paid_on_time=on_time, unpaid_due_before=before,
        non_winning=_non_winning(session, f, w, None, mark), built_at=as_of,
    )  # fmt: skip
    session.add(rollup)
    session.flush()
    _store(session, rollup.id, rows, prices, _months(session, f, w, None, mark), today)
    session.execute(
        delete(Rollup).where(
            Rollup.tender_id == f.tender_id,
            Rollup.contract_year == f.contract_year,
            Rollup.id < rollup.id,
        )
    )
    session.flush()
    if session.get_bind().dialect.name == "postgresql":  # fresh statistics for the semi-joins
        session.execute(text("ANALYZE compliance_rollup_groups"))
    return rollup, w


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


def _store(session, rollup_id, rows, prices, months, unpaid_today) -> None:
    values: list[dict[str, Any]] = [
        {"rollup_id": rollup_id, "grp": row.grp, "key": str(row.key), "unit_price": None,
         "agreed": int(row.agreed or 0), "accepted": int(row.accepted or 0),
         "contracts": int(row.contracts or 0), "behind": int(row.behind or 0),
         "at_risk": int(row.at_risk or 0), "zero": int(row.zero or 0)}
        for row in rows
    ]  # fmt: skip
    blank = {"agreed": 0, "contracts": 0, "behind": 0, "at_risk": 0, "zero": 0}
    values += [
        {"rollup_id": rollup_id, "grp": "lot_price", "key": str(lot), "unit_price": price,
         "accepted": int(accepted or 0), **blank}
        for lot, price, accepted in prices
    ]  # fmt: skip
    values += [
        {"rollup_id": rollup_id, "grp": "month", "key": month, "unit_price": None,
         "accepted": accepted, **blank}
        for month, accepted in months.items()
    ]  # fmt: skip
    if values:
        session.execute(insert(RollupGroup), values)
    if unpaid_today:
        session.execute(
            insert(RollupUnpaid),
            [{"rollup_id": rollup_id, "due_at": at, "payables": n} for at, n in unpaid_today],
        )


def _payables_query(f: queries.Filters):
    return (
        select(Payable).join(Contract, Contract.id == Payable.contract_id).where(*queries._where(f))
    )


def _fold_payables(session, f, as_of: datetime, mark: int):
    """Paid, paid on time and unpaid due before today; unpaid falling due today by due time."""
    day0 = queries.midnight(as_of.date())
    p = _payables_query(f).where(Payable.id <= mark).subquery().c
    paid, unpaid = p.paid_at.is_not(None), p.paid_at.is_(None)
    counts = session.execute(
        select(
            func.sum(case((paid, 1), else_=0)),
            func.sum(case((and_(paid, p.paid_at <= p.due_at), 1), else_=0)),
            func.sum(case((and_(unpaid, p.due_at < day0), 1), else_=0)),
        )
    ).one()
    today = session.execute(
        select(p.due_at, func.count())
        .where(unpaid, p.due_at >= day0, p.due_at < day0 + timedelta(days=1))
        .group_by(p.due_at)
    ).all()
    return (*(int(x or 0) for x in counts), [(at, int(n)) for at, n in today])


def _non_winning(session, f, w: queries.Window, above: int | None, upto: int | None) -> int:
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
            ol.lot_id.in_(metrics._lot_scope(f)),
            po.placed_at >= queries.midnight(w.start),
            po.placed_at < queries.midnight(w.end + timedelta(days=1)),
        )
    )
    if above is not None:
        query = query.where(rl.id > above)
    if upto is not None:
        query = query.where(rl.id <= upto)
    return int(session.scalar(query) or 0)


def _months(session, f, w: queries.Window, above: int | None, upto: int | None) -> dict[str, int]:
    """Accepted quantity of the selection by month of acceptance, within the contract year up
    to today, of the receipt lines with ``above < id <= upto``."""
    rl = ReceiptLine
    month = _month(rl.accepted_at, session)
    query = (
        select(month, func.sum(rl.accepted_quantity))
        .join(Contract, Contract.id == rl.contract_id)
        .where(
            *queries._where(f),
            rl.accepted_at >= queries.midnight(w.start),
            rl.accepted_at < queries.midnight(min(w.as_of, w.end) + timedelta(days=1)),
        )
        .group_by(month)
    )
    if above is not None:
        query = query.where(rl.id > above)
    if upto is not None:
        query = query.where(rl.id <= upto)
    return {m: int(q or 0) for m, q in session.execute(query)}


def read(session: Session, f, rollup: Rollup, w: queries.Window, as_of: datetime, limit):
    """The folded sums plus the delta above the marks (None when more than ``limit`` rows are
    above them: folding anew is then cheaper than reading them on every view)."""
    if limit is not None:
        pending = session.scalar(
            select(func.count()).where(ReceiptLine.id > rollup.receipt_line_mark)
        ) + session.scalar(select(func.count()).where(Payable.id > rollup.payable_mark))
        if pending > limit:
            return None
    groups: dict[tuple[str, str], Group] = {}
    prices: dict[tuple[int, Decimal], int] = {}
    months: dict[str, int] = {}
    t = RollupGroup
    cols = (t.grp, t.key, t.unit_price, t.agreed, t.accepted, t.contracts, t.behind, t.at_risk)
    for g in session.execute(select(*cols, t.zero).where(t.rollup_id == rollup.id)):
        if g.grp == "lot_price":
            prices[(int(g.key), g.unit_price)] = g.accepted
        elif g.grp == "month":
            months[g.key] = g.accepted
        else:
            groups[(g.grp, g.key)] = Group(g.grp, g.key, *g[3:])
    _apply_receipts(session, f, w, rollup, groups, prices)
    for month, q in _months(session, f, w, rollup.receipt_line_mark, None).items():
        months[month] = months.get(month, 0) + q
    due, on_time = _payables_now(session, f, as_of, rollup)
    ordered = sorted(groups.values(), key=lambda g: (PROGRESS.index(g.grp), g.key))
    return Figures(
        ordered,
        [(lot, price, n) for (lot, price), n in sorted(prices.items())],
        months,
        due,
        on_time,
        rollup.non_winning + _non_winning(session, f, w, rollup.receipt_line_mark, None),
        rollup.id,
    )


def _touched(f, w: queries.Window, mark: int):
    """Per contract of the selection with receipt lines above the mark: its dimensions, its
    accepted quantity now and the part of it above the mark."""
    rl, c = ReceiptLine, Contract
    in_period = and_(
        rl.accepted_at >= queries.midnight(w.start),
        rl.accepted_at < queries.midnight(w.end + timedelta(days=1)),
    )
    counted = (
        rl.accepted_quantity if w.running else case((in_period, rl.accepted_quantity), else_=0)
    )
    touched = (
        select(rl.contract_id.label("cid"), func.sum(counted).label("d"))
        .where(rl.id > mark, rl.contract_id.is_not(None))
        .group_by(rl.contract_id)
        .subquery()
    )
    if w.running:
        now = func.coalesce(ContractVolume.accepted, 0)
    else:
        rl2 = aliased(ReceiptLine)
        now = (
            select(func.coalesce(func.sum(rl2.accepted_quantity), 0))
            .where(
                rl2.contract_id == c.id,
                rl2.accepted_at >= queries.midnight(w.start),
                rl2.accepted_at < queries.midnight(w.end + timedelta(days=1)),
            )
            .scalar_subquery()
        )
    query = (
        select(c.lot_id, c.region_code, c.hospital_id, c.manufacturer_id, c.agreed_volume,
               c.unit_price, now.label("now"), touched.c.d)
        .join(touched, touched.c.cid == c.id)
        .where(*queries._where(f))
    )  # fmt: skip
    if w.running:
        query = query.outerjoin(ContractVolume, ContractVolume.contract_id == c.id)
    return query


def _apply_receipts(session, f, w, rollup: Rollup, groups, prices) -> None:
    """Move each touched contract's sums and status flags from its folded value to now."""
    for row in session.execute(_touched(f, w, rollup.receipt_line_mark)):
        new, d, agreed = int(row.now or 0), int(row.d or 0), int(row.agreed_volume)
        if d == 0:
            continue
        was, now = flags(agreed, new - d, rollup.params), flags(agreed, new, rollup.params)
        keys = (
            ("total", "0"),
            ("lot", str(row.lot_id)),
            ("region", row.region_code),
            ("hospital", str(row.hospital_id)),
            ("manufacturer", str(row.manufacturer_id)),
        )
        for key in keys:
            g = groups.setdefault(key, Group(*key))
            g.accepted += d
            g.behind += now[0] - was[0]
            g.at_risk += now[1] - was[1]
            g.zero += now[2] - was[2]
        price = (row.lot_id, row.unit_price)
        prices[price] = prices.get(price, 0) + d


def _payables_now(session, f, as_of: datetime, rollup: Rollup) -> tuple[int, int]:
    """Payables due and paid on time: the folded counts plus the payables above the mark."""
    today = session.scalar(
        select(func.coalesce(func.sum(RollupUnpaid.payables), 0)).where(
            RollupUnpaid.rollup_id == rollup.id, RollupUnpaid.due_at <= as_of
        )
    )
    p = _payables_query(f).where(Payable.id > rollup.payable_mark).subquery().c
    due = (p.due_at <= as_of) | p.paid_at.is_not(None)
    on_time = and_(p.paid_at.is_not(None), p.paid_at <= p.due_at)
    live_due, live_ok = session.execute(
        select(
            func.coalesce(func.sum(case((due, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(due, on_time), 1), else_=0)), 0),
        )
    ).one()
    due_total = rollup.paid + rollup.unpaid_due_before + int(today or 0) + int(live_due)
    return due_total, rollup.paid_on_time + int(live_ok)


def organizations(rollup_id: int, grp: str):
    """The hospitals (or manufacturers) of the selection, as a subquery of ids."""
    return select(cast(RollupGroup.key, Integer)).where(
        RollupGroup.rollup_id == rollup_id, RollupGroup.grp == grp
    )
