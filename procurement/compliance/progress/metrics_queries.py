"""Progress side figures per group (RULES.md 4-6): non-winning share of the same generic name,
off-platform share, on-time confirmation and delivery, payments within the deadline. Each is
one grouped SQL aggregate over the selection of :mod:`procurement.compliance.progress.queries`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.catalog.models import Lot
from procurement.compliance.progress.queries import (
    Filters,
    Window,
    buyer_type_ids,
    filter_conditions,
)
from procurement.compliance.rules import share
from procurement.contracts.models import Contract
from procurement.core.clock import day_start
from procurement.orders.models import OffPlatformPurchase, OrderLine, OrderStatus, PurchaseOrder
from procurement.settlement.models import Payable

SIDE_GROUPS = ("total", "lot", "region", "hospital", "manufacturer")


@dataclass
class Side:
    non_winning: int = 0
    off_platform: int = 0
    confirm_due: int = 0
    confirm_on_time: int = 0
    deliver_due: int = 0
    deliver_on_time: int = 0
    payables_due: int = 0
    paid_on_time: int = 0


def _key(expr):
    return cast(expr, String(40)).label("key")


def _lot_scope(filters: Filters):
    """Lots of the selection (for off-contract lines and off-platform reports)."""
    query = select(Lot.id)
    if filters.tender_id is not None:
        query = query.where(Lot.tender_id == filters.tender_id)
    if filters.lot_id is not None:
        query = query.where(Lot.id == filters.lot_id)
    return query


def _non_winning(filters: Filters, window: Window, group: str):
    po, ol = PurchaseOrder, OrderLine
    dims = {
        "total": literal(0),
        "lot": ol.lot_id,
        "region": po.province_code,
        "hospital": po.hospital_id,
    }
    if group not in dims:
        return None
    dim = dims[group]
    query = (
        select(_key(dim), func.sum(ol.accepted_quantity).label("n"))
        .join(po, po.id == ol.order_id)
        .where(
            ol.off_contract.is_(True),
            ol.lot_id.in_(_lot_scope(filters)),
            po.placed_at >= day_start(window.start),
            po.placed_at < day_start(window.end + timedelta(days=1)),
        )
    )
    query = _org_filters(query, filters, po.hospital_id, po.province_code)
    return query.group_by(dim)


def _org_filters(query, filters: Filters, hospital_col, region_col):
    if filters.hospital_id is not None:
        query = query.where(hospital_col == filters.hospital_id)
    if filters.hospital_ids is not None:
        query = query.where(hospital_col.in_(filters.hospital_ids))
    if filters.institution_type:
        query = query.where(hospital_col.in_(buyer_type_ids(filters.institution_type)))
    if filters.region_code:
        query = query.where(region_col == filters.region_code[:2] + "0000")
    return query


def _off_platform(filters: Filters, window: Window, group: str):
    op, org = OffPlatformPurchase, Organization
    province = func.substr(org.region_code, 1, 2) + "0000"
    dims = {"total": literal(0), "lot": op.lot_id, "region": province, "hospital": op.hospital_id}
    if group not in dims:
        return None
    dim = dims[group]
    query = select(_key(dim), func.sum(op.quantity).label("n")).where(
        op.lot_id.in_(_lot_scope(filters)),
        op.month >= window.start.replace(day=1),
        op.month <= window.end,
    )
    if group == "region" or filters.region_code:  # the province is the hospital's
        query = query.join(org, org.id == op.hospital_id)
    return _org_filters(query, filters, op.hospital_id, province).group_by(dim)


def order_scope(filters: Filters, window: Window, orgs=None) -> list:
    """Orders of the selection: placed in the contract year by its hospitals to its suppliers
    (set semi-joins on contracts, or the conditions ``orgs`` builds: cheaper than walking
    every order line)."""
    po = PurchaseOrder
    if orgs is None:
        hospitals = select(Contract.hospital_id).where(*filter_conditions(filters))
        makers = select(Contract.manufacturer_id).where(*filter_conditions(filters))
        orgs = (lambda column: column.in_(hospitals), lambda column: column.in_(makers))
    scope = [
        po.placed_at >= day_start(window.start),
        po.placed_at < day_start(window.end + timedelta(days=1)),
        orgs[0](po.hospital_id),
        orgs[1](po.manufacturer_id),
    ]
    if filters.lot_id is not None:
        scope.append(
            po.id.in_(select(OrderLine.order_id).where(OrderLine.lot_id == filters.lot_id))
        )
    return scope


def _orders(filters: Filters, window: Window, group: str, as_of: datetime, orgs=None):
    po = PurchaseOrder
    scope = order_scope(filters, window, orgs)
    dims = {
        "total": literal(0),
        "region": po.province_code,
        "hospital": po.hospital_id,
        "manufacturer": po.manufacturer_id,
    }
    if group not in dims:
        return None
    dim = dims[group]
    live = po.status != OrderStatus.CANCELLED
    confirm_due = and_(
        live,
        (po.confirm_due_at <= as_of) | po.confirmed_at.is_not(None) | po.rejected_at.is_not(None),
    )
    confirm_ok = and_(po.confirmed_at.is_not(None), po.confirmed_at <= po.confirm_due_at)
    deliver_due = and_(
        live,
        po.status != OrderStatus.REJECTED,
        (po.deliver_due_at <= as_of) | po.shipped_at.is_not(None),
    )
    deliver_ok = and_(po.shipped_at.is_not(None), po.shipped_at <= po.deliver_due_at)
    return (
        select(
            _key(dim),
            func.sum(case((confirm_due, 1), else_=0)).label("cd"),
            func.sum(case((and_(confirm_due, confirm_ok), 1), else_=0)).label("co"),
            func.sum(case((deliver_due, 1), else_=0)).label("dd"),
            func.sum(case((and_(deliver_due, deliver_ok), 1), else_=0)).label("do"),
        )
        .where(*scope)
        .group_by(dim)
    )


def _payables(filters: Filters, group: str, as_of: datetime):
    pay, c = Payable, Contract
    dims = {
        "total": literal(0),
        "lot": c.lot_id,
        "region": c.region_code,
        "hospital": c.hospital_id,
        "manufacturer": c.manufacturer_id,
    }
    dim = dims[group]
    due = (pay.due_at <= as_of) | pay.paid_at.is_not(None)
    on_time = and_(pay.paid_at.is_not(None), pay.paid_at <= pay.due_at)
    return (
        select(
            _key(dim),
            func.sum(case((due, 1), else_=0)).label("due"),
            func.sum(case((and_(due, on_time), 1), else_=0)).label("ok"),
        )
        .join(c, c.id == pay.contract_id)
        .where(*filter_conditions(filters))
        .group_by(dim)
    )


def side_figures(
    session: Session,
    *,
    filters: Filters,
    window: Window,
    group: str,
    as_of: datetime,
    orgs=None,
    skip: tuple[str, ...] = (),
) -> dict[str, Side]:
    """Side figures per group key (str keys, as the progress rows' keys stringified).
    ``orgs``: (hospital, manufacturer) condition builders of the selection, if known
    (``column -> condition``: the dashboard's from its rollup);
    ``skip``: figures the caller has (the dashboard rollup: "non_winning", "payables")."""
    if group not in SIDE_GROUPS:
        return {}
    out: dict[str, Side] = {}

    def get(key: Any) -> Side:
        return out.setdefault(str(key), Side())

    for name, query, apply in (
        (
            "non_winning",
            _non_winning(filters, window, group),
            lambda s, row: setattr(s, "non_winning", int(row.n)),
        ),
        (
            "off_platform",
            _off_platform(filters, window, group),
            lambda s, row: setattr(s, "off_platform", int(row.n)),
        ),
        ("orders", _orders(filters, window, group, as_of, orgs), _apply_orders),
        ("payables", _payables(filters, group, as_of), _apply_payables),
    ):
        if query is not None and name not in skip:
            for row in session.execute(query):
                apply(get(row.key), row)
    return out


def _apply_orders(side: Side, row) -> None:
    side.confirm_due, side.confirm_on_time = int(row.cd or 0), int(row.co or 0)
    side.deliver_due, side.deliver_on_time = int(row.dd or 0), int(row.do or 0)


def _apply_payables(side: Side, row) -> None:
    side.payables_due, side.paid_on_time = int(row.due or 0), int(row.ok or 0)


def figures(accepted: int, side: Side | None) -> dict[str, Decimal | int | None]:
    """The shares and rates of one group, from its accepted winning quantity and side counts."""
    side = side or Side()
    on_platform = accepted + side.non_winning
    return {
        "non_winning_quantity": side.non_winning,
        "non_winning_share": share(side.non_winning, on_platform),
        "off_platform_quantity": side.off_platform,
        "off_platform_share": share(side.off_platform, on_platform + side.off_platform),
        "confirm_on_time_rate": share(side.confirm_on_time, side.confirm_due),
        "deliver_on_time_rate": share(side.deliver_on_time, side.deliver_due),
        "payment_on_time_rate": share(side.paid_on_time, side.payables_due),
    }
