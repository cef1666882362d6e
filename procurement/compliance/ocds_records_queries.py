"""A tender's OCDS record package: one record per lot (its ``ocid``), with every release the
change feed has for it so far, embedded, oldest first (``GET /api/v1/tenders/<id>/ocds/records``).

Public like the feed, from the same releases: a draft tender has none and is not found. The
records carry no compiled release (optional in OCDS): merging needs the extended schema at run
time, and a client's OCDS tools (e.g. ocdskit's compile) do it from these releases."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Tender
from procurement.compliance import ocds_export as ox
from procurement.compliance.errors import PublishedTenderNotFound
from procurement.compliance.ocds_feed import FEED_SETTLE, Publisher
from procurement.compliance.ocds_feed_queries import Scope, changes, releases


def record_package(
    session: Session, *, tender_id: int, now: datetime, publisher: Publisher
) -> dict[str, Any] | None:
    """The tender's lots as records of their releases (anyone, once the tender is published);
    None while the tender has no settled release yet (a package holds one record at least)."""
    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        raise PublishedTenderNotFound(tender_id=tender_id)
    found = changes(session, Scope(now - FEED_SETTLE, tender_id=tender.id))
    if not found:
        return None
    by_ocid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in ox.with_parties(session, releases(session, found, publisher.ocid_prefix)):
        by_ocid[release["ocid"]].append(release)
    ocids = [ox.ocid_of(tender, lot, publisher.ocid_prefix) for lot in tender.lots]
    return publisher.record_package(
        uri=publisher.url(f"/api/v1/tenders/{tender.id}/ocds/records"),
        published=max(c.key.date for c in found),
        records=[{"ocid": o, "releases": by_ocid[o]} for o in ocids if by_ocid[o]],
    )
