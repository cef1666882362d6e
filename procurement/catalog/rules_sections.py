"""The rules sections a tender freezes besides the award groups (RULES.md 4-8): compliance
(thresholds, year-end scheme, credit), settlement (advance, payment deadline) and service levels.

Pure: each field has a kind, a default (its JSON form, what the platform defaults are today)
and named limits. ``resolve`` checks a tender's overrides of these sections and returns the
whole sections, defaults filled in, so the frozen snapshot never moves with a later code change.
The compliance, settlement and orders areas read them back (``compliance.rules.from_snapshot``,
``SettlementRules.from_snapshot``, ``ServiceLevels.from_snapshot``); a test pins the defaults here
to theirs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from procurement.core.messages import N_, Message

MAX_DEADLINE_DAYS = 180  # a payment deadline or window longer than half a year is a typo
MAX_CREDIT_WINDOW_DAYS = 3 * 365  # credit points count in a rolling window of at most 3 years
MAX_SERVICE_HOURS = 720  # confirming or delivering takes at most 30 days
MAX_PRICE_WINDOW_DAYS = 366  # price outliers are judged over at most a year of deliveries
MAX_CHECKS_FROM_MONTH = 12  # "at risk" checks start within the contract year
MAX_CREDIT_POINTS = 100  # points of one credit event
MAX_CREDIT_THRESHOLD = 1000  # points for a credit level
MAX_LIST_NAMES = 660  # a pharmacy list's generic names (Hunan's pilot list, RULES.md 12)
MAX_GRADE_SCORE = Decimal("100")  # year-end scores are out of 100
SCORE_TOTAL = Decimal("100")  # the year-end score weights add up to 100
SCHEMES = ("grades", "tiers")
CREDIT_KINDS = (
    "late_delivery",
    "order_rejected_or_unconfirmed",
    "region_unsupplied_7d",
    "gave_up_win",
)
REGION_CLASSES = ("city", "county", "remote")


class Refused(ValueError):
    """One field's value is refused; ``message`` says why (a Message or an N_ string)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Field:
    default: Any
    check: Callable[[Any], Any]  # raw JSON value -> canonical JSON value, or raises Refused


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise Refused(N_("a decimal number, e.g. 0.8"))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise Refused(N_("a decimal number, e.g. 0.8"))
    return value


def _whole(raw: Any) -> int:
    if isinstance(raw, bool):
        raise Refused(N_("a whole number"))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    raise Refused(N_("a whole number"))


def _ratio_value(raw: Any) -> Decimal:
    value = _decimal(raw)
    if not 0 <= value <= 1:
        raise Refused(N_("a ratio from 0 to 1"))
    return value


def ratio(raw: Any) -> str:
    return str(_ratio_value(raw))


def bounded(low: int, high: int, name: str) -> Callable[[Any], int]:
    """A whole number from ``low`` to ``high`` (the limit named ``name``)."""

    def check(raw: Any) -> int:
        value = _whole(raw)
        if not low <= value <= high:
            raise Refused(Message("from {low} to {high} ({name})", low=low, high=high, name=name))
        return value

    return check


def hours_or_zero(raw: Any) -> str:
    value = _decimal(raw)
    if not 0 <= value <= MAX_SERVICE_HOURS:
        raise Refused(Message("from 0 to {high} (MAX_SERVICE_HOURS)", high=MAX_SERVICE_HOURS))
    return str(value)


def flag(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise Refused(N_("true or false"))
    return raw


def scheme(raw: Any) -> str:
    if raw not in SCHEMES:
        raise Refused(N_("one of: grades, tiers"))
    return raw


def _rows(raw: Any, width: int, example: str) -> list[list[Any]]:
    if (
        not isinstance(raw, list)
        or not raw
        or any(not isinstance(row, list | tuple) or len(row) != width for row in raw)
    ):
        raise Refused(Message("a list of rows like {example}", example=example))
    return [list(row) for row in raw]


def grades(raw: Any) -> list[list[str]]:
    """Rows (grade, minimum score, retention ratio), scores strictly descending (RULES.md 7)."""
    out = []
    for name, score, share in _rows(raw, 3, '[["A", "80", "0.5"]]'):
        if not isinstance(name, str) or not name.strip() or _is_number(name):
            raise Refused(N_("each grade needs a name such as A"))
        low = _decimal(score)
        if not 0 <= low <= MAX_GRADE_SCORE:
            raise Refused(N_("minimum scores from 0 to 100"))
        out.append([name.strip(), str(low), str(_ratio_value(share))])
    scores = [Decimal(row[1]) for row in out]
    if any(a <= b for a, b in itertools.pairwise(scores)):
        raise Refused(N_("grades best first: minimum scores strictly descending"))
    return out


def tiers(raw: Any) -> list[list[str]]:
    """Rows (upper bound of the savings rate band, share retained), bounds strictly ascending."""
    rows = _rows(raw, 2, '[["0.05", "1"]]')
    out = [[str(_ratio_value(top)), str(_ratio_value(share))] for top, share in rows]
    bounds = [Decimal(row[0]) for row in out]
    if any(a >= b for a, b in itertools.pairwise(bounds)):
        raise Refused(N_("tiers lowest first: upper bounds strictly ascending"))
    return out


def weights(raw: Any) -> list[str]:
    """Three score weights (completion, payment, use), each >= 0, adding up to 100."""
    if not isinstance(raw, list) or len(raw) != 3:
        raise Refused(N_("three weights, e.g. [60, 20, 20]"))
    values = [_decimal(v) for v in raw]
    if min(values) < 0 or sum(values) != SCORE_TOTAL:
        raise Refused(N_("three weights of at least 0 adding up to 100"))
    return [str(v) for v in values]


def credit_points(raw: Any) -> dict[str, int]:
    """Points per credit event kind (RULES.md 8); kinds left out keep the platform's."""
    if not isinstance(raw, dict) or set(raw) - set(CREDIT_KINDS):
        raise Refused(Message("points by kind: {kinds}", kinds=", ".join(CREDIT_KINDS)))
    check = bounded(0, MAX_CREDIT_POINTS, "MAX_CREDIT_POINTS")
    return {kind: check(points) for kind, points in raw.items()}


def credit_thresholds(raw: Any) -> list[int]:
    """Points for dishonest, seriously, especially seriously: strictly ascending."""
    if not isinstance(raw, list) or len(raw) != 3:
        raise Refused(N_("three thresholds, e.g. [10, 20, 40]"))
    check = bounded(1, MAX_CREDIT_THRESHOLD, "MAX_CREDIT_THRESHOLD")
    values = [check(v) for v in raw]
    if not values[0] < values[1] < values[2]:
        raise Refused(N_("thresholds strictly ascending"))
    return values


def deliver_hours(raw: Any) -> dict[str, int]:
    """Delivery hours per region class; classes left out keep the preset's."""
    if not isinstance(raw, dict) or set(raw) - set(REGION_CLASSES):
        raise Refused(N_("hours by region class: city, county, remote"))
    check = bounded(1, MAX_SERVICE_HOURS, "MAX_SERVICE_HOURS")
    return {key: check(value) for key, value in raw.items()}


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


DAYS = bounded(1, MAX_DEADLINE_DAYS, "MAX_DEADLINE_DAYS")
HOURS = bounded(1, MAX_SERVICE_HOURS, "MAX_SERVICE_HOURS")

SECTIONS: dict[str, dict[str, Field]] = {
    "compliance": {  # RULES.md 6-8
        "on_track_factor": Field("0.8", ratio),
        "at_risk_factor": Field("0.5", ratio),
        "checks_from_month": Field(3, bounded(0, MAX_CHECKS_FROM_MONTH, "MAX_CHECKS_FROM_MONTH")),
        "non_winning_max_share": Field("0.5", ratio),
        "payment_deadline_days": Field(30, DAYS),
        "fund_payment_ratio": Field("0.7", ratio),
        "retention_scheme": Field("grades", scheme),
        "grades": Field([["A", "80", "0.5"], ["B", "70", "0.4"], ["C", "60", "0.3"]], grades),
        "require_full_completion": Field(True, flag),
        "score_weights": Field(["60", "20", "20"], weights),
        "tiers": Field([["0.05", "1"], ["0.10", "0.7"], ["0.15", "0.3"]], tiers),
        "credit_points": Field(dict(zip(CREDIT_KINDS, (1, 3, 10, 20), strict=True)), credit_points),
        "credit_thresholds": Field([10, 20, 40], credit_thresholds),
        "credit_window_days": Field(
            365, bounded(1, MAX_CREDIT_WINDOW_DAYS, "MAX_CREDIT_WINDOW_DAYS")
        ),
        "late_delivery_min_hours": Field("0", hours_or_zero),
        "price_outlier_margin": Field("0.30", ratio),
        "price_window_days": Field(90, bounded(1, MAX_PRICE_WINDOW_DAYS, "MAX_PRICE_WINDOW_DAYS")),
    },
    "settlement": {  # RULES.md 5
        "advance_ratio": Field("0.30", ratio),
        "payment_deadline_days": Field(30, DAYS),
        # RULES.md 11: monthly reconciliation before the fund pays, its window, and whether
        # silence confirms at the deadline. RULES.md calls reconciliation a platform default;
        # here it is off by default and on in the national-2025 preset (``PRESET_SECTIONS``):
        # with it on, the fund pays a line only once its month was issued, confirmed (by both
        # sides or by silence at the deadline) and invoiced, so turning it on for every tender
        # would leave older tenders' deliveries unpaid until their month is over and invoiced.
        # A tender of another preset turns it on with ``settlement.reconciliation``.
        "reconciliation": Field(False, flag),
        "reconciliation_days": Field(10, DAYS),
        "reconciliation_auto_confirm": Field(True, flag),
    },
    "service_levels": {  # RULES.md 4
        "confirm_hours": Field(24, HOURS),
        "deliver_hours": Field({"city": 24, "county": 48, "remote": 72}, deliver_hours),
        "emergency_hours": Field(4, HOURS),
    },
    "pharmacy": {  # RULES.md 12: pharmacies join VBP (进药店)
        "min_generic_names_store": Field(50, bounded(1, MAX_LIST_NAMES, "MAX_LIST_NAMES")),
        "min_generic_names_chain": Field(60, bounded(1, MAX_LIST_NAMES, "MAX_LIST_NAMES")),
        "pharmacy_markup": Field("0", ratio),
    },
}
MERGED = ("credit_points", "deliver_hours")  # a partial mapping keeps the other keys
# What a rules preset sets apart from the platform defaults of these sections (by preset name,
# ``catalog.rules.PRESETS``): national-2025 follows the 2025 direct-settlement flow, monthly
# reconciliation before the fund pays (RULES.md 5 and 11).
PRESET_SECTIONS: dict[str, dict[str, dict[str, Any]]] = {
    "national-2025": {"settlement": {"reconciliation": True}},
}


def defaults(preset: str | None = None) -> dict[str, dict[str, Any]]:
    """Every section with the platform defaults, or the named preset's (a fresh copy)."""
    found = {
        name: {key: _copy(spec.default) for key, spec in fields.items()}
        for name, fields in SECTIONS.items()
    }
    for section, values in PRESET_SECTIONS.get(preset or "", {}).items():
        found[section].update(_copy(values))
    return found


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def owners(name: str) -> list[str]:
    """The sections with a field of that name."""
    return [section for section, fields in SECTIONS.items() if name in fields]


def apply(sections: dict[str, dict[str, Any]], section: str, name: str, raw: Any) -> Any:
    """Check one override and set it into ``sections``; raises Refused."""
    value = SECTIONS[section][name].check(raw)
    if name in MERGED:
        value = {**sections[section][name], **value}
    sections[section][name] = value
    return value


def cross_checks(sections: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Checks between fields: {"<section>.<field>": message}."""
    compliance = sections["compliance"]
    errors: dict[str, Any] = {}
    if Decimal(compliance["at_risk_factor"]) > Decimal(compliance["on_track_factor"]):
        errors["compliance.at_risk_factor"] = N_("at most the on-track factor")
    return errors
