"""Regions as people read them: one filter for every template (``{{ code|region }}``), the
GB/T 2260 name (320000 江苏省, 320102 南京市玄武区); English pages add the code."""

from __future__ import annotations

from flask_babel import get_locale, lazy_pgettext

from procurement.auth.regions import region_name

REGION_CLASS_LABELS = {
    "city": lazy_pgettext("label", "City"),
    "county": lazy_pgettext("label", "County"),
    "remote": lazy_pgettext("label", "Remote area"),
}


def region_label(code: str | None) -> str:
    """The region's name (with its code on English pages); the code if the table lacks it."""
    if not code:
        return "—"
    name = region_name(code)
    if name is None:
        return code
    if str(get_locale()).startswith("zh"):
        return name
    return f"{name} ({code})"


def region_class_label(value: str | None) -> str:
    """city / county / remote, translated (the delivery-cost class of an order's region)."""
    if not value:
        return "—"
    found = REGION_CLASS_LABELS.get(value)
    return str(found) if found is not None else value
