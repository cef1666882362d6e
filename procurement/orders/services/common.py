"""Shared helpers of the order services: who may see or act on an order, loading with locks,
state checks that name the allowed moves, volume rows and idempotency keys."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.auth.services.scope import buyer_clause
from procurement.contracts.models import Contract
from procurement.core.clock import business_date
from procurement.core.errors import Message
from procurement.db.backends import Backend, backend
from procurement.orders import rules
from procurement.orders.errors import (
    DistributorOutsideRegion,
    IdempotencyKeyReused,
    NotTheSupplier,
    NotYourOrder,
    OrderNotFound,
    OrderState,
)
from procurement.orders.models import (
    ContractVolume,
    DistributorAppointment,
    IdempotencyKey,
    OrderLine,
    PurchaseOrder,
)

SUPPLIERS = (OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR)
OVERSIGHT = (OrgKind.REGULATOR, OrgKind.FUND)


def new_number(prefix: str, now: datetime) -> str:
    """A unique, unguessable business number: PO-20260105-3F9A1C0B2D."""
    return f"{prefix}-{now:%Y%m%d}-{secrets.token_hex(5).upper()}"


def order_scope(query, actor: Actor, today: date):
    """Restrict a select of PurchaseOrder to what the actor may see."""
    actor.require(write=False, action="see orders")
    if actor.org_kind == OrgKind.HOSPITAL:
        return query.where(buyer_clause(PurchaseOrder.hospital_id, actor))
    if actor.org_kind == OrgKind.MANUFACTURER:
        return query.where(PurchaseOrder.manufacturer_id == actor.org_id)
    if actor.org_kind == OrgKind.DISTRIBUTOR:
        return query.where(PurchaseOrder.id.in_(distributor_order_ids(actor, today)))
    if actor.org_kind in OVERSIGHT:
        return query
    return query.where(PurchaseOrder.id.is_(None))


def distributor_order_ids(actor: Actor, today: date):
    """Ids of orders whose lines fall in the distributor's active appointments (same
    manufacturer, lot, contract if named, and the order's province)."""
    a = DistributorAppointment
    return (
        select(OrderLine.order_id)
        .join(PurchaseOrder, PurchaseOrder.id == OrderLine.order_id)
        .join(
            a,
            and_(
                a.distributor_id == actor.org_id,
                a.manufacturer_id == PurchaseOrder.manufacturer_id,
                a.lot_id == OrderLine.lot_id,
                or_(a.contract_id.is_(None), a.contract_id == OrderLine.contract_id),
                a.region_code == PurchaseOrder.province_code,
                a.revoked_at.is_(None),
                a.valid_from <= today,
                or_(a.valid_until.is_(None), a.valid_until >= today),
            ),
        )
    )


def load_order(
    session: Session, order_id: int, actor: Actor, *, now: datetime, lock: bool = False
) -> PurchaseOrder:
    """The order if the actor may see it (404 otherwise, like a missing one)."""
    query = select(PurchaseOrder).where(PurchaseOrder.id == order_id)
    query = order_scope(query, actor, business_date(now))
    if lock:
        query = query.with_for_update(of=PurchaseOrder)
    order = session.scalar(query)
    if order is None:
        raise OrderNotFound(order_id=order_id)
    return order


def require_supplier(order: PurchaseOrder, actor: Actor, action: str) -> None:
    """Only the order's manufacturer or a distributor appointed for its region may ``action``."""
    actor.require(*SUPPLIERS, write=True, action=action)
    if actor.org_kind == OrgKind.MANUFACTURER and order.manufacturer_id != actor.org_id:
        raise NotTheSupplier(action=action)


def require_hospital(order: PurchaseOrder, actor: Actor, action: str) -> None:
    """The order's buyer, or the county medical community it is a member of."""
    actor.require(OrgKind.HOSPITAL, write=True, action=action)
    if not actor.acts_for(order.hospital_id):
        raise NotYourOrder(action=action)


def require_state(order: PurchaseOrder, action: str) -> None:
    """409 naming the current state and the moves it allows."""
    status = order.status.value
    if not rules.action_allowed(action, status):
        moves = rules.allowed_moves(status)
        raise OrderState(
            order_number=order.number,
            state=status,
            action=action,
            moves_shown=", ".join(moves) or Message("none (final state)"),
            order_id=order.id,
            allowed_moves=moves,
        )


def lock_volumes(session: Session, contract_ids: Iterable[int], now: datetime) -> dict:
    """The contracts' volume rows, created if missing and locked FOR UPDATE in id order (a
    stable order, so two transactions never wait on each other crosswise)."""
    ids = sorted(set(contract_ids))
    if not ids:
        return {}
    rows = _select_locked(session, ids)
    missing = [i for i in ids if i not in rows]
    agreed = []
    if missing:  # unknown contract ids stay missing: the caller names them
        agreed = session.execute(
            select(Contract.id, Contract.agreed_volume).where(Contract.id.in_(missing))
        ).all()
    if agreed:
        insert = (
            backend(session)
            .insert(ContractVolume)
            .values(
                [
                    {
                        "contract_id": cid,
                        "agreed": vol,
                        "ordered": 0,
                        "beyond_agreed": 0,
                        "shipped": 0,
                        "accepted": 0,
                        "rejected": 0,
                        "updated_at": now,
                    }
                    for cid, vol in agreed
                ]
            )
        )
        session.execute(insert.on_conflict_do_nothing(index_elements=["contract_id"]))
        rows = _select_locked(session, ids)
    return rows


def _select_locked(session: Session, ids: list[int]) -> dict:
    query = (
        select(ContractVolume.__table__)
        .where(ContractVolume.contract_id.in_(ids))
        .order_by(ContractVolume.contract_id)
        .with_for_update()
    )
    return {row.contract_id: row for row in session.execute(query)}


def claim_values(
    *,
    org_id: int,
    scope: str,
    key: str,
    body: Any,
    now: datetime,
    response: dict[str, Any] | None = None,
    resource_id: int | None = None,
) -> dict[str, Any]:
    """The idempotency_keys row that claims ``key`` for this request (and stores its response)."""
    return dict(
        org_id=org_id,
        scope=scope,
        key=key,
        fingerprint=rules.fingerprint(scope, body),
        created_at=now,
        response_status=201 if response is not None else None,
        response_body=response,
        resource_id=resource_id,
    )


def claim_key(session: Session, **values: Any) -> bool:
    """Claim an Idempotency-Key with an atomic insert under the unique (org, key) constraint,
    storing the response with it. True when this request claimed it; False when the key already
    exists (a concurrent twin waits on the unique index until the first commits)."""
    connection = session.connection()
    statement = _claim_statement(backend(connection))
    return connection.execute(statement, claim_values(**values)).scalar() is not None


@functools.cache
def _claim_statement(db: Backend):
    return (
        db.insert(IdempotencyKey)
        .on_conflict_do_nothing(index_elements=["org_id", "key"])
        .returning(IdempotencyKey.id)
    )


def stored_key(session: Session, *, org_id: int, key: str) -> IdempotencyKey | None:
    return session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.org_id == org_id, IdempotencyKey.key == key)
    )


def check_fingerprint(earlier: IdempotencyKey, scope: str, key: str, body: Any) -> None:
    """The same key with another request is a 409."""
    if earlier.fingerprint != rules.fingerprint(scope, body):
        raise IdempotencyKeyReused(key=key)


def load_for_supplier(
    session: Session, order_id: int, actor: Actor, now: datetime
) -> PurchaseOrder:
    """The order, locked, for a supplier step. A distributor whose manufacturer has the order
    but who is not appointed for its province is told so (403), not given a bare 404."""
    try:
        return load_order(session, order_id, actor, now=now, lock=True)
    except OrderNotFound:
        if actor.org_kind != OrgKind.DISTRIBUTOR:
            raise
        order = session.get(PurchaseOrder, order_id)
        regions = session.scalars(
            select(DistributorAppointment.region_code).where(
                DistributorAppointment.distributor_id == actor.org_id,
                DistributorAppointment.manufacturer_id == getattr(order, "manufacturer_id", None),
                DistributorAppointment.revoked_at.is_(None),
            )
        ).all()
        if order is None or not regions:
            raise
        raise DistributorOutsideRegion(
            regions_shown=", ".join(sorted(set(regions))),
            order_number=order.number,
            province_code=order.province_code,
            order_id=order.id,
        ) from None
