"""A tender's rules: its preset with per-tender overrides of every section, validated per field.

Overrides name a field as ``"<section>.<field>"`` (``"compliance.on_track_factor"``,
``"settlement.payment_deadline_days"``, ``"selection.win_multiple"``), or by its bare name where
only one section has it (``"win_multiple"``, ``"advance_ratio"``); a section may also be given
as a mapping (``{"service_levels": {"confirm_hours": 12}}``). ``payment_deadline_days`` is in
both compliance and settlement, so its bare name is refused as ambiguous.
"""

from __future__ import annotations

import dataclasses
from decimal import InvalidOperation
from typing import Any

from procurement.catalog import rules as rules_sets
from procurement.catalog import rules_sections as sections
from procurement.catalog.errors import (
    RulesOverridesNotValid,
    UnknownRulesFields,
    UnknownRulesPreset,
)
from procurement.catalog.services.common import fail_fields
from procurement.core.messages import N_, Message

PREFIX = "rules_overrides."
AWARD_GROUPS = {
    name: {f.name for f in dataclasses.fields(group)}
    for name, group in (
        ("selection", rules_sets.SelectionRules),
        ("volume", rules_sets.VolumeRules),
        ("allocation", rules_sets.AllocationRules),
        ("demand", rules_sets.DemandRules),
        ("trace", rules_sets.TraceRules),
    )
}
SECTION_NAMES = (*AWARD_GROUPS, *sections.SECTIONS)


def _owners(name: str) -> list[str]:
    return [g for g, names in AWARD_GROUPS.items() if name in names] + sections.owners(name)


def canonical(overrides: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, list]]:
    """``({"<section>.<field>": value}, errors)`` from the overrides as a client wrote them."""
    out: dict[str, Any] = {}
    errors: dict[str, list] = {}
    for key, value in (overrides or {}).items():
        if key in SECTION_NAMES and isinstance(value, dict):
            pairs = [(f"{key}.{name}", f"{key}.{name}", v) for name, v in value.items()]
        else:
            pairs = [(key, key, value)]
        for given, dotted, raw in pairs:
            section, _, name = dotted.rpartition(".")
            if section:
                known = name in (AWARD_GROUPS.get(section) or sections.SECTIONS.get(section) or {})
                if not known:
                    errors[PREFIX + given] = [N_("unknown rules field")]
                    continue
                out[dotted] = raw
                continue
            owners = _owners(name)
            if not owners:
                errors[PREFIX + given] = [N_("unknown rules field")]
            elif len(owners) > 1:
                errors[PREFIX + given] = [
                    Message(
                        "in more than one section: name it {choices}",
                        choices=" / ".join(f"{o}.{name}" for o in owners),
                    )
                ]
            else:
                out[f"{owners[0]}.{name}"] = raw
    return out, errors


def _award_error(data: dict[str, Any]) -> str | None:
    try:
        rules_sets.RulesSet.from_dict(data)
    except (ValueError, TypeError, InvalidOperation, ArithmeticError) as exc:
        return str(exc) or "invalid value"
    return None


def build_rules(preset: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The JSON rules set of a preset with per-tender overrides (RULES.md), validated.

    Every section is whole in the result (defaults filled in): what a tender freezes."""
    if preset not in rules_sets.PRESETS:
        known = ", ".join(sorted(rules_sets.PRESETS))
        raise UnknownRulesPreset(
            errors={"rules_preset": [Message("unknown preset; known: {known}", known=known)]},
            preset=preset,
            known=known,
        )
    values, unknown = canonical(overrides)
    fail_fields(UnknownRulesFields, unknown)
    data: dict[str, Any] = {**rules_sets.preset(preset).to_dict(), **sections.defaults(preset)}
    errors: dict[str, list] = {}
    for dotted, raw in values.items():
        section, _, name = dotted.partition(".")
        if section in sections.SECTIONS:
            try:
                sections.apply(data, section, name, raw)
            except sections.Refused as refused:
                errors[PREFIX + dotted] = [refused.message]
            continue
        trial = {**data, section: {**data[section], name: raw}}
        problem = _award_error(trial)
        if problem is None:
            data = trial
        else:
            errors[PREFIX + dotted] = [problem]
    if not errors:
        errors = {PREFIX + k: [v] for k, v in sections.cross_checks(data).items()}
    fail_fields(RulesOverridesNotValid, errors)
    award = rules_sets.RulesSet.from_dict(data).to_dict()
    return {**award, **{name: data[name] for name in sections.SECTIONS}}


def rules_view(preset: str) -> dict[str, dict[str, Any]]:
    """Per section and field, the preset's value (what applies without an override)."""
    if preset not in rules_sets.PRESETS:
        preset = rules_sets.DEFAULT_PRESET
    return {**rules_sets.preset(preset).to_dict(), **sections.defaults(preset)}
