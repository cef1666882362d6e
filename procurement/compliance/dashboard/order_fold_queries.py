"""Order timeliness of a dashboard rollup: confirmations and deliveries due and on time
(RULES.md 4), folded for settled orders, counted live for the others.

An order's four counts (:func:`metrics._orders`) are fixed once it is *settled*: shipped,
received or closed (``confirmed_at`` and ``shipped_at`` set, so both are due and their
timeliness is known), rejected (``rejected_at`` set: confirmation due, never delivered) or
cancelled (not counted). The lifecycle (``procurement.orders.rules.MOVES``) never leaves these
states, and no step writes those timestamps again. Before that the counts move with the clock
(the due times) and the order's steps.

The fold, race-safe as the receipt line mark:

1. the highest order id, once every order up to it is committed (PostgreSQL: a SHARE lock on
   ``purchase_orders`` waits for the transactions writing orders, for that instant only; later
   orders get higher ids);
2. one statement stores the selection's orders up to the mark that are not settled
   (:class:`RollupOpenOrder`);
3. the counts of the selection's other orders up to the mark are folded: they were settled
   when step 2 saw them, so nothing later changes them, and an order that settles after step 2
   is in the open set.

A view adds the live counts of the open set (joined by primary key) and of the orders above the
mark (a primary key range) to the folded ones: every order is counted once, as it is now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, literal, select, text, true
from sqlalchemy.orm import Session

from procurement.compliance.dashboard import delta_queries as rollup_delta
from procurement.compliance.dashboard.models import Rollup, RollupOpenOrder
from procurement.compliance.progress import metrics_queries as metrics
from procurement.compliance.progress import queries
from procurement.orders.models import OrderStatus, PurchaseOrder

SETTLED = (
    OrderStatus.SHIPPED,
    OrderStatus.RECEIVED,
    OrderStatus.CLOSED,
    OrderStatus.CANCELLED,
    OrderStatus.REJECTED,
)


def mark(session: Session) -> int:
    """The highest order id, once every order up to it is committed (take it before
    :func:`rollup_services.build`: on PostgreSQL it commits)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        session.execute(text("LOCK TABLE purchase_orders IN SHARE MODE"))
    top = int(session.scalar(select(func.coalesce(func.max(PurchaseOrder.id), 0))) or 0)
    if postgresql:
        session.commit()
    return top


def _orgs(session: Session, rollup: Rollup):
    return (
        rollup_delta.members(session, rollup.id, "hospital"),
        rollup_delta.members(session, rollup.id, "manufacturer"),
    )


def _counts(session: Session, query) -> tuple[int, int, int, int]:
    row = session.execute(query).first()
    if row is None:
        return 0, 0, 0, 0
    return int(row.cd or 0), int(row.co or 0), int(row.dd or 0), int(row.do or 0)


def fold(
    session: Session,
    filters: queries.Filters,
    window: queries.Window,
    rollup: Rollup,
    as_of: datetime,
    upto: int,
) -> None:
    """Fold the selection's orders up to ``upto`` (:func:`mark`) into ``rollup`` (flushed, its
    groups stored; the caller commits)."""
    po, o = PurchaseOrder, RollupOpenOrder
    orgs = _orgs(session, rollup)
    scope = metrics.order_scope(filters, window, orgs)
    still_open = select(literal(rollup.id), po.id).where(
        *scope, po.id <= upto, po.status.not_in(SETTLED)
    )
    session.execute(insert(o).from_select(["rollup_id", "order_id"], still_open))
    listed = select(o.order_id).where(o.rollup_id == rollup.id, o.order_id == po.id).exists()
    query = metrics._orders(filters, window, "total", as_of, orgs)
    cd, co, dd, do = _counts(session, query.where(po.id <= upto, ~listed))
    rollup.order_mark = upto
    rollup.confirm_due, rollup.confirm_on_time = cd, co
    rollup.deliver_due, rollup.deliver_on_time = dd, do
    session.flush()


def pending(session: Session, rollup: Rollup) -> int:
    """Orders above the rollup's mark (of every selection)."""
    return int(
        session.scalar(select(func.count()).where(PurchaseOrder.id > rollup.order_mark)) or 0
    )


def read(
    session: Session,
    filters: queries.Filters,
    window: queries.Window,
    rollup: Rollup,
    as_of: datetime,
) -> metrics.Side:
    """The selection's order counts as of ``as_of``: folded + open set + above the mark."""
    po, o = PurchaseOrder, RollupOpenOrder
    query = metrics._orders(filters, window, "total", as_of, _orgs(session, rollup))
    above = _counts(session, query.where(po.id > rollup.order_mark))
    still_open = (0, 0, 0, 0)
    listed = select(o.order_id).where(o.rollup_id == rollup.id)
    low = session.scalar(select(func.min(o.order_id)).where(o.rollup_id == rollup.id))
    if low is not None:
        # The open set was in the selection at the fold, and an order's hospital, supplier and
        # placing time never change: no semi-joins on the selection's organizations here. The
        # id range lets the database read only the recent orders (the open ones are).
        everyone = (lambda column: true(), lambda column: true())
        query = metrics._orders(filters, window, "total", as_of, everyone)
        between = po.id.between(low, rollup.order_mark)
        still_open = _counts(session, query.where(between, po.id.in_(listed)))
    cd, co, dd, do = (sum(x) for x in zip(above, still_open, strict=True))
    return metrics.Side(
        confirm_due=rollup.confirm_due + cd,
        confirm_on_time=rollup.confirm_on_time + co,
        deliver_due=rollup.deliver_due + dd,
        deliver_on_time=rollup.deliver_on_time + do,
    )
