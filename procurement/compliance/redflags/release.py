"""Reading OCDS compiled releases the way Cardinal does: a field counts only if it has the
right JSON type (an object, an array, a string, a number that is not a boolean). Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

SUBMITTED_EXCLUDED = ("invited", "withdrawn")  # a bid with another status was submitted


def as_obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def number(value: Any) -> float | Decimal | None:
    """A JSON number (never a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value) if isinstance(value, int) else value


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def cancelled(release: Mapping[str, Any]) -> bool:
    return as_obj(release.get("tender")).get("status") == "cancelled"


def matches_details(release, include: frozenset[str], exclude: frozenset[str]) -> bool:
    details = as_str(as_obj(release.get("tender")).get("procurementMethodDetails"))
    if details is None:
        return not include  # unset matches a deny list only
    return details not in exclude if not include else details in include


def submitted_bids(release: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Pending, valid and disqualified bids (any status string but invited or withdrawn)."""
    details = as_list(as_obj(release.get("bids")).get("details"))
    return [
        bid
        for bid in details
        if isinstance(bid, Mapping)
        and isinstance(bid.get("status"), str)
        and bid["status"] not in SUBMITTED_EXCLUDED
    ]


def final_awards_and_bids(release: Mapping[str, Any]):
    """(active awards, bid details) if every award with a status is final, else None."""
    awards, bids = release.get("awards"), release.get("bids")
    if not (isinstance(awards, list) and isinstance(bids, Mapping)):
        return None
    details = bids.get("details")
    if not isinstance(details, list):
        return None
    active = []
    for award in awards:
        status = as_str(as_obj(award).get("status"))
        if status == "active":
            active.append(award)
        elif status is not None and status not in ("cancelled", "unsuccessful"):
            return None  # pending (or anything else): not final
    return active, details


def single_supplier(active: list[Any]) -> str | None:
    """The supplier id when there is one active award to one supplier (Cardinal #14, #17)."""
    if len(active) != 1:
        return None
    suppliers = active[0].get("suppliers")
    if not isinstance(suppliers, list) or len(suppliers) != 1:
        return None
    return as_str(as_obj(suppliers[0]).get("id"))


def ids(tenderers: list[Any]) -> list[str]:
    return [i for t in tenderers if (i := as_str(as_obj(t).get("id"))) is not None]


def priced(bid: Mapping[str, Any]) -> tuple[float | Decimal, str] | None:
    value = as_obj(bid.get("value"))
    amount, currency = number(value.get("amount")), as_str(value.get("currency"))
    if amount is None or currency is None:
        return None
    return amount, currency


def valid_single_tenderer_bids(details: list[Any]):
    """(tenderer id, amount, currency) of valid bids by exactly one tenderer, with a value."""
    out = []
    for bid in details:
        bid = as_obj(bid)
        tenderers = bid.get("tenderers")
        value = priced(bid)
        if not (isinstance(tenderers, list) and len(tenderers) == 1 and value is not None):
            continue
        tenderer = as_str(as_obj(tenderers[0]).get("id"))
        if tenderer is not None and bid.get("status") == "valid":
            out.append((tenderer, *value))
    return out


def ratio(low: float | Decimal, high: float | Decimal) -> float | Decimal:
    """(high - low) / low; a zero winning bid gives an infinite (or NaN) ratio like f64."""
    if low == 0:
        return math.inf if high > low else math.nan
    return (high - low) / low
