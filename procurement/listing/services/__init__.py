"""Use cases of the listing area."""

from procurement.listing.services.listings import (
    active_listings_query,
    get_listing,
    search_listings,
)
from procurement.listing.services.records import evaluate
from procurement.listing.services.requests import (
    approve_request,
    file_listing_request,
    get_request,
    list_requests,
    reject_request,
    requests_query,
)

__all__ = [
    "active_listings_query",
    "approve_request",
    "evaluate",
    "file_listing_request",
    "get_listing",
    "get_request",
    "list_requests",
    "reject_request",
    "requests_query",
    "search_listings",
]
