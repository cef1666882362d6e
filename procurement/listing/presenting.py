"""A stored check's sentence in the reader's language, its region codes named (GB/T 2260)."""

from __future__ import annotations

from typing import Any

from procurement.auth.regions import region_name
from procurement.core.messages import N_, fill, translate

REGION_PARAMS = ("region", "source_region")
ALL_REGIONS = N_("every region")


def region_text(code: str | None) -> str:
    """A province's name, or "every region" for a platform-wide listing."""
    if not code:
        return translate(ALL_REGIONS)
    return region_name(code) or code


def summary(check: dict[str, Any]) -> str:
    """The check's sentence with its figures, translated."""
    params = dict(check.get("params") or {})
    for name in REGION_PARAMS:
        if name in params:
            params[name] = region_text(params[name])
    return fill(check.get("template", ""), params)
