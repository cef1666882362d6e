"""The rule variants of a simulation: each preset and its overrides checked through the
catalog's own rules builder and resolved to a whole rules set, errors keyed by variant."""

from __future__ import annotations

import dataclasses
from typing import Any

from procurement.catalog.services.overrides import build_rules, canonical
from procurement.core.errors import DomainError
from procurement.core.messages import N_, Message
from procurement.simulation.engine import MAX_SIMULATION_VARIANTS, MAX_VARIANT_NAME, variant_label
from procurement.simulation.errors import SimulationVariantsNotValid


@dataclasses.dataclass(frozen=True)
class Variant:
    name: str
    preset: str
    overrides: dict[str, Any]
    rules: dict[str, Any]
    baseline: bool = False


def resolve_variants(specs: list[dict[str, Any]]) -> list[Variant]:
    """Each ``{"name", "preset", "overrides"}`` checked and resolved to its whole rules set;
    every error keyed ``variants.<i>.<field>`` (raises SimulationVariantsNotValid)."""
    errors: dict[str, list] = {}
    if not specs:
        errors["variants"] = [N_("choose at least one preset")]
    if len(specs) > MAX_SIMULATION_VARIANTS:
        errors["variants"] = [
            Message(
                "at most {limit} variants (MAX_SIMULATION_VARIANTS)",
                limit=MAX_SIMULATION_VARIANTS,
            )
        ]
    out = []
    for i, spec in enumerate(specs[:MAX_SIMULATION_VARIANTS]):
        preset, given = spec.get("preset") or "", spec.get("overrides") or {}
        try:
            rules = build_rules(preset, given)
        except DomainError as error:
            for key, messages in (error.errors or {}).items():
                field = "preset" if key == "rules_preset" else key.replace("rules_", "", 1)
                errors[f"variants.{i}.{field}"] = messages
            continue
        overrides = canonical(given)[0]
        name = (spec.get("name") or "").strip()[:MAX_VARIANT_NAME]
        out.append(Variant(name or variant_label(preset, overrides), preset, overrides, rules))
    if errors:
        shown = "; ".join(f"{k}: {v[0]}" for k, v in errors.items())
        raise SimulationVariantsNotValid(errors=errors, shown=shown)
    return out
