"""The rows placing writes for a new order: its lines split within/beyond each contract's
remaining agreed volume, the purchase_orders row and the order_lines rows (column name to
value; a column left out takes its default, see ``placing_sql``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from procurement.auth.actor import Actor
from procurement.auth.models import province_of
from procurement.core.money import line_total, round_amount
from procurement.orders import rules
from procurement.orders.models import OrderStatus
from procurement.orders.services import placing_sql as sql
from procurement.orders.services.common import new_number

if TYPE_CHECKING:
    from procurement.orders.services.placing import Buyer, OrderRequest


@dataclass
class PricedLine:
    """An order line priced from its contract (or at the hospital's off-contract price)."""

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

    @property
    def quantity(self) -> int:
        return rules.packs_to_units(self.packs, self.pack_size)

    @property
    def amount(self) -> Decimal:
        return line_total(self.quantity, self.unit_price)


def split_volumes(lines: list[PricedLine]) -> list[sql.VolumeChange]:
    """Split each contract line within/beyond the remaining agreed volume, read from the locked
    volume row (concurrent orders of a contract wait on that lock, so none books the same
    remaining volume twice). Returns what the order adds to each contract's volume row."""
    booked: dict[int, list[int]] = {}  # contract id -> [remaining, quantity, beyond]
    for line in lines:
        if line.contract_id is None:
            line.within, line.beyond = 0, line.quantity
            continue
        entry = booked.setdefault(line.contract_id, [line.remaining, 0, 0])
        line.within, line.beyond = rules.split_agreed(entry[0] - entry[1], line.quantity)
        entry[1] += line.quantity
        entry[2] += line.beyond
    return [
        sql.VolumeChange(contract_id, quantity, beyond)
        for contract_id, (_, quantity, beyond) in sorted(booked.items())
    ]


def new_order(
    order_id: int,
    request: OrderRequest,
    lines: list[PricedLine],
    now: datetime,
    actor: Actor,
    buyer: Buyer,
) -> sql.NewOrder:
    """The order's row, its lines' rows and its volume changes. A column left out of a row
    takes its default (``placing_sql`` writes every column)."""
    amounts = [line.amount for line in lines]
    volumes = split_volumes(lines)
    row = _order_row(order_id, request, lines[0], sum(amounts, Decimal(0)), now, actor, buyer)
    return sql.NewOrder(row, _line_rows(order_id, lines, amounts), volumes)


def _order_row(
    order_id: int,
    request: OrderRequest,
    first: PricedLine,
    total: Decimal,
    now: datetime,
    actor: Actor,
    buyer: Buyer,
) -> dict[str, Any]:
    levels = rules.ServiceLevels.from_snapshot(first.snapshot)
    region_class = rules.region_class(buyer.region_code, levels.remote_provinces)
    confirm_due, deliver_due = levels.due_times(now, region_class, request.emergency)
    return dict(
        id=order_id,
        number=new_number("PO", now),
        status=OrderStatus.PLACED,
        hospital_id=buyer.id,
        manufacturer_id=first.manufacturer_id,
        region_code=buyer.region_code,
        province_code=province_of(buyer.region_code),
        region_class=region_class,
        placed_at=now,
        placed_by_user_id=actor.user_id,
        placed_by_org_id=buyer.placed_by_org_id,
        wanted_by=request.wanted_by,
        delivery_address=buyer.address,
        emergency=request.emergency,
        confirm_due_at=confirm_due,
        deliver_due_at=deliver_due,
        total_amount=round_amount(total),
        currency=first.currency,
        updated_at=now,
    )


def _line_rows(
    order_id: int, lines: list[PricedLine], amounts: list[Decimal]
) -> list[dict[str, Any]]:
    return [
        dict(
            order_id=order_id,
            line_no=n,
            contract_id=line.contract_id,
            lot_id=line.lot_id,
            product_id=line.product_id,
            manufacturer_id=line.manufacturer_id,
            packs=line.packs,
            pack_size=line.pack_size,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=amount,
            currency=line.currency,
            within_agreed_quantity=line.within,
            beyond_agreed_quantity=line.beyond,
            off_contract=line.contract_id is None,
        )
        for n, (line, amount) in enumerate(zip(lines, amounts, strict=True), start=1)
    ]
