"""The problems the bidding area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.catalog.errors import NotTenderOwner, TooEarly
from procurement.core.errors import (
    N_,
    Conflict,
    NotFound,
    RuleViolation,
    StaleVersion,
    ValidationFailed,
)


class BadBidETag(ValidationFailed):
    when = N_("If-Match does not hold a bid's ETag.")
    template = N_('If-Match must be the bid\'s ETag, e.g. "3".')


class BidFieldsNotNumbers(ValidationFailed):
    when = N_("A bid form holds a price or quantity that is not a number.")
    template = N_("Some fields are not numbers.")


class BanNotValid(ValidationFailed):
    when = N_("A bidding ban is recorded with fields that are not valid.")
    template = N_("The bidding ban cannot be recorded as given.")


class BanNotFound(NotFound):
    code = "ban-not-found"
    title = N_("Ban not found")
    when = N_("No bidding ban has that id.")
    template = N_("No bidding ban with id {ban_id}.")


class BanChangeNotValid(ValidationFailed):
    when = N_("A bidding ban is changed with fields that are not valid.")
    template = N_("The bidding ban cannot be changed as given.")


class BidNotFound(NotFound):
    code = "bid-not-found"
    title = N_("Bid not found")
    when = N_("No bid has that id, or it is not one the user may see.")
    template = N_("There is no such bid, or it is not one you may see.")


class BidsSealed(Conflict):
    code = "bids-sealed"
    title = N_("The bids are sealed")
    when = N_("Bids are read before they are opened.")
    template = N_(
        "The bids of tender {tender_code} are sealed until they are opened "
        "(opening time {opening_at}); only the total number of bids is shown "
        "before that."
    )


class BiddingNotOpen(Conflict):
    code = "bidding-not-open"
    title = N_("Bidding not open")
    when = N_("A bid is submitted before bidding opens.")
    template = N_(
        "Bidding on tender {tender_code} has not opened yet (it is "
        "'{tender_status}'); bids are accepted until {bid_deadline}."
    )


class BidDeadlinePassed(Conflict):
    code = "bid-deadline-passed"
    title = N_("Bid deadline passed")
    when = N_("A bid is submitted, amended or withdrawn after the bid deadline.")
    template = N_(
        "The bid deadline of tender {tender_code} ({bid_deadline}) has passed; "
        "bids can no longer be submitted, amended or withdrawn (it is now {now})."
    )


class BidderBarred(RuleViolation):
    code = "bidder-barred"
    title = N_("Barred from bidding")
    when = N_("The bidder (or its product) is barred from bidding by a ban in force.")
    template = N_("{what} barred from bidding until {until} ({level}: {reason}).")


class BidNotAccepted(ValidationFailed):
    when = N_("A bid breaks the tender's rules (price ceiling, quantity, product, quality).")
    template = N_("The bid was not accepted: {shown}.")


class OpeningTooEarly(TooEarly):
    when = N_("Bids are opened before the opening time.")
    template = N_(
        "The bids of tender {tender_code} can be opened at {opening_at}, not "
        "before (it is now {now})."
    )


class SealKeyMissing(Conflict):
    code = "seal-key-missing"
    title = N_("A bid cannot be unsealed")
    when = N_("A sealed bid cannot be unsealed (its key is missing or wrong).")
    template = N_("Bid {bid_id} cannot be unsealed: {reason}. Nothing was opened.")


class NotBidsOwner(NotTenderOwner):
    when = N_("Someone other than the tender's regulator reads its bids.")
    template = N_("Only the regulator of tender {tender_code} may see its bids.")


class BidExists(Conflict):
    code = "bid-exists"
    title = N_("A bid exists already")
    when = N_("A second bid is submitted on the same lot.")
    template = N_(
        "You already have bid {bid_id} on lot {lot_code}; amend it (PUT "
        "/bids/{bid_id}) or withdraw it first."
    )


class BidExistsOnLot(BidExists):
    when = N_("Two bids on the same lot arrive at the same moment; the second is refused.")
    template = N_("You already have a bid on lot {lot_code}; amend it instead.")


class BidChanged(StaleVersion):
    when = N_("A bid is amended with an If-Match of an older version.")
    template = N_(
        "Bid {bid_id} is at version {current_version}, not {expected}: it "
        "changed since you read it; reload it and send your change again."
    )


class BidWithdrawn(Conflict):
    code = "bid-withdrawn"
    title = N_("Bid withdrawn")
    when = N_("A withdrawn bid is amended.")
    template = N_("Bid {bid_id} was withdrawn; submit a new bid on the lot instead of amending it.")


class BidAlreadyWithdrawn(BidWithdrawn):
    when = N_("A withdrawn bid is withdrawn again.")
    template = N_("Bid {bid_id} is already withdrawn.")


class GroupNotValid(ValidationFailed):
    when = N_("A related-bidder group is recorded or changed with fields that are not valid.")
    template = N_("The related-bidder group cannot be recorded as given.")


class GroupNotFound(NotFound):
    code = "group-not-found"
    title = N_("Group not found")
    when = N_("No related-bidder group has that id, or it is not one the user may see.")
    template = N_("There is no related-bidder group {group_id}, or it is not one you may see.")


class GroupNameTaken(Conflict):
    code = "group-name-taken"
    title = N_("Group name taken")
    when = N_("A related-bidder group is recorded under a name another group has.")
    template = N_("A related-bidder group named {name} exists already.")


class AlreadyInAGroup(Conflict):
    code = "already-in-a-group"
    title = N_("Already in a group")
    when = N_("A manufacturer is added to a group while it belongs to another one.")
    template = N_(
        "{manufacturer} is already in the related-bidder group {group}; remove it there first "
        "(a manufacturer is in at most one group at a time)."
    )


class NotAGroupMember(ValidationFailed):
    when = N_("A group names, or removes, a manufacturer that is not one of its members.")
    template = N_("That manufacturer is not a member of the group {group}.")


class GroupDesignationClosed(Conflict):
    code = "group-designation-closed"
    title = N_("Bids already opened")
    when = N_("A group's bidding member is named or changed after the tender's bids were opened.")
    template = N_(
        "The bids of tender {tender_code} are opened; the member a group names to bid can no "
        "longer change."
    )


class CostCommitmentMissing(ValidationFailed):
    code = "cost-commitment-missing"
    title = N_("Cost commitment missing")
    when = N_("A bid is sent without the bidder's commitment not to quote below cost.")
    template = N_(
        "Every bid carries the bidder's commitment not to quote below cost (batch 11): "
        "confirm it (cost_commitment: true) and send the bid again."
    )


class CostBreakdownNotValid(ValidationFailed):
    code = "cost-breakdown-not-valid"
    title = N_("The cost breakdown is not valid")
    when = N_("A cost breakdown's figures are missing, negative, or do not sum to the unit price.")
    template = N_("The cost breakdown of bid {bid_id} was not filed: {shown}.")


class CostDisclosureOff(Conflict):
    code = "cost-disclosure-off"
    title = N_("No cost disclosure in this tender")
    when = N_("A cost breakdown is filed in a tender whose rules have no cost disclosure.")
    template = N_("Tender {tender_code} does not ask for cost breakdowns (its rules have none).")


class CostBreakdownBeforeOpening(Conflict):
    code = "cost-breakdown-before-opening"
    title = N_("Bids not opened yet")
    when = N_("A cost breakdown is filed or read before the bids are opened.")
    template = N_(
        "Cost breakdowns of tender {tender_code} are filed after its bids are opened "
        "(opening time {opening_at})."
    )


class CostBreakdownTooLate(Conflict):
    code = "cost-breakdown-too-late"
    title = N_("Cost breakdown deadline passed")
    when = N_("A cost breakdown is filed after its deadline.")
    template = N_(
        "The cost breakdown of bid {bid_id} was due by {due_at}; it can no longer be filed "
        "(it is now {now})."
    )


class CostDisclosureNotFound(NotFound):
    code = "cost-disclosure-not-found"
    title = N_("No cost disclosure")
    when = N_("A bid's cost breakdown is read when none was asked for or filed.")
    template = N_("Bid {bid_id} has no cost breakdown: none was asked for or filed.")
