"""API: listing requests (a manufacturer files, the regulator approves or rejects) and the
active listings anyone may read."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from procurement.listing import services
from procurement.listing.rules import ListingRules
from procurement.listing.schemas import (
    ListingArgs,
    ListingDecisionSchema,
    ListingRequestArgs,
    ListingRequestInSchema,
    ListingRequestSchema,
    ListingSchema,
)
from procurement.web.api import Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("listing", __name__, description="Listing (挂网) and listing price checks")


def current_rules() -> ListingRules:
    """The platform's listing rules: the defaults with LISTING_RULES' overrides."""
    return ListingRules.from_mapping(current_app.config.get("LISTING_RULES"))


@blp.route("/listing-requests")
class ListingRequests(MethodView):
    @blp.arguments(ListingRequestArgs, location="query")
    @blp.response(200, ListingRequestSchema(many=True))
    def get(self, args):
        """Listing requests: a manufacturer its own, the regulator every one."""
        return services.list_requests(get_session(), actor=api_actor(), **args)

    @blp.arguments(ListingRequestInSchema)
    @blp.response(201, ListingRequestSchema)
    @blp.alt_response(409, response="CONFLICT", success=False)
    def post(self, data):
        """File a listing request for one of your products (its checks run at once)."""
        return services.file_listing_request(
            get_session(), rules=current_rules(), now=now(), actor=api_actor(), **data
        )


@blp.route("/listing-requests/<int:request_id>")
class ListingRequestById(MethodView):
    @blp.response(200, ListingRequestSchema)
    def get(self, request_id):
        """One listing request with its checks (404 when it is not yours to see)."""
        return services.get_request(get_session(), request_id=request_id, actor=api_actor())


@blp.route("/listing-requests/<int:request_id>/approve")
class ListingRequestApprove(MethodView):
    @blp.arguments(ListingDecisionSchema)
    @blp.response(200, ListingRequestSchema)
    @blp.alt_response(409, response="CONFLICT", success=False)
    def post(self, data, request_id):
        """Approve a pending request (the regulator): refused while a check fails; a flagged
        check needs a reason. The listing becomes active."""
        return services.approve_request(
            get_session(),
            request_id=request_id,
            rules=current_rules(),
            now=now(),
            actor=api_actor(),
            **data,
        )


@blp.route("/listing-requests/<int:request_id>/reject")
class ListingRequestReject(MethodView):
    @blp.arguments(ListingDecisionSchema)
    @blp.response(200, ListingRequestSchema)
    @blp.alt_response(409, response="CONFLICT", success=False)
    def post(self, data, request_id):
        """Reject a pending request with a reason (the regulator)."""
        return services.reject_request(
            get_session(),
            request_id=request_id,
            rules=current_rules(),
            now=now(),
            actor=api_actor(),
            **data,
        )


@blp.route("/listings")
class Listings(MethodView):
    @blp.arguments(ListingArgs, location="query")
    @blp.response(200, ListingSchema(many=True))
    @blp.doc(security=[])
    def get(self, args):
        """Active listings (anyone, no login), searched by generic or trade name."""
        return services.search_listings(get_session(), **args)


@blp.route("/listings/<int:listing_id>")
class ListingById(MethodView):
    @blp.response(200, ListingSchema)
    @blp.doc(security=[])
    def get(self, listing_id):
        """One active listing (anyone, no login)."""
        return services.get_listing(get_session(), listing_id=listing_id)
