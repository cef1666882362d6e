"""Loading an award's inputs: opened bids and confirmed demand per lot, as the pure modules'
dataclasses, plus the SHA-256 digest over their canonical JSON (same digest, same answer)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.award.errors import AwardRunNotValid, LotsDemandNotConfirmed
from procurement.award.selection import BidInput, GroupInput, LotBids
from procurement.bidding.models import Bid, BidStatus, Validity
from procurement.bidding.services import GroupOnLot, groups_by_lot
from procurement.catalog.models import Lot, Tender
from procurement.catalog.rules import RulesSet
from procurement.catalog.services import BrandPart, ConfirmedDemand, brand_parts, confirmed_demand
from procurement.core.messages import N_, Message

GRANULARITIES = ("single", "region", "split")
FALLBACKS = ("none", "relax_min_share", "reserves", "both")
SOLVERS = ("highs", "cbc")


@dataclass(frozen=True)
class RunOptions:
    """What the regulator may choose for one run; None = the tender's rules snapshot."""

    granularity: str | None = None
    fallback: str = "none"
    solver: str | None = None
    time_limit_s: int | None = None

    def check(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.granularity is not None and self.granularity not in GRANULARITIES:
            errors["granularity"] = [Message("one of {value}", value=", ".join(GRANULARITIES))]
        if self.fallback not in FALLBACKS:
            errors["fallback"] = [Message("one of {value}", value=", ".join(FALLBACKS))]
        if self.solver is not None and self.solver not in SOLVERS:
            errors["solver"] = [Message("one of {value}", value=", ".join(SOLVERS))]
        if self.time_limit_s is not None and not 1 <= self.time_limit_s <= 3600:
            errors["time_limit_s"] = [N_("between 1 and 3600 seconds")]
        if errors:
            shown = "; ".join(f"{k}: {v[0]}" for k, v in errors.items())
            raise AwardRunNotValid(errors=errors, shown=shown)

    def resolved(self, rules: RulesSet) -> dict[str, Any]:
        """The effective options (snapshot defaults filled in), as stored on the run."""
        alloc = rules.allocation
        return {
            "granularity": self.granularity or alloc.granularity,
            "fallback": self.fallback,
            "solver": self.solver or alloc.solver,
            "time_limit_s": self.time_limit_s or alloc.time_limit_s,
            "mip_gap": str(alloc.mip_gap),
            "min_share": str(alloc.min_share),
            "max_share": str(alloc.max_share),
            "cost_basis": alloc.cost_basis,
        }


@dataclass
class LotInputs:
    lot: Lot
    bids: list[Bid]
    demand: list[ConfirmedDemand]
    groups: list[GroupOnLot] = field(default_factory=list)
    brand_parts: list[BrandPart] = field(default_factory=list)
    selection_input: LotBids = field(init=False)

    def __post_init__(self) -> None:
        self.selection_input = lot_bids(self.lot, self.bids, self.groups)


def _group_inputs(bids: list[Bid], groups: list[GroupOnLot]) -> tuple[GroupInput, ...]:
    """The related-bidder groups with a bid on the lot: the membership the selection used."""
    bidders = {b.manufacturer_id for b in bids}
    return tuple(
        GroupInput(
            group_id=str(g.group_id),
            name=g.name,
            members=tuple(
                (str(m), name)
                for m, name in sorted(g.members.items())
                if m in bidders or m == g.named_manufacturer_id
            ),
            named_bidder_id=None
            if g.named_manufacturer_id is None
            else str(g.named_manufacturer_id),
        )
        for g in groups
        if bidders & set(g.members)
    )


def lot_bids(lot: Lot, bids: list[Bid], groups: list[GroupOnLot] | None = None) -> LotBids:
    """The selection module's view of a lot's opened live bids (order of submission) and of
    the related-bidder groups among its bidders."""
    ordered = sorted(bids, key=lambda b: (b.submitted_at, b.id))
    related = _group_inputs(bids, groups or [])
    group_of = {bidder: g.group_id for g in related for bidder, _ in g.members}
    inputs = tuple(
        BidInput(
            bid_id=str(b.id),
            bidder_id=str(b.manufacturer_id),
            unit_price=b.unit_price,
            strength=b.product.strength,
            capacity=b.capacity or 0,
            submitted_seq=seq,
            revival_opt_in=b.revival_opt_in,
            invalid_reason=b.invalid_reason if b.validity == Validity.INVALID else None,
            counts_in_n=b.eligible is not False,
            group_id=group_of.get(str(b.manufacturer_id)),
        )
        for seq, b in enumerate(ordered)
    )
    return LotBids(
        lot_id=str(lot.id),
        ceiling=lot.ceiling_unit_price,
        reference_strength=lot.reference_strength,
        dosage_form=lot.dosage_class.value,
        bids=inputs,
        groups=related,
    )


def load_inputs(session: Session, tender: Tender) -> list[LotInputs]:
    """Every lot's opened live bids and confirmed demand; 409 when a lot is not confirmed."""
    unconfirmed = [lot.code for lot in tender.lots if lot.confirmation is None]
    if unconfirmed:
        raise LotsDemandNotConfirmed(
            lots_shown=", ".join(unconfirmed), tender_code=tender.code, lots=unconfirmed
        )
    bids = session.scalars(
        select(Bid)
        .where(Bid.tender_id == tender.id, Bid.status == BidStatus.SUBMITTED)
        .order_by(Bid.id)
    ).all()
    groups = groups_by_lot(session, tender)
    return [
        LotInputs(
            lot,
            [b for b in bids if b.lot_id == lot.id and b.opened_at is not None],
            confirmed_demand(session, lot_id=lot.id),
            groups[lot.id],
            brand_parts(session, lot_id=lot.id),
        )
        for lot in tender.lots
    ]


def inputs_digest(
    tender: Tender, lots: list[LotInputs], rules: dict[str, Any], options: dict[str, Any]
) -> str:
    """SHA-256 over the canonical JSON of everything the answer depends on."""
    body = {
        "tender": tender.id,
        "contract_years": tender.contract_years,
        "rules": rules,
        "options": options,
        "lots": [_lot_canonical(item) for item in lots],
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _lot_canonical(item: LotInputs) -> dict[str, Any]:
    lot = item.lot
    return {
        "lot": lot.id,
        "ceiling": str(lot.ceiling_unit_price),
        "reference_strength": str(lot.reference_strength),
        "dosage_class": lot.dosage_class.value,
        "antimicrobial": lot.antimicrobial_restricted,
        "bids": [
            {
                "id": b.bid_id,
                "bidder": b.bidder_id,
                "price": None if b.unit_price is None else str(b.unit_price),
                "strength": str(b.strength),
                "capacity": b.capacity,
                "seq": b.submitted_seq,
                "opt_in": b.revival_opt_in,
                "invalid": b.invalid_reason,
                "in_n": b.counts_in_n,
                "group": b.group_id,
            }
            for b in item.selection_input.bids
        ]
        + [{"id": str(b.id), "regions": sorted(b.regions or [])} for b in item.bids],
        "demand": [[d.hospital_id, d.province_code, d.quantity] for d in item.demand],
        "groups": [
            [g.group_id, g.name, [list(m) for m in g.members], g.named_bidder_id]
            for g in item.selection_input.groups
        ],
        "brand_parts": [
            [p.hospital_id, p.product_id, p.quantity, p.report_quantity] for p in item.brand_parts
        ],
    }
