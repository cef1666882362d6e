"""The records the demo year keeps: a hospital's contract line (what it agreed, holds and
has ordered), an order it placed and what became of it, and the year's tally."""

from __future__ import annotations

from dataclasses import dataclass, field

from procurement.demo.world import Org


@dataclass
class Line:
    contract_id: int
    lot_id: int
    agreed: int
    pack: int
    accepted: int = 0
    ordered: int = 0


@dataclass
class Placed:
    order_id: int
    hospital: Org
    supplier: Org
    fate: str = "on_time"  # on_time | late | rejected | unconfirmed | cancelled
    lots: set[int] = field(default_factory=set)
    order: object = None
    shipment_id: int = 0


@dataclass
class YearTally:
    orders: int = 0
    off_contract: int = 0
    rejected: int = 0
    cancelled: int = 0
    late_confirmed: int = 0
    late_shipments: int = 0
    shipments: int = 0
    receipts: int = 0
    rejected_batches: int = 0
    months: list[int] = field(default_factory=list)
