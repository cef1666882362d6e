"""The statements of order placement (the hot path), run through ``db.backend``.

Two round trips carry an order, whatever its size:

1. ``load``: the ordered contracts with their product, tender rules and volume row, the volume
   rows locked ``FOR UPDATE`` in contract id order, and the new order's id drawn in the same
   statement.
2. ``write``: claim the Idempotency-Key (storing the response), add to the volume counters,
   insert the order and its lines, and append the audit event, as one statement where the
   database allows it (``Backend.write_together``).

An insert sets every column of its table, from a row given as a dict of column values (a
column's default where the row has none): a new column is added to the model and set where
the order is built, nothing here. Each value is a bound parameter named after its place
(``o_number``, ``l1_packs``, ``v0_quantity``), so one statement serves every order of the
same shape (lines x contracts x keyed), compiled once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from procurement.audit import services as audit
from procurement.catalog.models import Product, Tender
from procurement.contracts.models import Contract
from procurement.db.backends import Backend, backend
from procurement.orders.models import ContractVolume, IdempotencyKey, OrderLine, PurchaseOrder

_VOLUMES = ContractVolume.__table__
# Order shapes whose statements are kept built: bounded, because a client choosing the shape
# could otherwise fill memory with up to MAX_ORDER_LINES^2 of them.
SHAPES_KEPT = 256


@dataclass(frozen=True)
class VolumeChange:
    """What an order adds to a contract's volume row."""

    contract_id: int
    quantity: int  # added to ``ordered``
    beyond: int  # of which beyond the agreed volume


@dataclass
class NewOrder:
    """An order as placing writes it: column values of its purchase_orders row and of its
    order_lines rows (``order_id`` and ``line_no`` included), and its volume changes."""

    row: dict[str, Any]
    lines: list[dict[str, Any]]
    volumes: list[VolumeChange]


@dataclass(frozen=True)
class _Rows:
    """Single-row inserts into ``table`` of every column but an auto-numbered ``id``."""

    table: Table
    with_id: bool = False

    @functools.cached_property
    def columns(self) -> tuple[tuple[str, Any], ...]:
        """(name, scalar default or None) of each column an insert sets."""
        return tuple(
            (c.name, c.default.arg if c.default is not None and c.default.is_scalar else None)
            for c in self.table.c
            if self.with_id or c.name != "id"
        )

    def insert(self, prefix: str, using: Any = insert) -> Any:
        """``using``: the INSERT constructor (a backend's, for ON CONFLICT)."""
        types = self.table.c
        return using(self.table).values(
            {name: bindparam(f"{prefix}{name}", type_=types[name].type) for name, _ in self.columns}
        )

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return frozenset(self.table.c.keys())

    def params(self, row: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
        unknown = row.keys() - self.names
        if unknown:
            raise KeyError(f"{self.table.name} has no columns {sorted(unknown)}")
        return ((f"{prefix}{name}", row.get(name, default)) for name, default in self.columns)


_ORDER = _Rows(PurchaseOrder.__table__, with_id=True)  # its id is drawn by ``load``
_LINE = _Rows(OrderLine.__table__)
_KEY = _Rows(IdempotencyKey.__table__)


def load(connection: Connection, contract_ids: list[int]) -> list[Any]:
    """The contracts ``contract_ids`` (sorted), their volume rows locked, one named row each:
    id, hospital_id, manufacturer_id, lot_id, product_id, unit_price, currency, status,
    period_start, period_end, pack_size, rules_snapshot, agreed, ordered and the new order's
    ``order_id``. A contract without a volume row yet is missing."""
    db = backend(connection)
    return db.rows(connection, _load(db), {"ids": contract_ids})


@functools.cache
def _load(db: Backend) -> Any:
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
            _VOLUMES.c.agreed,
            _VOLUMES.c.ordered,
            db.next_id(PurchaseOrder.__table__).label("order_id"),
        )
        .join(Product, Product.id == Contract.product_id)
        .join(Tender, Tender.id == Contract.tender_id)
        .join(_VOLUMES, _VOLUMES.c.contract_id == Contract.id)
        .where(db.one_of(Contract.id, "ids"))
        .order_by(Contract.id)
        .with_for_update(of=_VOLUMES)
    )


def next_order_id(connection: Connection) -> int:
    """The new order's id alone (an order of off-contract lines only)."""
    db = backend(connection)
    return db.rows(connection, _next_order_id(db), {})[0].order_id


@functools.cache
def _next_order_id(db: Backend) -> Any:
    return select(db.next_id(PurchaseOrder.__table__).label("order_id"))


def write(
    connection: Connection,
    *,
    order: NewOrder,
    key: Mapping[str, Any] | None,
    event: Mapping[str, Any],
) -> bool:
    """Write ``order``, claim ``key`` (an idempotency_keys row) and append the audit ``event``
    (``audit.prepare_event``). False when the key was already claimed by an earlier request:
    the caller rolls back and replays that one."""
    db = backend(connection)
    shape = _writes(db, len(order.lines), len(order.volumes), key is not None)
    params = dict(_params(order, key), **event, at=order.row["updated_at"])
    results = db.write_together(connection, (*shape, *audit.event_writes()), params)
    return key is None or results[0] is not None  # the claim runs first


@functools.lru_cache(maxsize=SHAPES_KEPT)
def _writes(db: Backend, lines: int, contracts: int, keyed: bool) -> tuple[Any, ...]:
    """The key claim (when ``keyed``), the volume updates, the order, then one single-row
    INSERT per line (a multi-row VALUES statement is never cached)."""
    out: list[Any] = [_claim(db)] if keyed else []
    out.extend(_volume_update(j) for j in range(contracts))
    out.append(_ORDER.insert("o_"))
    out.extend(_LINE.insert(f"l{i}_") for i in range(lines))
    return tuple(out)


def _claim(db: Backend) -> Any:
    """Claim the Idempotency-Key under the unique (org, key) constraint: its id, or no row
    when an earlier request holds it (a concurrent twin waits here until the first commits)."""
    return (
        _KEY.insert("k_", using=db.insert)
        .on_conflict_do_nothing(index_elements=["org_id", "key"])
        .returning(IdempotencyKey.id)
    )


def _volume_update(j: int) -> Any:
    return (
        update(_VOLUMES)
        .where(_VOLUMES.c.contract_id == bindparam(f"v{j}_contract_id"))
        .values(
            ordered=_VOLUMES.c.ordered + bindparam(f"v{j}_quantity"),
            beyond_agreed=_VOLUMES.c.beyond_agreed + bindparam(f"v{j}_beyond"),
            updated_at=bindparam("at"),
        )
    )


def _params(order: NewOrder, key: Mapping[str, Any] | None) -> Iterator[tuple[str, Any]]:
    if key is not None:
        yield from _KEY.params(key, "k_")
    for j, change in enumerate(order.volumes):
        yield from (
            (f"v{j}_contract_id", change.contract_id),
            (f"v{j}_quantity", change.quantity),
            (f"v{j}_beyond", change.beyond),
        )
    yield from _ORDER.params(order.row, "o_")
    for i, line in enumerate(order.lines):
        yield from _LINE.params(line, f"l{i}_")
