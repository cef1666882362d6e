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

# Brand line boxes a lot's row shows at most (the service's MAX_BRAND_LINES).
MAX_BRAND_SLOTS = 50
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
    """One row per lot whose quantity or usage box, or a brand line, is filled in (blank rows
    are not reported), with its brand lines (``brand_<lot>_<n>_product``/``_quantity``, blank
    slots skipped; ``brand_slots`` keeps each line's slot for the errors) and floor reason."""
    rows, errors = [], {}
    for code in lot_codes:
        quantity, usage = (form.get(f"{k}_{code}", "").strip() for k in ("quantity", "usage"))
        brands = brand_slots(form, code)
        if not quantity and not usage and not any(p or q for p, q in brands):
            continue
        row: dict[str, Any] = {"lot_code": code}
        for key, raw in (("quantity", quantity), ("last_year_usage", usage or "0")):
            row[key] = _whole(raw, f"{key}_{code}", errors)
        for slot, (product, amount) in enumerate(brands):
            if product or amount:
                number = _whole(amount, f"brand_{code}_{slot}_quantity", errors)
                line = {"approval_number": product, "quantity": number}
                row.setdefault("brand_lines", []).append(line)
                row.setdefault("brand_slots", []).append(slot)
        reason = form.get(f"reason_{code}", "").strip()
        if reason:
            row["floor_reason"] = reason
        rows.append(row)
    return rows, errors


def _whole(raw: str, box: str, errors: dict) -> int | None:
    try:
        return int(raw.replace(",", ""))
    except ValueError:
        errors[box] = [N_("a whole number")]
        return None


def brand_slots(form: Any, code: str) -> list[tuple[str, str]]:
    """The brand line boxes of a lot as typed: (approval number, quantity) per slot."""
    count = _slot_count(form.get(f"brand_count_{code}", ""))
    return [
        (
            form.get(f"brand_{code}_{slot}_product", "").strip(),
            form.get(f"brand_{code}_{slot}_quantity", "").strip(),
        )
        for slot in range(count)
    ]


def _slot_count(raw: str) -> int:
    return min(int(raw), MAX_BRAND_SLOTS) if raw.isdigit() else 0
