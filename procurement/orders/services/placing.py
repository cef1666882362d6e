"""Placing an order: the hot path. After the bearer token, three statements on PostgreSQL:
read the contracts and lock their volume rows (drawing the order id); lock the organization's
audit chain head (the event is signed in Python, the audit key never reaches the database);
write the volume counters, the order, its lines, the Idempotency-Key with the response and the
audit event (one statement, see placing_sql and ``audit.append_cte``); then commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind, province_of
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
from procurement.core.money import line_total, round_amount
from procurement.orders import rules
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
from procurement.orders.services import placing_sql as sql
from procurement.orders.services.common import (
    check_fingerprint,
    claim_values,
    lock_volumes,
    new_number,
    stored_key,
)

SCOPE = "orders.place"


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


@dataclass
class Placement:
    """The stored response: ``replayed`` when an Idempotency-Key retry returned the first."""

    order_id: int
    body: dict[str, Any]
    replayed: bool = False


@dataclass
class _Line:
    contract_id: int | None
    lot_id: int
    product_id: int
    manufacturer_id: int
    pack_size: int
    packs: int
    unit_price: Decimal
    currency: str
    snapshot: dict[str, Any] | None
    remaining: int = 0  # of the agreed volume, read under the volume row's lock
    within: int = 0
    beyond: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def quantity(self) -> int:
        return rules.packs_to_units(self.packs, self.pack_size)


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
        _check_request(request, now)
        lines, order_id = _priced_lines(session, request, actor, now)
        volumes = _split_volumes(lines)
        order, rows, response = _new_order(order_id, request, lines, now, actor)
        key = None
        if idempotency_key:
            key = claim_values(org_id=actor.org_id, scope=SCOPE, key=idempotency_key, body=body,
                               now=now, response=response, resource_id=order_id)  # fmt: skip
        event = dict(action="orders.placed", subject_type="purchase_order", subject_id=order_id,
                     now=now, actor=actor, payload={"number": response["number"],
                     "lines": len(lines), "total": response["total_amount"]})  # fmt: skip
        connection = session.connection()
        logged = audit.append_params(connection, **event)  # PostgreSQL: locks the chain's head
        written = sql.write(connection, order=order, lines=rows, volumes=volumes, key=key,
                            at=now, event=logged)  # fmt: skip
        if not written.claimed:
            return _replay(session, actor, idempotency_key, body)
    except DomainError:
        if idempotency_key:  # a retry of a request that succeeded earlier still replays
            session.rollback()
            earlier = stored_key(session, org_id=actor.org_id, key=idempotency_key)
            if earlier is not None:
                return _replay(session, actor, idempotency_key, body)
        raise
    if not written.audited:
        audit.record(session, **event)
    session.commit()
    return Placement(order_id, response)


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
    }


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


@dataclass(frozen=True)
class _Locked:
    """A contract as read for an order, its volume row locked."""

    id: int
    hospital_id: int
    manufacturer_id: int
    lot_id: int
    product_id: int
    unit_price: Decimal
    currency: str
    status: ContractStatus
    period_start: date
    period_end: date
    pack_size: int
    rules_snapshot: dict[str, Any] | None
    agreed: int
    ordered: int
    order_id: int


def _priced_lines(
    session: Session, request: OrderRequest, actor: Actor, now: datetime
) -> tuple[list[_Line], int]:
    """The order's lines priced from their contracts, and the new order's id."""
    ids = sorted({line.contract_id for line in request.lines if line.contract_id is not None})
    contracts = _read_and_lock(session, ids, now) if ids else {}
    out = []
    for i, line in enumerate(request.lines):
        if line.contract_id is not None:
            row = contracts.get(line.contract_id)
            out.append(_contract_line(i, line, row, actor, business_date(now)))
        else:
            out.append(_off_contract_line(session, i, line, actor, business_date(now)))
    suppliers = {line.manufacturer_id for line in out}
    if len(suppliers) > 1:
        raise SeveralSuppliers(
            errors={"lines": [Message("{value} different manufacturers", value=len(suppliers))]}
        )
    if contracts:
        return out, next(iter(contracts.values())).order_id
    return out, sql.next_order_id(session.connection())


def _read_and_lock(session: Session, ids: list[int], now: datetime) -> dict[int, _Locked]:
    """The contracts with their volume rows locked; a contract's first order creates its row."""
    found = {row[0]: _Locked(*row) for row in sql.read_and_lock(session.connection(), ids)}
    if len(found) < len(ids):
        lock_volumes(session, [i for i in ids if i not in found], now)
        found = {row[0]: _Locked(*row) for row in sql.read_and_lock(session.connection(), ids)}
    return found


def _contract_line(i: int, line: LineRequest, row, actor: Actor, today: date) -> _Line:
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
    if row.hospital_id != actor.org_id:
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
    return _Line(row.id, row.lot_id, row.product_id, row.manufacturer_id, row.pack_size,
                 line.packs, row.unit_price, row.currency, row.rules_snapshot,
                 remaining=row.agreed - row.ordered)  # fmt: skip


def _off_contract_line(
    session: Session, i: int, line: LineRequest, actor: Actor, today: date
) -> _Line:
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
        .where(Contract.hospital_id == actor.org_id, Contract.status == ContractStatus.ACTIVE,
               Lot.generic_name == product.generic_name)
        .order_by(Contract.period_start.desc(), Contract.id)
    ).all()  # fmt: skip
    if not held:
        raise NoContractedGeneric(
            errors={field_name: [N_("no contract for this generic")]},
            generic_name=product.generic_name,
        )
    if any(h.product_id == product.id for h in held):
        raise ProductIsContracted(errors={field_name: [N_("order it against the contract")]})
    return _Line(None, held[0].lot_id, product.id, product.manufacturer_id, product.pack_size,
                 line.packs, line.unit_price, "CNY", held[0].rules_snapshot)  # fmt: skip


def _split_volumes(lines: list[_Line]) -> list[tuple[int, int, int]]:
    """Split each contract line within/beyond the remaining agreed volume, read from the locked
    volume row (concurrent orders of a contract wait on that lock, so none books the same
    remaining volume twice). Returns (contract id, quantity, beyond) per contract."""
    booked: dict[int, list[int]] = {}  # contract id -> [remaining, quantity, beyond]
    for line in lines:
        if line.contract_id is None:
            line.within, line.beyond = 0, line.quantity
            continue
        entry = booked.setdefault(line.contract_id, [line.remaining, 0, 0])
        line.within, line.beyond = rules.split_agreed(entry[0] - entry[1], line.quantity)
        entry[1] += line.quantity
        entry[2] += line.beyond
    return [(cid, quantity, beyond) for cid, (_, quantity, beyond) in sorted(booked.items())]


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


def _new_order(
    order_id: int, request: OrderRequest, lines: list[_Line], now: datetime, actor: Actor
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """The order row, its line rows and the response body."""
    levels = rules.ServiceLevels.from_snapshot(lines[0].snapshot)
    region_class = rules.region_class(actor.region_code, levels.remote_provinces)
    confirm_due, deliver_due = levels.due_times(now, region_class, request.emergency)
    amounts = [line_total(line.quantity, line.unit_price) for line in lines]
    _check_amounts(amounts)
    order = dict(
        id=order_id, number=new_number("PO", now), hospital_id=actor.org_id,
        manufacturer_id=lines[0].manufacturer_id, region_code=actor.region_code,
        province_code=province_of(actor.region_code), status="placed", placed_at=now,
        placed_by_user_id=actor.user_id, wanted_by=request.wanted_by,
        delivery_address=request.delivery_address, emergency=request.emergency,
        region_class=region_class, confirm_due_at=confirm_due, deliver_due_at=deliver_due,
        total_amount=round_amount(sum(amounts, Decimal(0))), currency=lines[0].currency,
        updated_at=now, version=1,
    )  # fmt: skip
    rows = [
        dict(order_id=order_id, line_no=n, contract_id=ln.contract_id, lot_id=ln.lot_id,
             product_id=ln.product_id, manufacturer_id=ln.manufacturer_id, packs=ln.packs,
             pack_size=ln.pack_size, quantity=ln.quantity, unit_price=ln.unit_price,
             amount=amount, currency=ln.currency, within_agreed_quantity=ln.within,
             beyond_agreed_quantity=ln.beyond, off_contract=ln.contract_id is None,
             shipped_quantity=0, accepted_quantity=0, rejected_quantity=0)
        for n, (ln, amount) in enumerate(zip(lines, amounts, strict=True), start=1)
    ]  # fmt: skip
    return order, rows, _body(order_id, order, rows)


def _body(order_id: int, values: dict[str, Any], line_rows: list[dict[str, Any]]) -> dict:
    """The created order as JSON (what the API returns and the Idempotency-Key replays)."""
    iso = {k: values[k].isoformat() for k in ("placed_at", "confirm_due_at", "deliver_due_at")}
    return {
        "id": order_id, "number": values["number"], "status": "placed",
        "hospital_id": values["hospital_id"], "manufacturer_id": values["manufacturer_id"],
        "region_code": values["region_code"], "region_class": values["region_class"],
        "emergency": values["emergency"], "delivery_address": values["delivery_address"],
        "wanted_by": values["wanted_by"].isoformat() if values["wanted_by"] else None,
        "total_amount": str(values["total_amount"]), "currency": values["currency"], **iso,
        "lines": [
            {"line_no": r["line_no"], "contract_id": r["contract_id"], "lot_id": r["lot_id"],
             "product_id": r["product_id"], "packs": r["packs"], "pack_size": r["pack_size"],
             "quantity": r["quantity"], "unit_price": str(r["unit_price"]),
             "amount": str(r["amount"]), "within_agreed_quantity": r["within_agreed_quantity"],
             "beyond_agreed_quantity": r["beyond_agreed_quantity"],
             "off_contract": r["off_contract"]}
            for r in line_rows
        ],
    }  # fmt: skip
