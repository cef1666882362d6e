"""Compliance rules (RULES.md 6 and 8): thresholds, status, credit levels. Pure: no Flask, no
SQLAlchemy, no clock. Every number is a field of :class:`ComplianceRules`, read from a tender's
rules snapshot (key ``"compliance"``) when present, else these defaults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from procurement.core.money import round_ratio, to_decimal


class Status(StrEnum):
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AT_RISK = "at_risk"
    ZERO_PURCHASE = "zero_purchase"


class CreditLevel(StrEnum):
    NONE = "none"
    DISHONEST = "dishonest"  # 失信
    SERIOUSLY = "seriously_dishonest"  # 严重失信
    ESPECIALLY = "especially_seriously_dishonest"  # 特别严重失信


LEVEL_ORDER = (
    CreditLevel.NONE,
    CreditLevel.DISHONEST,
    CreditLevel.SERIOUSLY,
    CreditLevel.ESPECIALLY,
)
DEFAULT_POINTS = (
    ("late_delivery", 1),
    ("order_rejected_or_unconfirmed", 3),
    ("region_unsupplied_7d", 10),
    ("gave_up_win", 20),
)


@dataclass(frozen=True)
class ComplianceRules:
    """Monitoring, year-end and credit defaults (RULES.md 6-8)."""

    on_track_factor: Decimal = Decimal("0.8")  # on track if completion >= 0.8 x time progress
    at_risk_factor: Decimal = Decimal("0.5")
    checks_from_month: int = 3  # at risk / zero purchase only after the third month
    non_winning_max_share: Decimal = Decimal("0.5")  # non-winning must not exceed winning
    payment_deadline_days: int = 30
    fund_payment_ratio: Decimal = Decimal("0.7")
    retention_scheme: str = "grades"  # or "tiers"
    # (minimum score, retention ratio), best first; below the last: 0.
    grades: tuple[tuple[str, Decimal, Decimal], ...] = (
        ("A", Decimal("80"), Decimal("0.5")),
        ("B", Decimal("70"), Decimal("0.4")),
        ("C", Decimal("60"), Decimal("0.3")),
    )
    require_full_completion: bool = True
    score_weights: tuple[Decimal, Decimal, Decimal] = (Decimal("60"), Decimal("20"), Decimal("20"))
    # (upper bound of the savings rate band, share retained); above the last: 0.
    tiers: tuple[tuple[Decimal, Decimal], ...] = (
        (Decimal("0.05"), Decimal("1")),
        (Decimal("0.10"), Decimal("0.7")),
        (Decimal("0.15"), Decimal("0.3")),
    )
    credit_points: tuple[tuple[str, int], ...] = DEFAULT_POINTS
    credit_thresholds: tuple[int, int, int] = (10, 20, 40)
    credit_window_days: int = 365
    late_delivery_min_hours: Decimal = Decimal("0")
    # Price monitoring (RULES.md 13): an institution paying more than its province's lowest
    # average unit price for the same product by more than this share is an outlier, judged over
    # the accepted deliveries of the last price_window_days days.
    price_outlier_margin: Decimal = Decimal("0.30")
    price_window_days: int = 90

    def points(self, kind: str) -> int:
        return dict(self.credit_points)[kind]


def from_snapshot(snapshot: dict[str, Any] | None) -> ComplianceRules:
    """The rules of a tender: its snapshot's ``compliance`` group over the defaults."""
    data = (snapshot or {}).get("compliance") or {}
    defaults = ComplianceRules()
    known = {f.name for f in dataclasses.fields(ComplianceRules)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown compliance rules fields: {sorted(unknown)}")
    values = {k: _coerce(getattr(defaults, k), v) for k, v in data.items()}
    rules = dataclasses.replace(defaults, **values)
    if rules.retention_scheme not in ("grades", "tiers"):
        raise ValueError("retention_scheme must be 'grades' or 'tiers'")
    return rules


def _coerce(default: Any, raw: Any) -> Any:
    if isinstance(default, bool):
        return bool(raw)
    if isinstance(default, Decimal):
        return to_decimal(str(raw))
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, tuple):
        if isinstance(raw, dict):
            raw = list(raw.items())
        return tuple(_coerce_item(item) for item in raw)
    return raw


def _coerce_item(item: Any) -> Any:
    if isinstance(item, list | tuple):
        return tuple(_coerce_scalar(v) for v in item)
    return _coerce_scalar(item)


def _coerce_scalar(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and not _numeric(value):
        return value
    return to_decimal(str(value))


def _numeric(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


# --- progress -------------------------------------------------------------------------


def completion(accepted: int, agreed: int) -> Decimal | None:
    """accepted / agreed, not capped (RULES.md 6); None when nothing was agreed."""
    if agreed <= 0:
        return None
    return round_ratio(Decimal(accepted) / Decimal(agreed))


def time_progress(start: date, end: date, today: date) -> Decimal:
    """Days elapsed / days in the contract year (``end`` inclusive), between 0 and 1."""
    total = (end - start).days + 1
    elapsed = min(max((today - start).days, 0), total)
    return round_ratio(Decimal(elapsed) / Decimal(total))


def months_elapsed(start: date, today: date) -> int:
    """Whole months from ``start`` to ``today`` (0 before the first month ends)."""
    months = (today.year - start.year) * 12 + today.month - start.month
    return months - 1 if today.day < start.day else months


def status(
    accepted: int, agreed: int, progress: Decimal, months: int, rules: ComplianceRules
) -> Status:
    """on_track / behind / at_risk / zero_purchase by RULES.md 6 (exact ratios, unrounded)."""
    if agreed <= 0:
        return Status.ON_TRACK
    done = Decimal(accepted) / Decimal(agreed)
    checked = months >= rules.checks_from_month
    if checked and accepted == 0:
        return Status.ZERO_PURCHASE
    if done >= rules.on_track_factor * progress:
        return Status.ON_TRACK
    if checked and done < rules.at_risk_factor * progress:
        return Status.AT_RISK
    return Status.BEHIND


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole rounded to 4 places; None when the whole is zero."""
    if not whole:
        return None
    return round_ratio(Decimal(part) / Decimal(whole))


# --- credit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditPoint:
    occurred_at: datetime
    points: int


@dataclass(frozen=True)
class CreditStanding:
    points: int
    level: CreditLevel
    counted: int = 0
    window_start: datetime | None = None
    events: tuple[CreditPoint, ...] = field(default_factory=tuple)


def level_for(points: int, rules: ComplianceRules) -> CreditLevel:
    """>= 10 dishonest, >= 20 seriously, >= 40 especially seriously (RULES.md 8)."""
    dishonest, seriously, especially = rules.credit_thresholds
    if points >= especially:
        return CreditLevel.ESPECIALLY
    if points >= seriously:
        return CreditLevel.SERIOUSLY
    if points >= dishonest:
        return CreditLevel.DISHONEST
    return CreditLevel.NONE


def standing(
    events: list[CreditPoint],
    now: datetime,
    rules: ComplianceRules,
    repaired_at: datetime | None = None,
) -> CreditStanding:
    """Points of the events in the rolling window ``(now - window, now]`` and the level.
    A credit repair at ``repaired_at`` wipes the events up to it (RULES.md 8: the regulator
    lowers the level after remediation)."""
    start = now - timedelta(days=rules.credit_window_days)
    if repaired_at is not None and repaired_at > start:
        start = repaired_at
    counted = [e for e in events if start < e.occurred_at <= now]
    points = sum(e.points for e in counted)
    return CreditStanding(points, level_for(points, rules), len(counted), start, tuple(counted))


def bars_bidding(level: CreditLevel) -> str | None:
    """'products' for seriously dishonest, 'company' for especially seriously, else None."""
    if level == CreditLevel.ESPECIALLY:
        return "company"
    if level == CreditLevel.SERIOUSLY:
        return "products"
    return None
