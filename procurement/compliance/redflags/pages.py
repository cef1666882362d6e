"""Pages: an opened tender's red flags by lot and by bidder, and one bidder's flags (regulator
and fund). Reached from the regulator's tender page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from procurement.compliance.common_pages import OVERSIGHT, bp
from procurement.compliance.errors import BidderWithoutBids
from procurement.compliance.redflags.flags import Flag, FlagCode
from procurement.compliance.redflags.services import red_flags
from procurement.web.auth import page_actor
from procurement.web.session import get_session, now


@dataclass(frozen=True)
class BidderRow:
    id: int
    name: str
    flags: list[Flag]
    codes: list[FlagCode]


def _report(tender_id: int):
    return red_flags(get_session(), tender_id=tender_id, actor=page_actor(), now=now())


@bp.get("/compliance/tenders/<int:tender_id>/red-flags")
@OVERSIGHT
def red_flags_page(tender_id: int):
    """Every lot with its flags and reasons; every opened bidder with its number of flags."""
    report = _report(tender_id)
    rows = [
        BidderRow(i, name, flags, sorted({f.code for f in flags}, key=list(FlagCode).index))
        for i, name in report.bidders.items()
        for flags in [report.of_bidder(i)]
    ]
    rows.sort(key=lambda row: (-len(row.flags), row.name))  # flagged bidders first
    return render_template(
        "compliance/red_flags.html",
        report=report,
        bidders=rows,
        flagged_lots={code for f in report.flags for code in f.lots},
    )


@bp.get("/compliance/tenders/<int:tender_id>/red-flags/bidders/<int:bidder_id>")
@OVERSIGHT
def red_flags_bidder(tender_id: int, bidder_id: int):
    """One bidder's flags in the tender, with the lots each concerns."""
    report = _report(tender_id)
    if bidder_id not in report.bidders:
        raise BidderWithoutBids(tender_id=tender_id, manufacturer_id=bidder_id)
    return render_template(
        "compliance/red_flags_bidder.html",
        report=report,
        bidder_id=bidder_id,
        flags=report.of_bidder(bidder_id),
    )
