"""Active listings: the list anyone may read (published prices), searched by generic name."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from procurement.catalog.models import Product
from procurement.listing.errors import ListingNotFound
from procurement.listing.models import Listing

MAX_SEARCH_CHARS = 100  # characters of a search text that are used


def active_listings_query(q: str | None = None, region_code: str | None = None) -> Select:
    """A select of the active listings (no login needed): ``q`` matches the generic or trade
    name; ``region_code`` keeps that province's listings and the platform-wide ones."""
    query = (
        select(Listing)
        .join(Product, Product.id == Listing.product_id)
        .where(Listing.ended_at.is_(None))
    )
    text = (q or "").strip()[:MAX_SEARCH_CHARS]
    if text:
        like = f"%{text}%"
        query = query.where(or_(Listing.generic_name.ilike(like), Product.trade_name.ilike(like)))
    if region_code:
        query = query.where(or_(Listing.region_code == region_code, Listing.region_code.is_(None)))
    return query


def search_listings(
    session: Session, *, q: str | None = None, region_code: str | None = None
) -> list[Listing]:
    """Active listings by generic name, then price."""
    query = active_listings_query(q, region_code).order_by(
        Listing.generic_name, Listing.unit_price, Listing.id
    )
    return list(session.scalars(query))


def get_listing(session: Session, *, listing_id: int) -> Listing:
    """One active listing (404 for an unknown or ended one)."""
    listing = session.get(Listing, listing_id)
    if listing is None or listing.ended_at is not None:
        raise ListingNotFound(listing_id=listing_id)
    return listing
