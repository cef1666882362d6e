"""Placing an order, the hot path: load the ordered contracts with their volume rows locked,
check the request against them, then write the order, its lines, the volume counters, the
Idempotency-Key with the response and the audit event together (see ``placing_sql``), and
commit. The response is ``PlacedOrderSchema``'s, the one the API documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.auth.services import scope
from procurement.catalog.models import Lot, Product, Tender
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date
from procurement.core.errors import (
    DomainError,
)
from procurement.core.limits import (
    MAX_MONEY,
    MAX_ORDER_LINES,
    MAX_PACKS_PER_LINE,
    MIN_UNIT_PRICE,
)
from procurement.core.messages import N_, Message
from procurement.events.types import EventType
from procurement.orders.errors import (
    AmountsBeyondLimit,
    ContractNotActive,
    NoContractedGeneric,
    NoSuchContract,
    NoSuchProduct,
    NotYourContract,
    OrderNotValid,
    ProductIsContracted,
    SeveralSuppliers,
    TooManyLines,
)
from procurement.orders.schemas import PlacedOrderSchema
from procurement.orders.services import placing_sql as sql
from procurement.orders.services.common import (
    check_fingerprint,
    claim_values,
    lock_volumes,
    stored_key,
)
from procurement.orders.services.outbox import record_order_event
from procurement.orders.services.placing_rows import PricedLine, new_order

SCOPE = "orders.place"
PLACED = PlacedOrderSchema()


@dataclass(frozen=True)
class LineRequest:
    """Against a contract (``contract_id``), or off-contract: a non-winning ``product_id`` of a
    contracted generic name at the hospital's ``unit_price``."""

    packs: int
    contract_id: int | None = None
    product_id: int | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class OrderRequest:
    lines: list[LineRequest]
    wanted_by: date | None = None
    delivery_address: str = ""
    emergency: bool = False
    # A county medical community orders for a member: the member is the buyer (its contracts,
    # volumes and year-end); the order goes to the member's address (RULES.md 12).
    buyer_id: int | None = None


@dataclass(frozen=True)
class Buyer:
    """Who the order is for: the actor's organization, or a member of its medical community."""

    id: int
    region_code: str
    address: str
    placed_by_org_id: int | None = None


@dataclass
class Placement:
    """The stored response: ``replayed`` when an Idempotency-Key retry returned the first."""

    order_id: int
    body: dict[str, Any]
    replayed: bool = False


def place_order(
    session: Session,
    *,
    request: OrderRequest,
    idempotency_key: str | None = None,
    raw_body: Any = None,
    now: datetime,
    actor: Actor,
) -> Placement:
    """Place a purchase order (hospital). Beyond the remaining agreed volume is allowed at the
    contract price and marked beyond-agreed; a retried Idempotency-Key returns the first order.

    The key is claimed by inserting it, with the response, under the unique (org, key)
    constraint in the order's own transaction: a concurrent twin waits on that insert, finds
    the committed key and replays it; a failed request leaves no key behind."""
    actor.require(OrgKind.HOSPITAL, write=True, action="place orders")
    body = raw_body if raw_body is not None else _canonical(request)
    try:
        return _place(session, request, idempotency_key, body, now, actor)
    except DomainError:
        if idempotency_key:  # a retry of a request that succeeded earlier still replays
            session.rollback()
            earlier = stored_key(session, org_id=actor.org_id, key=idempotency_key)
            if earlier is not None:
                return _replay(session, actor, idempotency_key, body)
        raise


def _place(
    session: Session, request: OrderRequest, key: str | None, body: Any, now: datetime, actor: Actor
) -> Placement:
    """Load, check, write, commit."""
    _check_request(request, now)
    buyer = _buyer(session, request, actor)
    contracts, order_id = _load(session, request, now)
    lines = _priced_lines(session, request, contracts, buyer, now)
    _check_amounts([line.amount for line in lines])
    order = new_order(order_id, request, lines, now, actor, buyer)
    response = PLACED.dump({**order.row, "lines": order.lines})
    connection = session.connection()
    event = audit.prepare_event(connection, **_placed_event(response, now, actor))
    claim = _key_claim(key, body, response, now, actor) if key else None
    if not sql.write(connection, order=order, key=claim, event=event):
        return _replay(session, actor, key, body)
    record_order_event(session, EventType.ORDER_PLACED, SimpleNamespace(**order.row), now)
    session.commit()
    return Placement(order_id, response)


def _placed_event(response: dict[str, Any], now: datetime, actor: Actor) -> dict[str, Any]:
    """The audit event's arguments (``audit.record``'s)."""
    payload = {
        "number": response["number"],
        "lines": len(response["lines"]),
        "total": response["total_amount"],
    }
    return dict(
        action="orders.placed",
        subject_type="purchase_order",
        subject_id=response["id"],
        now=now,
        actor=actor,
        payload=payload,
    )


def _key_claim(
    key: str, body: Any, response: dict[str, Any], now: datetime, actor: Actor
) -> dict[str, Any]:
    """The idempotency_keys row claiming ``key``, with the response a retry replays."""
    return claim_values(
        org_id=actor.org_id,
        scope=SCOPE,
        key=key,
        body=body,
        now=now,
        response=response,
        resource_id=response["id"],
    )


def _replay(session: Session, actor: Actor, key: str, body: Any) -> Placement:
    """The first request's stored response (409 if the key came with another request)."""
    session.rollback()
    earlier = stored_key(session, org_id=actor.org_id, key=key)
    check_fingerprint(earlier, SCOPE, key, body)
    session.rollback()
    return Placement(earlier.resource_id, earlier.response_body, replayed=True)


def _canonical(request: OrderRequest) -> dict[str, Any]:
    return {
        "lines": [vars(line) for line in request.lines],
        "wanted_by": request.wanted_by,
        "delivery_address": request.delivery_address,
        "emergency": request.emergency,
        "buyer_id": request.buyer_id,
    }


def _buyer(session: Session, request: OrderRequest, actor: Actor) -> Buyer:
    """The order's buyer: the actor's organization, or the member it names (a county medical
    community's only). A member's order is delivered to the member's address unless the
    request gives one."""
    if request.buyer_id is None or request.buyer_id == actor.org_id:
        return Buyer(actor.org_id, actor.region_code, request.delivery_address)
    member = scope.member(session, actor, request.buyer_id)
    address = request.delivery_address or (member.address or "")
    return Buyer(member.id, member.region_code, address, placed_by_org_id=actor.org_id)


def _check_request(request: OrderRequest, now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    if not request.lines:
        errors["lines"] = [N_("an order needs at least one line")]
    if len(request.lines) > MAX_ORDER_LINES:
        raise TooManyLines(
            maximum=MAX_ORDER_LINES, lines=len(request.lines), limit="MAX_ORDER_LINES"
        )
    for i, line in enumerate(request.lines):
        if line.packs <= 0:
            errors[f"lines.{i}.packs"] = [
                Message("{packs} packs: order a positive number of packs", packs=line.packs)
            ]
        elif line.packs > MAX_PACKS_PER_LINE:
            errors[f"lines.{i}.packs"] = [
                Message(
                    "at most {MAX_PACKS_PER_LINE} packs per line (MAX_PACKS_PER_LINE)",
                    MAX_PACKS_PER_LINE=MAX_PACKS_PER_LINE,
                )
            ]
        if (line.contract_id is None) == (line.product_id is None):
            errors[f"lines.{i}"] = [N_("give either contract_id, or product_id with unit_price")]
        elif line.product_id is not None and (line.unit_price is None or line.unit_price <= 0):
            errors[f"lines.{i}.unit_price"] = [
                N_("an off-contract line needs a positive unit_price")
            ]
        elif line.product_id is not None and line.unit_price < MIN_UNIT_PRICE:
            errors[f"lines.{i}.unit_price"] = [
                Message(
                    "a unit price is at least {MIN_UNIT_PRICE} (MIN_UNIT_PRICE)",
                    MIN_UNIT_PRICE=MIN_UNIT_PRICE,
                )
            ]
    if request.wanted_by is not None and request.wanted_by < business_date(now):
        errors["wanted_by"] = [Message("{wanted_by} is in the past", wanted_by=request.wanted_by)]
    if errors:
        raise OrderNotValid(errors=errors)


def _load(session: Session, request: OrderRequest, now: datetime) -> tuple[dict[int, Any], int]:
    """The ordered contracts by id (rows of ``placing_sql.load``), their volume rows locked (a
    contract's first order creates its row), and the new order's id."""
    ids = sorted({line.contract_id for line in request.lines if line.contract_id is not None})
    connection = session.connection()
    rows = sql.load(connection, ids) if ids else []
    if len(rows) < len(ids):
        found = {row.id for row in rows}
        lock_volumes(session, [i for i in ids if i not in found], now)
        rows = sql.load(connection, ids)
    order_id = rows[0].order_id if rows else sql.next_order_id(connection)
    return {row.id: row for row in rows}, order_id


def _priced_lines(
    session: Session, request: OrderRequest, contracts: dict[int, Any], buyer: Buyer, now: datetime
) -> list[PricedLine]:
    """The order's lines priced from their contracts (or the hospital's off-contract price)."""
    today = business_date(now)
    out = []
    for i, line in enumerate(request.lines):
        if line.contract_id is not None:
            out.append(_contract_line(i, line, contracts.get(line.contract_id), buyer, today))
        else:
            out.append(_off_contract_line(session, i, line, buyer, today))
    suppliers = {line.manufacturer_id for line in out}
    if len(suppliers) > 1:
        raise SeveralSuppliers(
            errors={"lines": [Message("{value} different manufacturers", value=len(suppliers))]}
        )
    return out


def _contract_line(i: int, line: LineRequest, row, buyer: Buyer, today: date) -> PricedLine:
    field_name = f"lines.{i}.contract_id"
    if row is None:
        raise NoSuchContract(
            errors={
                field_name: [
                    Message("unknown contract {contract_id}", contract_id=line.contract_id)
                ]
            },
            contract_id=line.contract_id,
        )
    if row.hospital_id != buyer.id:
        raise NotYourContract(
            errors={field_name: [N_("another hospital's contract")]}, contract_id=row.id
        )
    if row.status != ContractStatus.ACTIVE or not row.period_start <= today <= row.period_end:
        raise ContractNotActive(
            errors={field_name: [N_("not active today")]},
            contract_id=row.id,
            contract_status=row.status.value,
            period_start=row.period_start,
            period_end=row.period_end,
        )
    return PricedLine(
        contract_id=row.id,
        lot_id=row.lot_id,
        product_id=row.product_id,
        manufacturer_id=row.manufacturer_id,
        pack_size=row.pack_size,
        packs=line.packs,
        unit_price=row.unit_price,
        currency=row.currency,
        snapshot=row.rules_snapshot,
        remaining=row.agreed - row.ordered,
    )


def _off_contract_line(
    session: Session, i: int, line: LineRequest, buyer: Buyer, today: date
) -> PricedLine:
    """A non-winning product of a generic name the hospital holds an active contract for."""
    product = session.get(Product, line.product_id)
    field_name = f"lines.{i}.product_id"
    if product is None:
        raise NoSuchProduct(
            errors={
                field_name: [Message("unknown product {product_id}", product_id=line.product_id)]
            },
            product_id=line.product_id,
        )
    held = session.execute(
        select(Contract.lot_id, Contract.product_id, Tender.rules_snapshot)
        .join(Lot, Lot.id == Contract.lot_id)
        .join(Tender, Tender.id == Contract.tender_id)
        .where(
            Contract.hospital_id == buyer.id,
            Contract.status == ContractStatus.ACTIVE,
            Lot.generic_name == product.generic_name,
        )
        .order_by(Contract.period_start.desc(), Contract.id)
    ).all()
    if not held:
        raise NoContractedGeneric(
            errors={field_name: [N_("no contract for this generic")]},
            generic_name=product.generic_name,
        )
    if any(h.product_id == product.id for h in held):
        raise ProductIsContracted(errors={field_name: [N_("order it against the contract")]})
    return PricedLine(
        contract_id=None,
        lot_id=held[0].lot_id,
        product_id=product.id,
        manufacturer_id=product.manufacturer_id,
        pack_size=product.pack_size,
        packs=line.packs,
        unit_price=line.unit_price,
        currency="CNY",
        snapshot=held[0].rules_snapshot,
    )


def _check_amounts(amounts: list[Decimal]) -> None:
    beyond = {
        f"lines.{i}": [
            Message(
                "the line comes to {amount}, beyond {MAX_MONEY} (MAX_MONEY)",
                amount=amount,
                MAX_MONEY=MAX_MONEY,
            )
        ]
        for i, amount in enumerate(amounts)
        if amount > MAX_MONEY
    }
    if not beyond and sum(amounts, Decimal(0)) > MAX_MONEY:
        beyond = {
            "lines": [
                Message("the order comes to more than {MAX_MONEY} (MAX_MONEY)", MAX_MONEY=MAX_MONEY)
            ]
        }
    if beyond:
        raise AmountsBeyondLimit(errors=beyond)
