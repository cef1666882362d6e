"""The problems the listing area refuses requests with: one class per problem type."""

from __future__ import annotations

from procurement.core.errors import N_, Conflict, NotFound, RuleViolation, ValidationFailed


class ListingRequestNotValid(ValidationFailed):
    when = N_("A listing request has fields that are not valid (region, price, evidence).")
    template = N_("Some fields of the listing request are not valid.")


class ListingRequestNotFound(NotFound):
    code = "listing-request-not-found"
    title = N_("Listing request not found")
    when = N_("No listing request has that id, or the user may not see it.")
    template = N_("No listing request with id {request_id}.")


class ListingNotFound(NotFound):
    code = "listing-not-found"
    title = N_("Listing not found")
    when = N_("No active listing has that id.")
    template = N_("No active listing with id {listing_id}.")


class ListingRequestDecided(Conflict):
    code = "listing-request-decided"
    title = N_("Listing request already decided")
    when = N_("A listing request that was approved or rejected is decided again.")
    template = N_("Listing request {request_id} is already {current_status}. Nothing was changed.")


class ListingChecksFailed(RuleViolation):
    code = "listing-checks-failed"
    title = N_("Listing checks failed")
    when = N_("A listing request is approved while one of its checks fails.")
    template = N_(
        "Listing request {request_id} cannot be approved: {failed_count} of its checks fail "
        "(see each check's figures). Reject it, or ask for a new request at an allowed price."
    )


class DecisionReasonRequired(ValidationFailed):
    code = "decision-reason-required"
    title = N_("A reason is required")
    when = N_("A listing request is rejected, or approved with a flagged check, without a reason.")
    template = N_("Give a reason for this decision (at most {limit} characters).")


class ListingRequestPending(Conflict):
    code = "listing-request-pending"
    title = N_("A listing request is already pending")
    when = N_("A second listing request is filed for a product and region with one pending.")
    template = N_(
        "Listing request {request_id} for this product and region is still pending; wait for "
        "the decision."
    )
