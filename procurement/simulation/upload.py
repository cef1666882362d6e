"""A file of historical bids (CSV/XLSX) for the what-if rules, and its simulation. Pure.

The columns are the platform's own bid export (``bidding/export.py``: a re-uploaded export
simulates as it is) plus three lot figures the export lacks: ``reported_demand`` (the lot's
confirmed demand, smallest units), ``reference_unit_price`` (the price savings are measured
against) and ``dosage_class`` (for the absolute floor, e.g. ``oral_solid``). Lot figures repeat
on each row of the lot and must agree.

A bid is ranked by its ``comparable_price`` when given, else its ``unit_price``, else
``price_per_pack / pack_size``: the file has no strengths, so that price is both the ranked and
the paid one, per smallest unit at the lot's representative strength. Without hospitals or
regions the allocation is one pooled demand (split granularity) under the winners' capacities
and the rules' share limits, solved by the award's optimizer; a bid without a capacity is taken
to hold the whole lot.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from procurement.award.allocation import AllocationProblem, Hospital, Winner
from procurement.award.selection import BidInput, LotBids, SelectionResult, select_winners
from procurement.award.volumes import agreed_volume, volume_ratio
from procurement.catalog.rules import RulesSet
from procurement.catalog.tabular import CellError, CellParser, TableError, read_table
from procurement.core.money import round_unit_price
from procurement.simulation.engine import LotResult, lot_result

REQUIRED = ("lot_code", "manufacturer_name", "ceiling_unit_price")
OPTIONAL = (
    "generic_name",
    "bid_id",
    "manufacturer_code",
    "approval_number",
    "strength",
    "pack_size",
    "price_per_pack",
    "unit_price",
    "comparable_price",
    "capacity",
    "regions",
    "validity",
    "invalid_reason",
    "rank",
    "revival_opt_in",
    "submitted_at",
    "digest",
    "reported_demand",
    "reference_unit_price",
    "dosage_class",
)
LOT_FIGURES = ("generic_name", "ceiling_unit_price", "reported_demand", "reference_unit_price")
POOL = "pool"  # the one pooled demand of an uploaded lot
MAX_CODE = 20  # characters of a lot code (as the catalog's)


@dataclass(frozen=True)
class UploadedBid:
    row: int
    bidder: str
    name: str
    product: str
    price: str | None  # per smallest unit at the representative strength; None: void
    capacity: int | None
    opt_in: bool
    invalid_reason: str | None


@dataclass(frozen=True)
class UploadedLot:
    code: str
    name: str
    ceiling: str
    reference_price: str | None
    demand: int
    dosage_class: str
    bids: tuple[UploadedBid, ...]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UploadedLot:
        bids = tuple(UploadedBid(**b) for b in data["bids"])
        return cls(**{**data, "bids": bids})


def read_bids(filename: str, data: bytes) -> list[UploadedLot]:
    """The upload's lots and bids; a TableError lists every bad cell (nothing is kept)."""
    table = read_table(filename, data, required=REQUIRED, optional=OPTIONAL)
    lots: dict[str, dict[str, Any]] = {}
    errors: list[CellError] = []
    for number, cells in table.rows:
        p = CellParser(number, cells)
        code = p.text("lot_code")
        if len(code) > MAX_CODE:
            p.fail("lot_code", f"at most {MAX_CODE} characters")
        figures = _lot_figures(p)
        bid = _bid(p, number)
        errors += p.errors
        if p.errors:
            continue
        lot = lots.setdefault(code, {"figures": figures, "row": number, "bids": []})
        for column, value in figures.items():
            if lot["figures"][column] != value:
                errors.append(
                    CellError(number, column, f"differs from row {lot['row']} of lot {code}")
                )
        lot["bids"].append(bid)
    if errors:
        raise TableError(errors)
    if not lots:
        raise TableError([CellError(2, "lot_code", "the file has no bids")])
    return [_lot(code, lot) for code, lot in sorted(lots.items())]


def _lot(code: str, lot: dict[str, Any]) -> UploadedLot:
    f = lot["figures"]
    return UploadedLot(
        code=code,
        name=f["generic_name"],
        ceiling=f["ceiling_unit_price"],
        reference_price=f["reference_unit_price"],
        demand=f["reported_demand"],
        dosage_class=f["dosage_class"],
        bids=tuple(lot["bids"]),
    )


def _positive(p: CellParser, column: str) -> Decimal | None:
    if not p.cells.get(column):
        return None
    value = p.decimal(column)
    if value is not None and value <= 0:
        p.fail(column, f"{value} is not a positive price")
        return None
    return value


def _lot_figures(p: CellParser) -> dict[str, Any]:
    ceiling = _positive(p, "ceiling_unit_price")
    if not p.cells.get("ceiling_unit_price"):
        p.fail("ceiling_unit_price", "is required")
    reference = _positive(p, "reference_unit_price")
    return {
        "generic_name": p.text("generic_name", required=False),
        "ceiling_unit_price": None if ceiling is None else str(ceiling),
        "reference_unit_price": None if reference is None else str(reference),
        "reported_demand": p.integer("reported_demand", default=0),
        "dosage_class": p.text("dosage_class", required=False),
    }


def _price(p: CellParser) -> Decimal | None:
    for column in ("comparable_price", "unit_price"):
        value = _positive(p, column)
        if value is not None:
            return value
    pack, size = _positive(p, "price_per_pack"), p.integer("pack_size", minimum=1, default=0)
    if pack is not None and size:
        return round_unit_price(pack / size)
    return None


def _bid(p: CellParser, number: int) -> UploadedBid:
    name = p.text("manufacturer_name")
    price = _price(p)
    capacity = p.integer("capacity", default=-1)
    invalid = p.cells.get("validity", "").lower() == "invalid"
    return UploadedBid(
        row=number,
        bidder=p.cells.get("manufacturer_code") or name,
        name=name,
        product=p.cells.get("approval_number", ""),
        price=None if price is None else str(price),
        capacity=None if capacity is None or capacity < 0 else capacity,
        opt_in=p.boolean("revival_opt_in"),
        invalid_reason=(p.cells.get("invalid_reason") or "invalid in the file")
        if invalid
        else None,
    )


def lot_bids(lot: UploadedLot) -> LotBids:
    """The selection's view of an uploaded lot: every price at strength 1 of reference 1."""
    one = Decimal(1)
    return LotBids(
        lot_id=lot.code,
        ceiling=Decimal(lot.ceiling),
        reference_strength=one,
        dosage_form=lot.dosage_class,
        bids=tuple(
            BidInput(
                bid_id=str(b.row),
                bidder_id=b.bidder,
                unit_price=None if b.price is None else Decimal(b.price),
                strength=one,
                capacity=b.capacity or 0,
                submitted_seq=seq,
                revival_opt_in=b.opt_in,
                invalid_reason=b.invalid_reason,
            )
            for seq, b in enumerate(lot.bids)
        ),
    )


@dataclass(frozen=True)
class UploadPlan:
    lot: UploadedLot
    selection: SelectionResult
    ratio: Decimal | None
    agreed: int
    problem: AllocationProblem | None


def plan_uploaded(lot: UploadedLot, rules: RulesSet) -> UploadPlan:
    """Selection, agreed volume and the pooled allocation problem of an uploaded lot."""
    selection = select_winners(lot_bids(lot), rules)
    if selection.failed or not selection.winners:
        return UploadPlan(lot, selection, None, 0, None)
    n = selection.winner_count
    agreed = agreed_volume(lot.demand, n, rules)
    bids = {str(b.row): b for b in lot.bids}
    winners = []
    for o in selection.winners:
        assert o.award_price is not None
        bid = bids[o.bid_id]
        capacity = agreed if bid.capacity is None else bid.capacity
        winners.append(Winner(o.bid_id, o.award_price, capacity))
    problem = AllocationProblem(
        lot_id=lot.code,
        winners=tuple(winners),
        hospitals=(Hospital(POOL, POOL, agreed),),
        granularity="split",
        min_share=rules.allocation.min_share,
        max_share=rules.allocation.max_share,
    )
    return UploadPlan(lot, selection, volume_ratio(n, rules), agreed, problem)


def uploaded_result(plan: UploadPlan, allocation: Any) -> LotResult:
    lot = plan.lot
    return lot_result(
        code=lot.code,
        name=lot.name,
        selection=plan.selection,
        names={b.bidder: b.name for b in lot.bids},
        ratio=plan.ratio,
        demand=lot.demand,
        agreed=plan.agreed,
        allocation=allocation,
        keys={str(b.row): str(b.row) for b in lot.bids},
        reference_price=None if lot.reference_price is None else Decimal(lot.reference_price),
    )
