"""The OCDS change feed for other platforms: every change of every published lot as an OCDS
release, oldest first, a page at a time (``GET /api/v1/ocds/releases``).

Public, like the tender pages and the results: a release holds only what is already published
(the catalog and ceilings once demand opens, the bids once opened, winners, contracts, the
fund's payments). A draft has no release. Bids appear in the ``opened`` release alone, built
from the opened bids: a bid not opened has no price in the clear and never reaches a release.

Changes come from rows that never change once written: the audit events of the tenders'
status moves and the settlement runs' payments. Each release is built from them and from data
as of the change (contract status by the change's own status), so a release id always carries
the same content. Keyset paging on ``FeedKey`` (``ocds_feed``); a change is served once
``FEED_SETTLE`` old, so a page never passes over a transaction that commits late."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from procurement.audit.models import AuditEvent
from procurement.bidding.models import Bid
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Lot, Tender
from procurement.compliance import ocds_export as ox
from procurement.compliance.errors import FeedCursorInvalid
from procurement.compliance.ocds_bids_export import bids_section
from procurement.compliance.ocds_feed import (
    FEED_SETTLE,
    PAYMENT_RELEASE,
    STATUS_RELEASES,
    FeedKey,
    Publisher,
    Source,
)
from procurement.contracts.models import Contract
from procurement.core.clock import as_utc
from procurement.core.messages import N_
from procurement.core.money import stored_amount
from procurement.settlement.models import Payable, Payment

STATUS_ACTION = "tender.status_changed"
FEED_PATH = "/api/v1/ocds/releases"
CONTRACT_STATUS_AT = {TenderStatus.IN_FORCE: "active", TenderStatus.CLOSED: "terminated"}
OPENED_OR_LATER = frozenset(list(TenderStatus)[list(TenderStatus).index(TenderStatus.OPENED) :])


@dataclass(frozen=True)
class Change:
    key: FeedKey
    tender_id: int
    status: TenderStatus | None = None  # a status move
    payment: Payment | None = None  # a payment ...
    paid: tuple[tuple[int, Decimal], ...] = ()  # ... its (hospital id, amount) on the lot


def feed_package(
    session: Session,
    *,
    since: datetime | None,
    cursor: str | None,
    limit: int,
    now: datetime,
    publisher: Publisher,
) -> dict[str, Any] | None:
    """A page of the feed as a release package: changes from ``since`` (inclusive) or after
    ``cursor``, at most ``limit``; ``links.next`` continues after the last one. None when
    there is nothing (yet): an OCDS package holds one release at least, so an empty page is no
    package (the API answers 204; poll the same link again later)."""
    found = changes(session, Scope(now - FEED_SETTLE, since, _parse(cursor), limit))
    if not found:
        return None
    asked = {"cursor": cursor} if cursor else {"since": since.isoformat()} if since else {}
    following = urlencode({"cursor": found[-1].key.cursor(), "limit": limit})
    return publisher.package(
        uri=publisher.url(f"{FEED_PATH}?{urlencode({**asked, 'limit': limit})}"),
        published=max(c.key.date for c in found),
        releases=ox.with_parties(session, releases(session, found, publisher.ocid_prefix)),
        links={"next": publisher.url(f"{FEED_PATH}?{following}")},
    )


def _parse(cursor: str | None) -> FeedKey | None:
    if not cursor:
        return None
    try:
        return FeedKey.parse(cursor)
    except ValueError:
        raise FeedCursorInvalid(errors={"cursor": [N_("not a cursor of the feed")]}) from None


@dataclass(frozen=True)
class Scope:
    """Which changes to read: dated from ``since`` (inclusive) to ``until``, after the key
    ``after``, at most ``limit`` (None: all), of one tender (None: of every tender)."""

    until: datetime
    since: datetime | None = None
    after: FeedKey | None = None
    limit: int | None = None
    tender_id: int | None = None

    def rows(self, query, date_col, id_col, source: Source):
        """``query`` narrowed to the scope, in key order, with room for one partly read row
        and one more than the page (a row makes a release per lot)."""
        query = query.where(date_col <= self.until, _from(date_col, id_col, source, self.after))
        if self.since is not None:
            query = query.where(date_col >= self.since)
        query = query.order_by(date_col, id_col)
        return query if self.limit is None else query.limit(self.limit + 2)


def changes(session: Session, scope: Scope) -> list[Change]:
    """The changes in ``scope``, in feed order."""
    found = _status_changes(session, scope) + _payments(session, scope)
    after = scope.after
    found = sorted((c for c in found if after is None or c.key > after), key=lambda c: c.key)
    return found if scope.limit is None else found[: scope.limit]


def _from(date_col, id_col, source: Source, after: FeedKey | None):
    """Rows of ``source`` at or after ``after``'s (date, source, ref); the lot is checked
    after expansion, since one row makes a release per lot."""
    if after is None:
        return and_(True)
    if source != after.source:
        return date_col >= after.date if source > after.source else date_col > after.date
    return or_(date_col > after.date, and_(date_col == after.date, id_col >= after.ref))


def _status_changes(session, scope: Scope) -> list[Change]:
    e = AuditEvent
    query = select(e.occurred_at, e.id, e.subject_id, e.payload).where(
        e.action == STATUS_ACTION, e.subject_type == "tender"
    )
    if scope.tender_id is not None:
        query = query.where(e.subject_id == str(scope.tender_id))
    rows = session.execute(scope.rows(query, e.occurred_at, e.id, Source.STATUS)).all()
    lots = _lots_of(session, {int(r.subject_id) for r in rows})
    return [
        Change(FeedKey(as_utc(r.occurred_at), Source.STATUS, r.id, lot_id), tender_id, status)
        for r in rows
        if (status := TenderStatus(r.payload.get("to"))) in STATUS_RELEASES
        for tender_id in [int(r.subject_id)]
        for lot_id in lots.get(tender_id, [])
    ]


def _lots_of(session, tender_ids) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    query = select(Lot.tender_id, Lot.id).where(Lot.tender_id.in_(tender_ids)).order_by(Lot.id)
    for tender_id, lot_id in session.execute(query):
        out[tender_id].append(lot_id)
    return out


def _payments(session, scope: Scope) -> list[Change]:
    query = select(Payment).options(joinedload(Payment.manufacturer), joinedload(Payment.run))
    if scope.tender_id is not None:
        query = query.where(Payment.id.in_(_payments_of(scope.tender_id)))
    payments = list(session.scalars(scope.rows(query, Payment.paid_at, Payment.id, Source.PAYMENT)))
    if not payments:
        return []
    paid = (
        select(
            Payable.payment_txn_id,
            Payable.manufacturer_id,
            Contract.lot_id,
            Contract.tender_id,
            Contract.hospital_id,
            func.sum(Payable.amount),
        )
        .join(Contract, Contract.id == Payable.contract_id)
        .where(Payable.payment_txn_id.in_({p.transaction_id for p in payments}))
        .where(*([Contract.tender_id == scope.tender_id] if scope.tender_id is not None else []))
        .group_by(
            Payable.payment_txn_id,
            Payable.manufacturer_id,
            Contract.lot_id,
            Contract.tender_id,
            Contract.hospital_id,
        )
    )
    lots: dict[tuple[int, int], dict[tuple[int, int], list]] = defaultdict(
        lambda: defaultdict(list)
    )
    for txn_id, manufacturer_id, lot_id, tender_id, hospital_id, amount in session.execute(paid):
        lots[(txn_id, manufacturer_id)][(lot_id, tender_id)].append(
            (hospital_id, stored_amount(amount))
        )
    return [
        Change(
            FeedKey(as_utc(p.paid_at), Source.PAYMENT, p.id, lot_id),
            tender_id,
            payment=p,
            paid=tuple(sorted(amounts)),
        )
        for p in payments
        for (lot_id, tender_id), amounts in sorted(
            lots[(p.transaction_id, p.manufacturer_id)].items()
        )
    ]


def releases(session: Session, changes: list[Change], prefix: str):
    """Each change's release and its parties (organization id -> roles) to describe; the
    page's tenders and lots read once."""
    tenders = {
        t.id: t
        for t in session.scalars(
            select(Tender)
            .where(Tender.id.in_({c.tender_id for c in changes}))
            .options(joinedload(Tender.created_by))
        )
    }
    lots = {
        lot.id: lot
        for lot in session.scalars(
            select(Lot)
            .where(Lot.id.in_({c.key.lot_id for c in changes}))
            .options(joinedload(Lot.confirmation))
        )
    }
    return [_release(session, c, tenders[c.tender_id], lots[c.key.lot_id], prefix) for c in changes]


def _payments_of(tender_id: int):
    """The ids of the payments that paid a contract of the tender."""
    return (
        select(Payment.id)
        .join(
            Payable,
            and_(
                Payable.payment_txn_id == Payment.transaction_id,
                Payable.manufacturer_id == Payment.manufacturer_id,
            ),
        )
        .join(Contract, Contract.id == Payable.contract_id)
        .where(Contract.tender_id == tender_id)
    )


def _release(session: Session, change: Change, tender: Tender, lot: Lot, prefix: str):
    ocid, date = ox.ocid_of(tender, lot, prefix), change.key.date
    if change.payment is not None:
        return _payment_release(session, ocid, tender, lot, change)
    status = change.status
    tag, tender_status = STATUS_RELEASES[status]
    release, parties = ox.release_head(ocid, status.value, tender, date, tag)
    tenderers = None
    if status in OPENED_OR_LATER:
        bids = _opened_bids(session, lot)
        tenderers = len({b.manufacturer_id for b in bids})
        if status == TenderStatus.OPENED:
            release["bids"] = bids_section(lot, bids, date)
            for bid in bids:
                parties[bid.manufacturer_id] |= {"tenderer"}
    release["tender"] = ox.tender_section(
        tender, lot, tender_status, tenderers, ox.quantity_of(lot, before=date)
    )
    if status == TenderStatus.AWARDED:
        release["awards"] = ox.awards_section(lot, _contracts(session, lot), parties)
    elif status in CONTRACT_STATUS_AT:
        release["contracts"] = ox.contracts_section(
            lot, _contracts(session, lot), parties, status=CONTRACT_STATUS_AT[status]
        )
    return release, parties


def _opened_bids(session, lot: Lot) -> list[Bid]:
    query = (
        select(Bid)
        .where(Bid.lot_id == lot.id, Bid.opened_at.is_not(None))
        .options(joinedload(Bid.manufacturer), joinedload(Bid.lot))
        .order_by(Bid.id)
    )
    return list(session.scalars(query))


def _contracts(session, lot: Lot) -> list[Contract]:
    query = (
        select(Contract)
        .where(Contract.lot_id == lot.id)
        .options(joinedload(Contract.hospital), joinedload(Contract.manufacturer))
        .order_by(Contract.id)
    )
    return list(session.scalars(query))


def _payment_release(session, ocid, tender, lot, change: Change):
    """The payment's share of the lot: per contract (hospital and winner) it paid, one
    transaction (the sum of its payables in the payment) from the fund to the manufacturer.
    The contracts carry their id, award and implementation only: the rest is in the
    ``in_force`` release, and a compiled record merges them by id."""
    payment = change.payment
    release, parties = ox.release_head(
        ocid, f"payment-{payment.id}", tender, payment.paid_at, PAYMENT_RELEASE[0]
    )
    fund_id = payment.run.fund_org_id
    mid = payment.manufacturer_id
    parties[mid] |= {"supplier", "payee"}
    parties[fund_id] |= {"payer"}
    release["contracts"] = []
    for hospital_id, amount in change.paid:
        parties[hospital_id] |= {"buyer"}
        txn = ox.transaction(
            f"payment-{payment.id}",
            payment.paid_at,
            amount,
            payment.currency,
            payment.manufacturer,
            fund_id,
        )
        release["contracts"].append(
            {
                "id": f"{lot.code}-h{hospital_id}-m{mid}",
                "awardID": f"{lot.code}-award-{mid}",
                "implementation": {"transactions": [txn]},
            }
        )
    return release, parties
