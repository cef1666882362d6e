"""Red flags as the regulator reads them: a code, the lots and bidders it is about, its value
and the reason in words (a translatable :class:`Message`). Pure.

Two sources: OCDS Cardinal's indicators (:mod:`.cardinal`) run over the tender's released OCDS
data, one contracting process per lot; and the VBP-specific patterns of :mod:`.vbp`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from procurement.compliance.redflags.cardinal import CardinalResult
from procurement.core.messages import N_, Message
from procurement.core.money import fixed

__all__ = ["Flag", "FlagCode", "cardinal_flags", "percent"]

PERCENT_PLACES = 2  # ratios are shown as percentages to 2 places


class FlagCode(StrEnum):
    R018 = "R018"  # single bid received
    R024 = "R024"  # price close to the winning bid
    R025 = "R025"  # excessive unsuccessful bids
    R028 = "R028"  # identical bid prices
    R035 = "R035"  # all except the winning bid disqualified
    R036 = "R036"  # lowest bid disqualified
    R038 = "R038"  # excessive disqualified bids
    R058 = "R058"  # heavily discounted bid
    SAME_PRICE = "same_price"  # identical unit prices to four places across lots
    REVIVAL = "revival"  # the same bidders opt in to revival lot after lot
    RELATED_GROUP = "related_group"  # two or more members of a related-bidder group bid on a lot


@dataclass(frozen=True)
class Flag:
    """One red flag: ``lots`` (lot codes) and ``bidders`` (manufacturer ids) it concerns."""

    code: FlagCode
    lots: tuple[str, ...]
    bidders: tuple[int, ...]
    value: Decimal | float | None
    reason: Message


def percent(ratio: Decimal | float) -> str:
    """A ratio as a percentage with 2 places (``0.0125`` -> ``1.25 %``)."""
    return f"{fixed(Decimal(str(ratio)) * 100, PERCENT_PLACES)} %"


LOT_REASONS = {
    FlagCode.R018: N_("Lot {lot}: only one bidder submitted a bid in a competitive procedure."),
    FlagCode.R024: N_(
        "Lot {lot}: the second-lowest valid bid is only {difference} above the winning bid, "
        "at or below the lower fence {fence} of this tender's lots ({bidders})."
    ),
    FlagCode.R028: N_("Lot {lot}: different bidders submitted the same price ({bidders})."),
    FlagCode.R035: N_(
        "Lot {lot}: every bid but the winner's ({bidders}) was disqualified: "
        "{count} other bidder(s)."
    ),
    FlagCode.R036: N_(
        "Lot {lot}: the lowest bid was disqualified, while the award is by price only."
    ),
    FlagCode.R058: N_(
        "Lot {lot}: the second-lowest valid bid is {difference} above the winning bid "
        "({bidders}), at or above the upper fence {fence} of this tender's lots."
    ),
}
BIDDER_REASONS = {
    FlagCode.R025: N_(
        "{bidders} won {ratio} of the lots it bid validly on, at or below the lower fence "
        "{fence} among this tender's bidders, while bidding on more lots than most."
    ),
    FlagCode.R038: N_(
        "{bidders} had {ratio} of its bids disqualified, at or above the upper fence {fence} "
        "among this tender's bidders."
    ),
}
FENCES = {"R024": "lower_fence", "R058": "upper_fence", "R025": "lower_fence"}


def _fence(result: CardinalResult, code: str) -> str:
    meta = result.meta.get(code, {})
    key = FENCES.get(code, "Tenderer_upper_fence")
    return percent(meta[key]) if key in meta else "—"


def cardinal_flags(
    result: CardinalResult,
    lot_of: Mapping[str, str],
    bidder_of: Mapping[str, int],
    names: Mapping[int, str],
) -> list[Flag]:
    """Cardinal's OCID and Tenderer results as flags. ``lot_of`` maps an ocid to its lot code,
    ``bidder_of`` a tenderer id to its manufacturer id. A tenderer result derived from a
    flagged process (R024, R028, R035, R058) is that process's flag; R025 and R038 are per
    bidder across the tender. Buyer and procuring-entity results are left out: a tender has
    one buyer, whose fence is its own ratio."""
    out = []
    for ocid, codes in result.results.get("OCID", {}).items():
        for code, value in sorted(codes.items()):
            flagged = sorted(bidder_of[t] for t in result.maps[code].get(ocid, ()))
            params = {
                "lot": lot_of[ocid],
                "bidders": ", ".join(names[b] for b in flagged),
                "difference": percent(value),
                "fence": _fence(result, code),
                "count": int(value),
            }
            reason = Message(LOT_REASONS[FlagCode(code)], **params)
            out.append(Flag(FlagCode(code), (lot_of[ocid],), tuple(flagged), value, reason))
    for tenderer, codes in result.results.get("Tenderer", {}).items():
        for code, value in sorted(codes.items()):
            if code in ("R025", "R038"):
                bidder = bidder_of[tenderer]
                params = {"bidders": names[bidder], "ratio": percent(value)}
                params["fence"] = _fence(result, code)
                reason = Message(BIDDER_REASONS[FlagCode(code)], **params)
                out.append(Flag(FlagCode(code), (), (bidder,), value, reason))
    return out
