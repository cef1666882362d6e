"""The statements of order placement, built once per shape and reused (the hot path).

Two round trips carry an order, whatever its size:

1. ``read_and_lock``: the ordered contracts with their product, tender rules and volume row,
   the volume rows locked ``FOR UPDATE`` in contract id order, and the new order's id drawn
   in the same statement (PostgreSQL: the table's sequence; SQLite, whose writers are already
   serialised by ``BEGIN IMMEDIATE``: the next free id).
2. ``write``: add to the volume counters, insert the order and its lines, claim the
   Idempotency-Key (storing the response) and append the audit event. On PostgreSQL this is
   one statement, each write a data-modifying CTE; elsewhere the same statements run one
   after another and ``audit.record`` follows.

Every value is a bound parameter named after its place (``o_number``, ``l1_packs``,
``v0_cid``), so one compiled statement serves every order of the same shape. On PostgreSQL
they run as ``db.Prepared`` statements, straight on the driver connection of the session's
transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Executable,
    any_,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from procurement.audit import services as audit
from procurement.catalog.models import Product, Tender
from procurement.contracts.models import Contract
from procurement.db import Prepared
from procurement.orders.models import ContractVolume, IdempotencyKey, OrderLine, PurchaseOrder

_V = ContractVolume.__table__
_ORDERS = PurchaseOrder.__table__
_LINES = OrderLine.__table__
_KEYS = IdempotencyKey.__table__

# What a new order sets; its other columns (confirmed_at, ...) start empty.
ORDER_COLUMNS = (
    "id",
    "number",
    "hospital_id",
    "manufacturer_id",
    "region_code",
    "province_code",
    "status",
    "placed_at",
    "placed_by_user_id",
    "wanted_by",
    "delivery_address",
    "emergency",
    "region_class",
    "confirm_due_at",
    "deliver_due_at",
    "total_amount",
    "currency",
    "updated_at",
    "version",
)
LINE_COLUMNS = tuple(c.name for c in _LINES.c if c.name != "id")
# Order shapes (lines x contracts x keyed) whose statements are kept built: bounded, because a
# client choosing the shape could otherwise fill memory with up to MAX_ORDER_LINES^2 of them.
SHAPES_KEPT = 256
KEY_COLUMNS = tuple(c.name for c in _KEYS.c if c.name != "id")


def _next_order_id(dialect: str):
    if dialect == "postgresql":
        sequence = func.pg_get_serial_sequence(_ORDERS.name, "id")
        return select(func.nextval(sequence)).scalar_subquery()
    return select(func.coalesce(func.max(_ORDERS.c.id), 0) + 1).scalar_subquery()


def read_and_lock(connection: Connection, ids: list[int]) -> list[tuple]:
    """The contracts ``ids`` (sorted) with product, rules and volume row, the volume rows
    locked, and the new order's id in every row. Rows are tuples in ``_read_and_lock``'s column
    order."""
    if connection.dialect.name == "postgresql":
        return _prepared_read_and_lock(connection.dialect).rows(connection, {"ids": ids})
    return list(connection.execute(_read_and_lock("sqlite"), {"ids": ids}))


@functools.cache
def _prepared_read_and_lock(dialect) -> Prepared:
    return Prepared(_read_and_lock("postgresql"), dialect)


@functools.cache
def _read_and_lock(dialect: str):
    """PostgreSQL: ``ids`` is an array (``= ANY``); elsewhere an expanding IN."""
    if dialect == "postgresql":
        match = Contract.id == any_(bindparam("ids", type_=postgresql.ARRAY(BigInteger)))
    else:
        match = Contract.id.in_(bindparam("ids", expanding=True))
    return (
        select(
            Contract.id,
            Contract.hospital_id,
            Contract.manufacturer_id,
            Contract.lot_id,
            Contract.product_id,
            Contract.unit_price,
            Contract.currency,
            Contract.status,
            Contract.period_start,
            Contract.period_end,
            Product.pack_size,
            Tender.rules_snapshot,
            _V.c.agreed,
            _V.c.ordered,
            _next_order_id(dialect).label("order_id"),
        )
        .join(Product, Product.id == Contract.product_id)
        .join(Tender, Tender.id == Contract.tender_id)
        .join(_V, _V.c.contract_id == Contract.id)
        .where(match)
        .order_by(Contract.id)
        .with_for_update(of=_V)
    )


def next_order_id(connection: Connection) -> int:
    """The new order's id alone (an order of off-contract lines only)."""
    return connection.execute(select(_next_order_id(connection.dialect.name))).scalar_one()


def _named(table, columns: tuple[str, ...], prefix: str) -> dict[str, Any]:
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in columns}


def _volume_update(j: int):
    return (
        update(_V)
        .where(_V.c.contract_id == bindparam(f"v{j}_cid"))
        .values(
            ordered=_V.c.ordered + bindparam(f"v{j}_q"),
            beyond_agreed=_V.c.beyond_agreed + bindparam(f"v{j}_beyond"),
            updated_at=bindparam("at"),
        )
    )


def _key_claim(dialect: str):
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        upsert(_KEYS)
        .values(_named(_KEYS, KEY_COLUMNS, "k_"))
        .on_conflict_do_nothing(index_elements=["org_id", "key"])
        .returning(_KEYS.c.id)
    )


@functools.lru_cache(maxsize=SHAPES_KEPT)
def _writes(dialect: str, lines: int, contracts: int, keyed: bool) -> tuple[Executable, ...]:
    """The write statements, the key claim (when ``keyed``) last."""
    out: list[Executable] = [_volume_update(j) for j in range(contracts)]
    out.append(insert(_ORDERS).values(_named(_ORDERS, ORDER_COLUMNS, "o_")))
    # One single-row INSERT per line: a multi-row VALUES statement is never cached.
    out.extend(insert(_LINES).values(_named(_LINES, LINE_COLUMNS, f"l{i}_")) for i in range(lines))
    if keyed:
        out.append(_key_claim(dialect))
    return tuple(out)


@functools.lru_cache(maxsize=SHAPES_KEPT)
def _combined(dialect, lines: int, contracts: int, keyed: bool) -> Prepared:
    """PostgreSQL: every write and the audit event in one statement. Its one row holds the
    key's id (NULL: the key was taken by an earlier request; 1 when no key was sent) and the
    audit event's seq (NULL: the organization's chain has no head yet)."""
    *writes, last = _writes("postgresql", lines, contracts, keyed)
    ctes = [w.cte(f"w{n}") for n, w in enumerate(writes)]
    if keyed:
        claimed = select(last.cte("claimed").c.id).scalar_subquery()
    else:
        ctes.append(last.cte("wlast"))
        claimed = literal(1)
    logged = select(audit.append_cte().c.seq).scalar_subquery()
    return Prepared(select(claimed, logged).add_cte(*ctes), dialect)


@dataclass(frozen=True)
class Written:
    claimed: bool  # False: the Idempotency-Key was already claimed (the caller rolls back)
    audited: bool  # False: the caller still records the audit event


def write(
    connection: Connection,
    *,
    order: Mapping[str, Any],
    lines: list[Mapping[str, Any]],
    volumes: list[tuple[int, int, int]],
    key: Mapping[str, Any] | None,
    at: Any,
    event: Mapping[str, Any],
) -> Written:
    """Write an order, and on PostgreSQL its audit event (``event``: ``audit.append_params``)
    in the same statement. ``volumes``: (contract id, quantity added, of which beyond
    agreed)."""
    params = dict(_params(order, lines, volumes, key), at=at)
    shape = (len(lines), len(volumes), key is not None)
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement = _combined(connection.dialect, *shape)
        claimed, seq = statement.rows(connection, {**params, **event})[0]
        return Written(claimed is not None, seq is not None)
    result = None
    for statement, names in _writes_one_by_one(connection.dialect, *shape):
        result = connection.execute(statement, {name: params[name] for name in names})
    return Written(key is None or result.first() is not None, audited=False)


@functools.lru_cache(maxsize=SHAPES_KEPT)
def _writes_one_by_one(dialect, lines: int, contracts: int, keyed: bool):
    """``_writes`` with the parameters each statement binds. Each is given only its own: an
    INSERT handed every line's parameters compiles against all of them, once per line (an
    order of n lines would cost n^2)."""
    return tuple(
        (statement, tuple(statement.compile(dialect=dialect).params))
        for statement in _writes(dialect.name, lines, contracts, keyed)
    )


def _params(order, lines, volumes, key) -> Iterator[tuple[str, Any]]:
    yield from ((f"o_{name}", order[name]) for name in ORDER_COLUMNS)
    for i, line in enumerate(lines):
        yield from ((f"l{i}_{name}", line[name]) for name in LINE_COLUMNS)
    for j, (contract_id, quantity, beyond) in enumerate(volumes):
        yield from ((f"v{j}_cid", contract_id), (f"v{j}_q", quantity), (f"v{j}_beyond", beyond))
    if key is not None:
        yield from ((f"k_{name}", key[name]) for name in KEY_COLUMNS)
