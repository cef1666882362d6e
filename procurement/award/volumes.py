"""Agreed volumes and contract periods by number of winners (RULES.md section 3). Pure.

One rounding rule: `agreed = round_half_up(confirmed_demand x ratio)` in whole smallest units,
per hospital and lot (`procurement.core.money.round_quantity`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from procurement.catalog.rules import RulesSet, VolumeRules
from procurement.core.money import round_quantity


def _rules(rules: RulesSet | VolumeRules) -> VolumeRules:
    return rules.volume if isinstance(rules, RulesSet) else rules


def _pick(table: tuple[Decimal, ...] | tuple[int, ...], winners: int) -> Decimal | int:
    if winners < 1:
        raise ValueError("a lot without winners has failed: it has no agreed volume or contract")
    return table[min(winners, len(table)) - 1]


def volume_ratio(
    winner_count: int, rules: RulesSet | VolumeRules, *, restricted_antimicrobial: bool = False
) -> Decimal:
    """Share of reported demand that becomes agreed volume (revived winners count)."""
    vr = _rules(rules)
    table = vr.restricted_antimicrobial_ratios if restricted_antimicrobial else vr.standard_ratios
    return Decimal(_pick(table, winner_count))


def agreed_volume(
    confirmed_demand: int,
    winner_count: int,
    rules: RulesSet | VolumeRules,
    *,
    restricted_antimicrobial: bool = False,
) -> int:
    """round_half_up(confirmed demand x ratio), in whole smallest units."""
    if not isinstance(confirmed_demand, int) or confirmed_demand < 0:
        raise ValueError("confirmed demand must be a non-negative int of smallest units")
    ratio = volume_ratio(winner_count, rules, restricted_antimicrobial=restricted_antimicrobial)
    return round_quantity(Decimal(confirmed_demand) * ratio)


def agreed_volumes(
    demands: Mapping[str, int],
    winner_count: int,
    rules: RulesSet | VolumeRules,
    *,
    restricted_antimicrobial: bool = False,
) -> dict[str, int]:
    """Agreed volume per hospital id for one lot, in sorted id order."""
    return {
        hospital: agreed_volume(
            demands[hospital],
            winner_count,
            rules,
            restricted_antimicrobial=restricted_antimicrobial,
        )
        for hospital in sorted(demands)
    }


def contract_years(winner_count: int, rules: RulesSet | VolumeRules) -> int:
    """Contract period in years for a lot with this many winners (1/1/2/3 by default)."""
    return int(_pick(_rules(rules).contract_years_table, winner_count))
