"""The OCDS bids section (the bid statistics and details extension) of a lot's opened bids,
shared by the change feed and the red flags (which read it as Cardinal does).

Only opened bids ever reach it: callers select ``Bid.opened_at IS NOT NULL``, and before the
opening no bid has a price in the clear. A bid's ``value`` is its comparable unit price (CNY per
smallest unit at the lot's reference strength), the price the lot is ranked by; its status is
``valid`` or ``disqualified`` by the opening's validity check, or ``withdrawn``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procurement.bidding.models import Bid, BidStatus, Validity
from procurement.catalog.models import Lot
from procurement.compliance.ocds_feed import rfc3339

BID_STATUS = {Validity.VALID: "valid", Validity.INVALID: "disqualified", None: "pending"}


def bid_detail(bid: Bid, *, names: bool = False) -> dict[str, Any]:
    """One opened bid; ``names`` adds the tenderer's name (the feed's parties need it)."""
    tenderer: dict[str, Any] = {"id": f"org-{bid.manufacturer_id}"}
    if names:
        tenderer["name"] = bid.manufacturer.name
    detail: dict[str, Any] = {
        "id": bid.reference,
        "status": "withdrawn" if bid.status == BidStatus.WITHDRAWN else BID_STATUS[bid.validity],
        "tenderers": [tenderer],
    }
    if bid.comparable_price is not None and bid.status != BidStatus.WITHDRAWN:
        detail["value"] = {"amount": bid.comparable_price, "currency": bid.lot.currency}
    return detail


def bids_section(lot: Lot, bids: list[Bid], date: datetime) -> dict[str, Any]:
    """The lot's opened bids: each bid's details and the statistics of the opening."""
    details = [dict(bid_detail(b, names=True), date=rfc3339(b.submitted_at)) for b in bids]
    valid = [b.comparable_price for b in bids if b.validity == Validity.VALID]
    valid = [price for price in valid if price is not None]
    counts = {
        "bids": len(bids),
        "validBids": len(valid),
        "bidders": len({b.manufacturer_id for b in bids}),
        "disqualifiedBidders": len(
            {b.manufacturer_id for b in bids if b.validity == Validity.INVALID}
        ),
    }
    when = rfc3339(date)
    statistics: list[dict[str, Any]] = [
        {"id": measure, "measure": measure, "value": value, "date": when}
        for measure, value in counts.items()
    ]
    if valid:
        statistics += [
            {"id": m, "measure": m, "value": v, "currency": lot.currency, "date": when}
            for m, v in (("lowestValidBidValue", min(valid)), ("highestValidBidValue", max(valid)))
        ]
    return {"statistics": statistics, "details": details}
