"""Award rules sets (RULES.md sections 1-3): every number is a field, never a constant in code.

A tender snapshots a `RulesSet` as JSON (`to_dict`) when it leaves draft and reads it back with
`from_dict`. Presets follow RULES.md 2.8; `preset(name, **overrides)` overrides any field by its
(unique) name. Also the price helpers of RULES.md 1: comparable unit price and price cut.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, localcontext
from typing import Any

from procurement.core.messages import N_
from procurement.core.money import round_ratio, round_unit_price, to_decimal

MAX_WINNERS_BATCH10: tuple[int, ...] = (1, 2, 2, 3, 3, 3, 4, 5, 6, 6, 7, 8, 8, 9, 9, 10)
MAX_WINNERS_BATCH9: tuple[int, ...] = (1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 9, 10, 10, 10, 10)
ANCHOR_MODES = ("lowest", "half_mean_or_lowest")
GRANULARITIES = ("single", "region", "split")
SOLVERS = ("highs", "cbc")
COST_BASES = ("comparable", "own")
FLOOR_MODES = ("off", "refuse", "reason")
DEFAULT_PRESET = "national-2024"


def _decimals(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


@dataclass(frozen=True)
class SelectionRules:
    """Winner selection (RULES.md 1-2)."""

    price_ratio_factor: Decimal = Decimal("1.7")
    max_winners_table: tuple[int, ...] = MAX_WINNERS_BATCH10  # index N-1; last entry for larger N
    anchor_mode: str = "lowest"
    win_multiple: Decimal = Decimal("1.8")
    absolute_floors: tuple[tuple[str, Decimal], ...] = (("oral_solid", Decimal("0.10")),)
    cut_rule: bool = False
    cut_threshold: Decimal = Decimal("0.5")
    revival: bool = True
    accept_above_ceiling: bool = False
    # Related bidders (RULES.md 10): a group under common control counts once in N and only its
    # best-ranked valid bid per lot stands.
    related_bidders: bool = True
    # Who may bid (RULES.md 1): a product approved after this cut-off date (ISO, e.g.
    # "2025-06-30"; empty = the business date of the tender's bid deadline) is not eligible.
    approval_cutoff: str = ""
    # Cost disclosure (RULES.md 10): a bid whose comparable price is below
    # cost_disclosure_ratio x anchor files a cost breakdown within cost_disclosure_days of
    # opening; when cost_disclosure_required, a missing breakdown voids the win.
    cost_disclosure: bool = False
    cost_disclosure_ratio: Decimal = Decimal("1")
    cost_disclosure_days: int = 5
    cost_disclosure_required: bool = True

    def __post_init__(self) -> None:
        if self.anchor_mode not in ANCHOR_MODES:
            raise ValueError(f"anchor_mode must be one of {ANCHOR_MODES}, got {self.anchor_mode!r}")
        if not self.max_winners_table or min(self.max_winners_table) < 1:
            raise ValueError("max_winners_table needs at least one entry, all >= 1")
        if self.approval_cutoff:
            date.fromisoformat(self.approval_cutoff)  # a ValueError names the bad date

    def max_winners(self, declared: int) -> int:
        """Shortlist size for `declared` bidders (N counts every declared bidder)."""
        if declared <= 0:
            return 0
        table = self.max_winners_table
        return table[min(declared, len(table)) - 1]

    def floor_for(self, dosage_form: str) -> Decimal | None:
        """Absolute price floor under which a shortlisted bid always wins, if any."""
        return dict(self.absolute_floors).get(dosage_form)


@dataclass(frozen=True)
class VolumeRules:
    """Agreed volume ratios and contract years by number of winners (RULES.md 3).

    Each table is indexed by winners-1; its last entry applies to any larger number."""

    standard_ratios: tuple[Decimal, ...] = _decimals("0.5", "0.6", "0.7", "0.8")
    restricted_antimicrobial_ratios: tuple[Decimal, ...] = _decimals("0.3", "0.4", "0.5", "0.5")
    contract_years_table: tuple[int, ...] = (1, 1, 2, 3)


@dataclass(frozen=True)
class AllocationRules:
    """Allocation optimizer settings (DESIGN.md 5, RULES.md 3 supply regions).

    The solver defaults to HiGHS (DESIGN.md 5: bundled CBC is unreliable at scale)."""

    granularity: str = "region"
    min_share: Decimal = Decimal("0")
    max_share: Decimal = Decimal("1")
    every_winner_gets_a_region: bool = True
    solver: str = "highs"
    time_limit_s: int = 60
    mip_gap: Decimal = Decimal("0.0001")
    # The price the allocation compares winners by (RULES.md 3): "comparable" (the ranking's
    # price) or "own" (each winner's own unit price). Spend is always at the own price.
    cost_basis: str = "comparable"

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {GRANULARITIES}")
        if self.cost_basis not in COST_BASES:
            raise ValueError(f"cost_basis must be one of {COST_BASES}")
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}")
        if not (0 <= self.min_share <= 1 and 0 < self.max_share <= 1):
            raise ValueError("shares must satisfy 0 <= min_share <= 1 and 0 < max_share <= 1")


@dataclass(frozen=True)
class DemandRules:
    """Demand reporting (RULES.md 10, batch 11): by brand, and the demand floor.

    ``floor_mode``: "off"; "refuse" (a report below ``floor_share`` x the hospital's average
    annual usage over the previous ``floor_years`` years is refused with the figure it must
    reach); "reason" (accepted only with a reason the regulator confirms)."""

    brand_reporting: bool = False
    floor_share: Decimal = Decimal("0.8")
    floor_mode: str = "off"
    floor_years: int = 2

    def __post_init__(self) -> None:
        if self.floor_mode not in FLOOR_MODES:
            raise ValueError(f"floor_mode must be one of {FLOOR_MODES}")
        if not 0 <= self.floor_share <= 1:
            raise ValueError("floor_share must be between 0 and 1")
        if self.floor_years < 1:
            raise ValueError("floor_years must be at least 1")


@dataclass(frozen=True)
class TraceRules:
    """Traceability codes (RULES.md 11).

    ``require_trace_codes``: the fund settles only accepted packages whose codes were scanned
    at receipt, for receipts accepted on or after ``trace_codes_from`` (national: 2025-07-01).
    ``receive_without_code``: a hospital may accept packages it could not scan, each with a
    reason (the quantity is then held, not paid, while codes are required).
    ``expiry_alert_days``: days before expiry at which stock on hand is flagged (180 and 90, as
    in e-Aushadhi)."""

    require_trace_codes: bool = True
    trace_codes_from: str = "2025-07-01"
    receive_without_code: bool = False
    expiry_alert_days: tuple[int, ...] = (180, 90)

    def __post_init__(self) -> None:
        try:
            date.fromisoformat(self.trace_codes_from)
        except (TypeError, ValueError):
            raise ValueError(N_("a date such as 2025-07-01")) from None
        if not self.expiry_alert_days or min(self.expiry_alert_days) < 1:
            raise ValueError(N_("at least one number of days, each at least 1, e.g. 180, 90"))

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any] | None) -> TraceRules:
        """The ``trace`` group of a tender's frozen rules (defaults where it has none)."""
        rules: TraceRules = _group_from_dict(cls, (snapshot or {}).get("trace") or {})
        return rules

    def codes_required(self, accepted_on: date) -> bool:
        return self.require_trace_codes and accepted_on >= date.fromisoformat(self.trace_codes_from)


@dataclass(frozen=True)
class RulesSet:
    """One versioned rules set: what a tender freezes when it leaves draft."""

    name: str = DEFAULT_PRESET
    selection: SelectionRules = field(default_factory=SelectionRules)
    volume: VolumeRules = field(default_factory=VolumeRules)
    allocation: AllocationRules = field(default_factory=AllocationRules)
    demand: DemandRules = field(default_factory=DemandRules)
    trace: TraceRules = field(default_factory=TraceRules)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: Decimals as strings, tuples as lists, floors as a mapping."""
        return {
            "name": self.name,
            "selection": _group_to_dict(self.selection),
            "volume": _group_to_dict(self.volume),
            "allocation": _group_to_dict(self.allocation),
            "demand": _group_to_dict(self.demand),
            "trace": _group_to_dict(self.trace),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RulesSet:
        """Inverse of `to_dict`; missing fields take the defaults of this code version."""
        return cls(
            name=str(data.get("name", DEFAULT_PRESET)),
            selection=_group_from_dict(SelectionRules, data.get("selection", {})),
            volume=_group_from_dict(VolumeRules, data.get("volume", {})),
            allocation=_group_from_dict(AllocationRules, data.get("allocation", {})),
            demand=_group_from_dict(DemandRules, data.get("demand", {})),
            trace=_group_from_dict(TraceRules, data.get("trace", {})),
        )


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    return value


def _group_to_dict(group: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(group):
        value = getattr(group, f.name)
        if f.name == "absolute_floors":
            out[f.name] = {form: str(amount) for form, amount in value}
        else:
            out[f.name] = _json_value(value)
    return out


def _field_value(default: Any, raw: Any, name: str) -> Any:
    if name == "absolute_floors":
        items = raw.items() if isinstance(raw, dict) else raw
        return tuple(sorted((str(k), to_decimal(v)) for k, v in items))
    if isinstance(default, Decimal):
        return to_decimal(raw)
    if isinstance(default, tuple):
        if default and isinstance(default[0], Decimal):
            return tuple(to_decimal(v) for v in raw)
        try:
            return tuple(int(v) for v in raw)
        except (TypeError, ValueError):
            raise ValueError(N_("whole numbers, e.g. 180, 90")) from None
    if isinstance(default, bool):
        if not isinstance(raw, bool):  # bool("false") would be True
            raise ValueError(N_("true or false"))
        return raw
    if isinstance(default, int):
        return int(raw)
    return raw


def _group_from_dict(cls: type[Any], data: dict[str, Any]) -> Any:
    defaults = cls()
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown {cls.__name__} fields: {sorted(unknown)}")
    values = {k: _field_value(getattr(defaults, k), v, k) for k, v in data.items()}
    return cls(**values)


def _national_2024() -> RulesSet:
    return RulesSet(name="national-2024")


PRESETS: dict[str, RulesSet] = {
    "national-2021": RulesSet(
        name="national-2021",
        selection=SelectionRules(
            max_winners_table=MAX_WINNERS_BATCH9,
            cut_rule=True,
            revival=False,
            accept_above_ceiling=True,
        ),
    ),
    "national-2024": _national_2024(),
    "national-2025": RulesSet(
        name="national-2025",
        selection=SelectionRules(anchor_mode="half_mean_or_lowest", cost_disclosure=True),
        demand=DemandRules(brand_reporting=True, floor_mode="refuse"),
    ),
}


def preset(name: str = DEFAULT_PRESET, **overrides: Any) -> RulesSet:
    """A preset with fields overridden by name, e.g. `preset("national-2024", cut_rule=True)`."""
    if name not in PRESETS:
        raise ValueError(f"unknown rules preset {name!r}; known: {sorted(PRESETS)}")
    base = PRESETS[name]
    groups: dict[str, dict[str, Any]] = {g: {} for g in GROUPS}
    for key, value in overrides.items():
        owner = next((g for g in groups if key in _field_names(getattr(base, g))), None)
        if owner is None:
            raise ValueError(f"unknown rules field {key!r}")
        groups[owner][key] = value
    return dataclasses.replace(
        base, **{g: dataclasses.replace(getattr(base, g), **v) for g, v in groups.items() if v}
    )


GROUPS = ("selection", "volume", "allocation", "demand", "trace")


def _field_names(group: Any) -> set[str]:
    return {f.name for f in dataclasses.fields(group)}


def _strength_multiplier(ratio: Decimal, factor: Decimal) -> Decimal:
    """factor ** log2(ratio), exact for powers of two, else Decimal ln/exp at 40 digits.

    No float is involved: the non-power-of-two case uses Decimal's correctly rounded ln and exp
    at 40 significant digits, far beyond the 4 places the result is rounded to."""
    exponent = _exact_log2(ratio)
    if exponent is not None:
        return factor**exponent  # Decimal ** negative int is exact division by a power
    with localcontext(Context(prec=40)):
        return (factor.ln() * ratio.ln() / Decimal(2).ln()).exp()


def _exact_log2(ratio: Decimal) -> int | None:
    num, den = ratio.as_integer_ratio()
    if num > 0 and num & (num - 1) == 0 and den & (den - 1) == 0:
        return num.bit_length() - den.bit_length()
    return None


def comparable_unit_price(
    unit_price: Decimal, strength: Decimal, reference_strength: Decimal, factor: Decimal
) -> Decimal:
    """Unit price converted to the representative strength (差比价), 4 places half up.

    `comparable = unit_price / factor ** log2(strength / reference_strength)`."""
    if strength <= 0 or reference_strength <= 0:
        raise ValueError("strengths must be positive")
    ratio = strength / reference_strength
    with localcontext(Context(prec=40)):
        value = unit_price / _strength_multiplier(ratio, factor)
    return round_unit_price(value)


def price_from_comparable(
    comparable: Decimal, strength: Decimal, reference_strength: Decimal, factor: Decimal
) -> Decimal:
    """Inverse of `comparable_unit_price` (for revival prices on another strength)."""
    with localcontext(Context(prec=40)):
        value = comparable * _strength_multiplier(strength / reference_strength, factor)
    return round_unit_price(value)


def price_cut(comparable: Decimal, ceiling: Decimal) -> Decimal:
    """Price cut (降幅) = 1 - comparable / ceiling, rounded to 4 places half up."""
    if ceiling <= 0:
        raise ValueError("ceiling must be positive")
    return round_ratio(Decimal(1) - comparable / ceiling)
