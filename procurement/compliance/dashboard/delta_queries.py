"""Reading a dashboard rollup: its folded sums plus the live delta above its watermarks (the
design is in :mod:`procurement.compliance.dashboard.rollup_services`).

The delta never scans the 1.2M contracts: the contracts that receipt lines (or payables) above
the marks name are looked up by primary key (PostgreSQL: one array parameter; SQLite: an IN
subquery), and one grouped statement moves their sums and status flags from the folded
accepted quantity (now - delta) to now, in the database, per group."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from procurement.compliance.dashboard.models import Rollup, RollupGroup, RollupUnpaid
from procurement.compliance.dashboard.rollup_services import (
    PROGRESS,
    Figures,
    Group,
    month_of,
    non_winning_quantity,
    organizations,
    thresholds,
)
from procurement.compliance.progress import queries
from procurement.contracts.models import Contract
from procurement.core.clock import day_start
from procurement.orders.models import ContractVolume, ReceiptLine
from procurement.settlement.models import Payable

CHUNK = 5000  # ids per IN list (SQLite allows 32,766 parameters)


def read(
    session: Session,
    filters,
    rollup: Rollup,
    window: queries.Window,
    as_of: datetime,
    limit,
    top: int = 10,
) -> Figures | None:
    """The folded sums plus the delta above the marks (None when more than ``limit`` rows are
    above them: folding anew is then cheaper than reading them on every view). Of the
    hospitals only those that can be among the ``top`` furthest behind are returned."""
    mark, pay_mark = rollup.receipt_line_mark, rollup.payable_mark
    if limit is not None:
        pending = session.scalar(select(func.count()).where(ReceiptLine.id > mark))
        pending += session.scalar(select(func.count()).where(Payable.id > pay_mark))
        if pending > limit:
            return None
    rl, p = ReceiptLine, Payable
    lines = _among(session, select(rl.contract_id).where(rl.id > mark))
    moved, moved_prices = _moved(session, filters, window, mark, lines, rollup.params)
    touched = {str(row.key) for row in moved if row.grp == "hospital"}
    groups, prices, months = _folded(session, rollup, touched, top)
    for row in moved:
        key = (row.grp, str(row.key))
        g = groups.get(key) or groups.setdefault(key, Group(grp=key[0], key=key[1]))
        g.accepted += int(row.accepted or 0)
        g.behind += int(row.behind or 0)
        g.at_risk += int(row.at_risk or 0)
        g.zero += int(row.zero or 0)
    for lot, price, n in moved_prices:
        prices[(lot, price)] = prices.get((lot, price), 0) + int(n or 0)
    for month, q in _months_above(session, filters, window, mark, lines):
        months[month] = months.get(month, 0) + int(q or 0)
    pays = _among(session, select(p.contract_id).where(p.id > pay_mark))
    due, on_time = _payables_now(session, as_of, rollup)
    live_due, live_ok = _payables_above(session, filters, as_of, pay_mark, pays)
    return Figures(
        sorted(groups.values(), key=lambda g: (PROGRESS.index(g.grp), g.key)),
        [queries.LotPrice(lot, price, n) for (lot, price), n in sorted(prices.items())],
        months,
        due + live_due,
        on_time + live_ok,
        rollup.non_winning + non_winning_quantity(session, filters, window, mark, None),
        rollup.id,
    )


def _among(session, ids_query):
    """A condition builder ``column IN (ids)``. PostgreSQL: the ids fetched first and passed as
    one array (the planner then looks them up by primary key instead of hashing the table);
    SQLite: the subquery itself."""
    if session.get_bind().dialect.name != "postgresql":
        return lambda column: column.in_(ids_query)
    ids = sorted({i for (i,) in session.execute(ids_query) if i is not None})
    array = bindparam(None, ids, type_=postgresql.ARRAY(BigInteger))
    return lambda column: column == any_(array)


def _folded(session, rollup: Rollup, touched: set[str], top: int):
    """The rollup's rows. Hospitals: those ranked within ``top`` + len(touched) furthest behind
    at the fold, and the touched ones. (Untouched hospitals keep their folded figures and
    order; a receipt only raises a hospital's completion: so no other one can enter the top.)"""
    t = RollupGroup
    cols = (t.grp, t.key, t.unit_price, t.agreed, t.accepted, t.contracts, t.behind, t.at_risk)
    hospitals = and_(t.grp == "hospital", t.lag_rank <= top + len(touched))
    keys = sorted(touched)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        hospitals = or_(hospitals, and_(t.grp == "hospital", t.key.in_(chunk)))
    groups: dict[tuple[str, str], Group] = {}
    prices: dict[tuple[int, Decimal], int] = {}
    months: dict[str, int] = {}
    query = select(*cols, t.zero).where(t.rollup_id == rollup.id, (t.grp != "hospital") | hospitals)
    for g in session.execute(query):
        if g.grp == "lot_price":
            prices[(int(g.key), g.unit_price)] = g.accepted
        elif g.grp == "month":
            months[g.key] = g.accepted
        else:
            groups[(g.grp, g.key)] = Group(
                grp=g.grp,
                key=g.key,
                agreed=g.agreed,
                accepted=g.accepted,
                contracts=g.contracts,
                behind=g.behind,
                at_risk=g.at_risk,
                zero=g.zero,
            )
    return groups, prices, months


def _moved(session, filters, window: queries.Window, mark: int, among, params: str):
    """Per group (and per lot and price): the accepted quantity above the mark and the change
    of the status flag counts, over the selection's contracts that lines above the mark touch."""
    rl, c = ReceiptLine, Contract
    in_period = and_(
        rl.accepted_at >= day_start(window.start),
        rl.accepted_at < day_start(window.end + timedelta(days=1)),
    )
    counted = (
        rl.accepted_quantity if window.running else case((in_period, rl.accepted_quantity), else_=0)
    )
    above = (
        select(rl.contract_id.label("cid"), func.sum(counted).label("d"))
        .where(rl.id > mark, rl.contract_id.is_not(None))
        .group_by(rl.contract_id)
        .subquery()
    )
    per = (
        select(
            c.id,
            c.tender_id,
            c.lot_id,
            c.region_code,
            c.hospital_id,
            c.manufacturer_id,
            c.unit_price,
            c.agreed_volume.label("agreed"),
            above.c.d,
            _accepted_now(window).label("now"),
        )
        .join(above, above.c.cid == c.id)
        .where(among(c.id), *queries.filter_conditions(filters))
    )
    if window.running:
        per = per.outerjoin(ContractVolume, ContractVolume.contract_id == c.id)
    per = per.subquery("touched")
    limits = thresholds(params)
    new = _flags(per.c.agreed, per.c.now, *limits)
    old = _flags(per.c.agreed, per.c.now - per.c.d, *limits)
    delta = select(
        per.c.id,
        per.c.tender_id,
        per.c.lot_id,
        per.c.region_code,
        per.c.hospital_id,
        per.c.manufacturer_id,
        per.c.unit_price,
        literal(0).label("agreed"),
        per.c.d.label("accepted"),
        (new[0] - old[0]).label("behind"),
        (new[1] - old[1]).label("at_risk"),
        (new[2] - old[2]).label("zero"),
    ).cte("moved")
    rows, prices = queries.grouped(session, delta, PROGRESS)
    return rows, prices if prices is not None else queries.lot_prices(session, delta)


def _accepted_now(window: queries.Window):
    """A contract's accepted quantity now: the counter while the year runs, else the receipt
    lines within the period (correlated to ``contracts``)."""
    if window.running:
        return func.coalesce(ContractVolume.accepted, 0)
    rl = aliased(ReceiptLine)
    return (
        select(func.coalesce(func.sum(rl.accepted_quantity), 0))
        .where(
            rl.contract_id == Contract.id,
            rl.accepted_at >= day_start(window.start),
            rl.accepted_at < day_start(window.end + timedelta(days=1)),
        )
        .scalar_subquery()
    )


def _flags(agreed, accepted, checked: int, on_k: int, risk_k: int):
    """(behind, at_risk, zero) of one contract as 0/1 expressions, as :func:`queries.base`."""
    check = true() if checked else false()
    zero = and_(check, accepted == 0, agreed > 0)
    scaled = accepted * queries.SCALE
    return (
        case((and_(~zero, scaled < agreed * on_k), 1), else_=0),
        case((and_(check, ~zero, scaled < agreed * risk_k), 1), else_=0),
        case((zero, 1), else_=0),
    )


def _months_above(session, filters, window: queries.Window, mark: int, among):
    """(month, accepted) of the selection's lines above the mark within the curve's range."""
    rl = ReceiptLine
    month = month_of(rl.accepted_at, session)
    query = (
        select(month, func.sum(rl.accepted_quantity))
        .join(Contract, Contract.id == rl.contract_id)
        .where(
            rl.id > mark,
            among(Contract.id),
            *queries.filter_conditions(filters),
            rl.accepted_at >= day_start(window.start),
            rl.accepted_at < day_start(min(window.as_of, window.end) + timedelta(days=1)),
        )
        .group_by(month)
    )
    return session.execute(query).all()


def _payables_above(session, filters, as_of: datetime, mark: int, among) -> tuple[int, int]:
    """The selection's payables above the mark: (due, paid on time) as of now."""
    p = Payable
    due = (p.due_at <= as_of) | p.paid_at.is_not(None)
    on_time = and_(due, p.paid_at.is_not(None), p.paid_at <= p.due_at)
    query = (
        select(func.sum(case((due, 1), else_=0)), func.sum(case((on_time, 1), else_=0)))
        .join(Contract, Contract.id == p.contract_id)
        .where(p.id > mark, among(Contract.id), *queries.filter_conditions(filters))
    )
    d, ok = session.execute(query).one()
    return int(d or 0), int(ok or 0)


def _payables_now(session, as_of: datetime, rollup: Rollup) -> tuple[int, int]:
    """Folded payables due and paid on time as of now (the unpaid falling due today by
    their due time)."""
    today = session.scalar(
        select(func.coalesce(func.sum(RollupUnpaid.payables), 0)).where(
            RollupUnpaid.rollup_id == rollup.id, RollupUnpaid.due_at <= as_of
        )
    )
    due = rollup.paid + rollup.unpaid_due_before + int(today or 0)
    return due, rollup.paid_on_time


def members(session: Session, rollup_id: int, grp: str):
    """A condition builder: ``column`` is one of the selection's hospitals (manufacturers).
    PostgreSQL: a semi-join on the rollup's text keys (one hash of 200,000 buyers' keys, no
    de-duplicating sort of the cast ids, which spills to disk); SQLite: ``IN`` the ids."""
    if session.get_bind().dialect.name != "postgresql":
        ids = organizations(rollup_id, grp)
        return lambda column: column.in_(ids)
    g = RollupGroup
    return lambda column: (
        select(g.id)
        .where(g.rollup_id == rollup_id, g.grp == grp, g.key == cast(column, String(40)))
        .exists()
    )
