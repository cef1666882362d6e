"""Turn HTML form fields (all strings) into the typed values the services take.

Pure: no Flask. Each parser returns ``(values, errors)``; errors are ``{field: [message]}``
in the services' format, so a page shows them next to the same fields.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from procurement.core.clock import business_zone
from procurement.core.messages import N_

TENDER_TEXT = ("code", "name", "category", "rules_preset")
PRODUCT_TEXT = (
    "approval_number",
    "generic_name",
    "trade_name",
    "dosage_form",
    "dosage_class",
    "strength_unit",
    "smallest_unit",
)


class _Form:
    def __init__(self, form: Any) -> None:
        self.form = form
        self.values: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}

    def raw(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def text(self, *names: str) -> None:
        for name in names:
            self.values[name] = self.raw(name)

    def local_time(self, name: str) -> None:
        try:
            # Times typed into a page are wall-clock times in the business time zone.
            typed = datetime.fromisoformat(self.raw(name))
            self.values[name] = typed.replace(tzinfo=business_zone())
        except ValueError:
            self.errors[name] = [N_("a date and time, e.g. 2026-03-01 17:00")]

    def day(self, name: str) -> None:
        try:
            self.values[name] = date.fromisoformat(self.raw(name))
        except ValueError:
            self.errors[name] = [N_("a date, e.g. 2026-03-01")]

    def integer(self, name: str) -> None:
        try:
            self.values[name] = int(self.raw(name))
        except ValueError:
            self.errors[name] = [N_("a whole number")]

    def decimal(self, name: str) -> None:
        try:
            value = Decimal(self.raw(name))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.errors[name] = [N_("a decimal number, e.g. 0.1234")]
        else:
            self.values[name] = value

    def flag(self, name: str) -> None:
        self.values[name] = self.form.get(name) in ("on", "true", "1", "yes")


def tender_from_form(form: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    f = _Form(form)
    f.text(*TENDER_TEXT)
    f.values["region_scope"] = [c.strip() for c in f.raw("region_scope").split(",") if c.strip()]
    for name in ("demand_deadline", "bid_deadline", "opening_at"):
        f.local_time(name)
    f.day("contract_start")
    f.integer("contract_years")
    return f.values, f.errors


def product_from_form(form: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    f = _Form(form)
    f.text(*PRODUCT_TEXT)
    f.values["trade_name"] = f.values["trade_name"] or None
    f.decimal("strength")
    f.integer("pack_size")
    f.day("approval_date")
    f.flag("consistency_evaluated")
    f.flag("originator")
    return f.values, f.errors


def demand_from_form(form: Any, lot_codes: list[str]) -> tuple[list[dict[str, Any]], dict]:
    """One row per lot whose quantity box is filled in (blank rows are not reported)."""
    rows, errors = [], {}
    for code in lot_codes:
        quantity, usage = (form.get(f"{k}_{code}", "").strip() for k in ("quantity", "usage"))
        if not quantity and not usage:
            continue
        row: dict[str, Any] = {"lot_code": code}
        for key, raw in (("quantity", quantity), ("last_year_usage", usage or "0")):
            try:
                row[key] = int(raw.replace(",", ""))
            except ValueError:
                errors[f"{key}_{code}"] = [N_("a whole number")]
        rows.append(row)
    return rows, errors
