"""The tender lifecycle (DESIGN.md section 2) as data: states, allowed moves, time guards.

Pure: no Flask, no SQLAlchemy. ``catalog.services.transition`` applies it to a tender.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TenderStatus(StrEnum):
    DRAFT = "draft"
    DEMAND_OPEN = "demand_open"
    BIDDING_OPEN = "bidding_open"
    BIDDING_CLOSED = "bidding_closed"
    OPENED = "opened"
    AWARDED = "awarded"
    IN_FORCE = "in_force"
    CLOSED = "closed"


@dataclass(frozen=True)
class Move:
    """One allowed move. ``not_before`` names the tender time attribute the clock must have
    reached (``demand_deadline``, ``bid_deadline``, ``opening_at``), if any."""

    source: TenderStatus
    target: TenderStatus
    action: str
    not_before: str | None = None


S = TenderStatus
MOVES: tuple[Move, ...] = (
    Move(S.DRAFT, S.DEMAND_OPEN, "open demand reporting"),
    Move(S.DEMAND_OPEN, S.BIDDING_OPEN, "open bidding", "demand_deadline"),
    Move(S.BIDDING_OPEN, S.BIDDING_CLOSED, "close bidding", "bid_deadline"),
    Move(S.BIDDING_CLOSED, S.OPENED, "open the bids", "opening_at"),
    Move(S.OPENED, S.AWARDED, "award the tender"),
    Move(S.AWARDED, S.IN_FORCE, "put the contracts in force"),
    Move(S.IN_FORCE, S.CLOSED, "close the tender"),
)

TIME_LABELS = {
    "demand_deadline": "the demand deadline",
    "bid_deadline": "the bid deadline",
    "opening_at": "the opening time",
}


def allowed_next(status: TenderStatus) -> list[TenderStatus]:
    """The states a tender in ``status`` may move to."""
    return [m.target for m in MOVES if m.source == status]


def find_move(source: TenderStatus, target: TenderStatus) -> Move | None:
    return next((m for m in MOVES if m.source == source and m.target == target), None)


# States in which the catalog (tender fields, lots) may still be edited.
EDITABLE = frozenset({S.DRAFT})
# States in which bids are sealed and hospitals' demand is final (after its deadline).
BEFORE_AWARD = frozenset({S.DEMAND_OPEN, S.BIDDING_OPEN, S.BIDDING_CLOSED, S.OPENED})
