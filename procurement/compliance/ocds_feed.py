"""The OCDS change feed's pure parts: the publisher (from settings), the package around a page
of releases, which change of a tender makes which release, and the feed's cursor.

A change is one step of a lot's contracting process (its ``ocid``): a status the tender moved
to (published for demand, bidding opened and closed, bids opened, awarded, contracts in force,
closed) or one payment of the fund that paid the lot's contracts. Each change is one release,
its id ``<ocid>-<change key>`` (``...-opened``, ``...-payment-17``): stable, and unique because
a tender passes each status once and a payment is paid once. The feed lists changes by
``FeedKey`` (date, source, source row id, lot id): a total order that rows arriving later
(dated by the clock, after the settling delay) only ever extend at the end."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

from procurement.catalog.lifecycle import TenderStatus
from procurement.core.clock import as_utc, business_time

OCDS_VERSION = "1.1"
# The bid statistics and details extension, by the URL of its extension.json at the release
# the packages follow (tests/data/ocds_bid_extension-v1.1.5 holds a copy).
BID_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_bid_extension/v1.1.5/extension.json"
)
EXTENSIONS = (BID_EXTENSION,)
# A change is served once it is this old: a transaction that took its date from the clock and
# commits later than a reader's page cannot be passed over (FEED_SETTLE_SECONDS).
FEED_SETTLE = timedelta(seconds=120)

S = TenderStatus
# The release tag and the OCDS tender status of each status a tender moves to (never draft:
# a draft is not published).
STATUS_RELEASES: dict[TenderStatus, tuple[str, str]] = {
    S.DEMAND_OPEN: ("planning", "planned"),
    S.BIDDING_OPEN: ("tender", "active"),
    S.BIDDING_CLOSED: ("tenderUpdate", "active"),
    S.OPENED: ("tenderUpdate", "active"),
    S.AWARDED: ("award", "complete"),
    S.IN_FORCE: ("contract", "complete"),
    S.CLOSED: ("contractUpdate", "complete"),
}
PAYMENT_RELEASE = ("implementation", "complete")


def rfc3339(instant: datetime) -> str:
    """An instant as RFC 3339 with the business time zone's offset (``...T10:00:00+08:00``)."""
    return business_time(instant).isoformat()


@dataclass(frozen=True)
class Publisher:
    """Who publishes, and the links every package carries (settings ``OCDS_*`` and
    ``PUBLIC_BASE_URL``, filled and checked by ``procurement.settings``)."""

    ocid_prefix: str
    name: str
    scheme: str
    uid: str
    uri: str
    base_url: str
    license: str
    publication_policy: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Publisher:
        return cls(
            ocid_prefix=config["OCDS_OCID_PREFIX"],
            name=config["OCDS_PUBLISHER_NAME"],
            scheme=config.get("OCDS_PUBLISHER_SCHEME") or "",
            uid=config.get("OCDS_PUBLISHER_UID") or "",
            uri=config["OCDS_PUBLISHER_URI"],
            base_url=config["PUBLIC_BASE_URL"],
            license=config["OCDS_LICENSE"],
            publication_policy=config["OCDS_PUBLICATION_POLICY"],
        )

    def url(self, path: str) -> str:
        """An absolute URL of this platform (``path`` starts with a slash)."""
        return f"{self.base_url}{path}"

    def package(
        self, *, uri: str, published: datetime, releases: list[dict[str, Any]], **extra: Any
    ) -> dict[str, Any]:
        """A release package of ``releases`` (``extra``: e.g. ``links``)."""
        publisher: dict[str, Any] = {"name": self.name, "uri": self.uri}
        if self.scheme and self.uid:
            publisher |= {"scheme": self.scheme, "uid": self.uid}
        return {
            "uri": uri,
            "version": OCDS_VERSION,
            "publishedDate": rfc3339(published),
            "publisher": publisher,
            "license": self.license,
            "publicationPolicy": self.publication_policy,
            "extensions": list(EXTENSIONS),
            "releases": releases,
            **extra,
        }

    def record_package(
        self, *, uri: str, published: datetime, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A record package of ``records``, with this publisher's fields."""
        package = self.package(uri=uri, published=published, releases=[])
        del package["releases"]
        return {**package, "records": records}


class Source(IntEnum):
    """Where a change comes from; its number orders changes of the same instant."""

    STATUS = 0  # an audit event of a tender's status change
    PAYMENT = 1  # a payment of a settlement run


@dataclass(frozen=True, order=True)
class FeedKey:
    """A change's place in the feed: (date, source, source row id, lot id)."""

    date: datetime
    source: Source
    ref: int
    lot_id: int

    def cursor(self) -> str:
        """The opaque cursor of the page that follows this change."""
        text = f"{as_utc(self.date).isoformat()}|{int(self.source)}|{self.ref}|{self.lot_id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, cursor: str) -> FeedKey:
        """The key a cursor names; ValueError when it names none."""
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            date, source, ref, lot_id = text.split("|")
            instant = datetime.fromisoformat(date)
            if instant.tzinfo is None:
                raise ValueError("a cursor's date has its offset")
            return cls(instant.astimezone(UTC), Source(int(source)), int(ref), int(lot_id))
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise ValueError("not a feed cursor") from error
