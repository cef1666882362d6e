"""Pure order rules: the lifecycle, service levels (RULES.md 4), the within/beyond-agreed split,
pack arithmetic and request fingerprints. Stdlib only; time is passed in."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from procurement.core.money import round_places

# -- lifecycle --------------------------------------------------------------------------------

MOVES: dict[str, tuple[str, ...]] = {
    "placed": ("confirmed", "rejected", "cancelled"),
    "confirmed": ("partly_shipped", "shipped"),
    "partly_shipped": ("partly_shipped", "shipped"),
    "shipped": ("received",),
    "received": ("closed",),
    "closed": (),
    "cancelled": (),
    "rejected": (),
}

ACTIONS = {  # the action a user takes -> the states it is allowed from
    "confirm": ("placed",),
    "reject": ("placed",),
    "cancel": ("placed",),
    "ship": ("confirmed", "partly_shipped"),
    "receive": ("partly_shipped", "shipped"),
    "close": ("received",),
}


def allowed_moves(status: str) -> list[str]:
    return list(MOVES[status])


def action_allowed(action: str, status: str) -> bool:
    return status in ACTIONS[action]


# -- service levels ---------------------------------------------------------------------------

DEFAULT_REMOTE_PROVINCES = ("540000", "630000", "650000")  # Tibet, Qinghai, Xinjiang (platform)


@dataclass(frozen=True)
class ServiceLevels:
    """Hours to confirm and to deliver (RULES.md 4; Shanghai practice). A tender's rules snapshot
    may override them under ``"service_levels"`` with the same keys."""

    confirm_hours: int = 24
    deliver_hours: dict[str, int] = field(
        default_factory=lambda: {"city": 24, "county": 48, "remote": 72}
    )
    emergency_hours: int = 4
    remote_provinces: tuple[str, ...] = DEFAULT_REMOTE_PROVINCES

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any] | None) -> ServiceLevels:
        """The tender's service levels, else the platform defaults."""
        raw = (snapshot or {}).get("service_levels") or {}
        base = cls()
        return cls(
            confirm_hours=int(raw.get("confirm_hours", base.confirm_hours)),
            deliver_hours={**base.deliver_hours, **raw.get("deliver_hours", {})},
            emergency_hours=int(raw.get("emergency_hours", base.emergency_hours)),
            remote_provinces=tuple(raw.get("remote_provinces", base.remote_provinces)),
        )

    def due_times(
        self, placed_at: datetime, region_class: str, emergency: bool
    ) -> tuple[datetime, datetime]:
        """(confirm due, deliver due). Emergency orders: both within the emergency hours."""
        confirm = self.confirm_hours
        deliver = self.deliver_hours[region_class]
        if emergency:
            confirm, deliver = min(confirm, self.emergency_hours), self.emergency_hours
        return placed_at + timedelta(hours=confirm), placed_at + timedelta(hours=deliver)


def region_class(region_code: str, remote_provinces: tuple[str, ...]) -> str:
    """city | county | remote from a GB/T 2260 code (platform rule): a remote province's regions
    are remote; county-level codes 01-20 are city districts (市辖区), 21-99 counties and
    county-level cities; a province or prefecture code (ending 00) counts as city."""
    if region_code[:2] + "0000" in remote_provinces:
        return "remote"
    tail = int(region_code[4:6])
    return "city" if tail == 0 or tail <= 20 else "county"


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Hours from start to end, 2 places (half up)."""
    seconds = Decimal(int((end - start).total_seconds()))
    return round_places(seconds / Decimal(3600), 2)


@dataclass(frozen=True)
class BreachFinding:
    kind: str  # confirm | deliver
    due_at: datetime
    happened_at: datetime | None
    hours_late: Decimal


def find_breach(
    kind: str, due_at: datetime, happened_at: datetime | None, now: datetime
) -> BreachFinding | None:
    """A breach if the step happened after its due time, or has not happened and is overdue."""
    if happened_at is not None:
        if happened_at <= due_at:
            return None
        return BreachFinding(kind, due_at, happened_at, hours_between(due_at, happened_at))
    if now <= due_at:
        return None
    return BreachFinding(kind, due_at, None, hours_between(due_at, now))


# -- volumes and packs ------------------------------------------------------------------------


def split_agreed(remaining: int, quantity: int) -> tuple[int, int]:
    """(within, beyond): what fits into the remaining agreed volume, and the rest."""
    within = min(quantity, max(0, remaining))
    return within, quantity - within


def packs_to_units(packs: int, pack_size: int) -> int:
    return packs * pack_size


# -- idempotency ------------------------------------------------------------------------------


def fingerprint(scope: str, body: Any) -> str:
    """SHA-256 of the scope and the canonical JSON of the request body."""
    text = json.dumps([scope, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
