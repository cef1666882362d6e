"""The tender's rules form: one input per rules field, by section (a page form's text fields to
and from the overrides the services take). Pure: the services check every value.

An input is named ``rules_overrides.<section>.<field>`` (a mapping field has one input per key,
``...<field>.<key>``), so a refusal's field errors land beside their inputs. An empty input is
no override: the preset's value applies. Lists are typed comma-separated (``10, 20, 40``), rows
of a table separated by semicolons (``A 80 0.5; B 70 0.4``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from procurement.catalog import rules as rules_sets
from procurement.catalog import rules_sections

PREFIX = "rules_overrides."
CHOICES: dict[str, tuple[str, ...]] = {
    "anchor_mode": rules_sets.ANCHOR_MODES,
    "granularity": rules_sets.GRANULARITIES,
    "solver": rules_sets.SOLVERS,
    "cost_basis": rules_sets.COST_BASES,
    "floor_mode": rules_sets.FLOOR_MODES,
    "retention_scheme": rules_sections.SCHEMES,
}
SECTIONS = (
    "compliance",
    "settlement",
    "service_levels",
    "pharmacy",
    "selection",
    "volume",
    "allocation",
    "demand",
    "trace",
)


@dataclass(frozen=True)
class Row:
    """One rules field of the form: its input name, kind, and the preset's value."""

    section: str
    name: str
    kind: str  # flag | choice | value | list | table | mapping
    preset: Any
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{PREFIX}{self.section}.{self.name}"

    @property
    def keys(self) -> tuple[str, ...]:
        """A mapping's keys (one input each)."""
        return tuple(self.preset) if self.kind == "mapping" else ()


def kind_of(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "flag"
    if name in CHOICES:
        return "choice"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "table" if value and isinstance(value[0], list) else "list"
    return "value"


def rows(preset: dict[str, Any]) -> dict[str, list[Row]]:
    """The form's rows by section, from the preset's whole rules (``overrides.rules_view``)."""
    return {
        section: [
            Row(section, name, kind_of(name, value), value, CHOICES.get(name, ()))
            for name, value in preset[section].items()
        ]
        for section in SECTIONS
    }


def text(value: Any) -> str:
    """A rules value as the form shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return " · ".join(f"{k} {text(v)}" for k, v in value.items())
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return "; ".join(" ".join(str(v) for v in row) for row in value)
        return ", ".join(str(v) for v in value)
    return str(value)


def initial(form_rows: dict[str, list[Row]], overrides: dict[str, Any]) -> dict[str, str]:
    """The inputs' text for a tender's overrides (canonical ``section.field`` keys)."""
    values: dict[str, str] = {}
    for row in (row for section in form_rows.values() for row in section):
        given = overrides.get(f"{row.section}.{row.name}")
        if given is None:
            continue
        if row.kind == "mapping" and isinstance(given, dict):
            values.update({f"{row.key}.{k}": text(v) for k, v in given.items()})
        else:
            values[row.key] = text(given)
    return values


def _split(raw: str) -> list[str]:
    return [part for part in re.split(r"[,\s，]+", raw.strip()) if part]


def _typed(raw: str, like: Any) -> Any:
    """An integer where the preset has one (the service refuses what is not), else the text."""
    if isinstance(like, int) and not isinstance(like, bool) and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    return raw


def _parse(row: Row, form: Any) -> Any:
    """The override an input gives, or None when it is empty."""
    if row.kind == "mapping":
        given = {k: (form.get(f"{row.key}.{k}") or "").strip() for k in row.keys}
        out = {k: _typed(v, row.preset[k]) for k, v in given.items() if v}
        return out or None
    raw = (form.get(row.key) or "").strip()
    if not raw:
        return None
    if row.kind == "flag":
        return {"true": True, "false": False}.get(raw, raw)
    if row.kind == "list":
        like = row.preset[0] if row.preset else ""
        return [_typed(part, like) for part in _split(raw)]
    if row.kind == "table":
        return [_split(part) for part in raw.split(";") if part.strip()]
    return _typed(raw, row.preset)


def overrides_from(form_rows: dict[str, list[Row]], form: Any) -> dict[str, Any]:
    """The tender's overrides from the form (canonical keys), empty inputs left out."""
    out: dict[str, Any] = {}
    for row in (row for section in form_rows.values() for row in section):
        value = _parse(row, form)
        if value is not None:
            out[f"{row.section}.{row.name}"] = value
    return out
