"""Red flags of an opened tender, for the regulator and the fund.

The tender's OCDS releases (``ocds_export.releases``: one contracting process per lot, its
``ocid``, with the awards once contracts exist) gain the bids extension here, from the opened
bids only: ``valid`` / ``disqualified`` by the opening's validity check, ``withdrawn``, each
with its tenderer ``org-<id>`` and its comparable unit price (CNY per smallest unit at the
lot's reference strength, the price the lot is ranked by). Cardinal's indicators run over
these releases with its default settings, so quartiles and fences are those of the tender's
lots and bidders; the VBP flags are computed from the same bids. Nothing is computed for a
tender not opened yet: before the opening a bid's price exists only sealed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import Organization
from procurement.auth.roles import OrgKind
from procurement.bidding.models import Bid, BidderGroup, BidStatus
from procurement.catalog.models import Tender
from procurement.catalog.services.common import visible_tender
from procurement.compliance import ocds_export
from procurement.compliance.errors import RedFlagsBeforeOpening
from procurement.compliance.ocds_bids_export import bid_detail
from procurement.compliance.redflags.cardinal import indicators
from procurement.compliance.redflags.flags import Flag, cardinal_flags
from procurement.compliance.redflags.vbp import OpenedBid, RelatedGroup, vbp_flags

__all__ = ["RedFlagReport", "red_flags"]


@dataclass(frozen=True)
class RedFlagReport:
    """A tender's red flags; ``lots`` and ``bidders`` list every lot and opened bidder (code or
    id -> name), flagged or not."""

    tender: Tender
    flags: list[Flag]
    lots: dict[str, str]  # lot code -> generic name
    bidders: dict[int, str]  # manufacturer id -> name

    def of_lot(self, code: str) -> list[Flag]:
        return [f for f in self.flags if code in f.lots]

    def of_bidder(self, bidder_id: int) -> list[Flag]:
        return [f for f in self.flags if bidder_id in f.bidders]

    @property
    def flagged_lots(self) -> int:
        return sum(1 for code in self.lots if self.of_lot(code))


def tender_releases(session: Session, tender: Tender, bids: list[Bid], now: datetime):
    """The tender's OCDS releases with the opened bids (the bids extension)."""
    out = ocds_export.releases(session, tender, now, with_contracts=False)
    by_lot = {ocds_export.ocid_of(tender, lot): lot.id for lot in tender.lots}
    for release in out:
        lot_id = by_lot[release["ocid"]]
        release["bids"] = {"details": [bid_detail(b) for b in bids if b.lot_id == lot_id]}
    return out


def _related_groups(session: Session) -> list[RelatedGroup]:
    """Every related-bidder group with its current members (as the selection counts them)."""
    groups = session.scalars(select(BidderGroup).order_by(BidderGroup.id))
    return [RelatedGroup(g.name, frozenset(m.manufacturer_id for m in g.members)) for g in groups]


def red_flags(session: Session, *, tender_id: int, actor: Actor, now: datetime) -> RedFlagReport:
    """Every red flag of an opened tender (regulator and fund only)."""
    actor.require(OrgKind.REGULATOR, OrgKind.FUND, write=False, action="see red flags")
    tender = visible_tender(session, tender_id, actor)
    if tender.status not in ocds_export.OPENED:
        raise RedFlagsBeforeOpening(tender_id=tender_id)
    bids = list(
        session.scalars(
            select(Bid)
            .where(Bid.tender_id == tender.id, Bid.opened_at.is_not(None))
            .order_by(Bid.lot_id, Bid.id)
        )
    )
    ids = {b.manufacturer_id for b in bids}
    rows = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    )
    names = {org_id: name for org_id, name in rows}
    code_of = {lot.id: lot.code for lot in tender.lots}
    result = indicators(tender_releases(session, tender, bids, now))
    lot_of = {ocds_export.ocid_of(tender, lot): lot.code for lot in tender.lots}
    flags = cardinal_flags(result, lot_of, {f"org-{i}": i for i in ids}, names)
    live = [
        OpenedBid(code_of[b.lot_id], b.manufacturer_id, b.unit_price, b.revival_opt_in)
        for b in bids
        if b.status == BidStatus.SUBMITTED
    ]
    flags += vbp_flags(live, names, _related_groups(session))
    lots = {lot.code: lot.generic_name for lot in tender.lots}
    return RedFlagReport(tender, flags, lots, dict(sorted(names.items(), key=lambda kv: kv[1])))
