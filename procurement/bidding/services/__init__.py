"""Bidding use cases. One public function per use case; each changing one commits once.

Services never read the app config: the caller passes the ``Sealer`` built from it.
"""

from procurement.bidding.services.bans import (
    add_ban,
    create_ban,
    get_ban,
    lift_ban,
    list_bans,
    update_ban,
)
from procurement.bidding.services.costs import (
    bid_cost_disclosure,
    due_cost_disclosures,
    file_cost_breakdown,
    get_cost_breakdown,
    tender_cost_disclosures,
)
from procurement.bidding.services.groups import (
    GroupChoices,
    GroupOnLot,
    add_member,
    create_group,
    get_group,
    group_choices,
    groups_by_lot,
    groups_query,
    list_groups,
    name_bidder,
    remove_member,
    unname_bidder,
)
from procurement.bidding.services.keys import rotate_seal_key
from procurement.bidding.services.opening import LotOpening, OpeningResult, open_bids
from procurement.bidding.services.reading import (
    BidSummary,
    LotSummary,
    Receipt,
    Verification,
    bid_receipt,
    bid_summary,
    get_bid,
    list_lot_bids,
    my_bids,
    opened_bids,
    verify_bid,
)
from procurement.bidding.services.submission import (
    Submitted,
    amend_bid,
    submit_bid,
    withdraw_bid,
)

__all__ = [
    "BidSummary",
    "GroupChoices",
    "GroupOnLot",
    "LotOpening",
    "LotSummary",
    "OpeningResult",
    "Receipt",
    "Submitted",
    "Verification",
    "add_ban",
    "add_member",
    "amend_bid",
    "bid_cost_disclosure",
    "bid_receipt",
    "bid_summary",
    "create_ban",
    "create_group",
    "due_cost_disclosures",
    "file_cost_breakdown",
    "get_ban",
    "get_bid",
    "get_cost_breakdown",
    "get_group",
    "group_choices",
    "groups_by_lot",
    "groups_query",
    "lift_ban",
    "list_bans",
    "list_groups",
    "list_lot_bids",
    "my_bids",
    "name_bidder",
    "open_bids",
    "opened_bids",
    "remove_member",
    "rotate_seal_key",
    "submit_bid",
    "tender_cost_disclosures",
    "unname_bidder",
    "update_ban",
    "verify_bid",
    "withdraw_bid",
]
