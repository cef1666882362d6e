"""Open Contracting Data Standard 1.1.5 export: a release package with one release per lot
(each lot its own ``ocid``, so its own record), the tender, the parties, one award per winner,
one contract per hospital and winner (all contract years), and the fund's payments as the
contract's implementation transactions. Bids are never exported in this snapshot: before
opening nothing about them exists here, and after opening only the core field
``numberOfTenderers`` is given. The change feed (``ocds_feed_queries``) builds its releases from
the same sections, the opened bids (the bid statistics and details extension) among them.

Dates are RFC 3339 with the business time zone's offset; URIs, the ocid prefix and the publisher
come from the settings (``ocds_feed.Publisher``).

OCDS values are JSON numbers: amounts (2 places) and unit prices (as stored) stay Decimals here
and go out as exact number literals (``40.00``, never a float's nearest double); see
:func:`procurement.web.api.exact_json`."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.bidding.models import Bid
from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import Lot, Tender
from procurement.compliance.errors import PublishedTenderNotFound
from procurement.compliance.ocds_feed import Publisher, rfc3339
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import day_start
from procurement.core.money import plain, round_amount
from procurement.settlement.models import Payable, SettlementRun

DEFAULT_PREFIX = "ocds-vbp001"
DAY, SECOND = timedelta(days=1), timedelta(seconds=1)  # config/default.toml's OCDS_OCID_PREFIX
PUBLIC = (TenderStatus.AWARDED, TenderStatus.IN_FORCE, TenderStatus.CLOSED)
OPENED = (TenderStatus.OPENED, *PUBLIC)
TENDER_STATUS = {
    TenderStatus.DRAFT: "planning",
    TenderStatus.DEMAND_OPEN: "planned",
    TenderStatus.BIDDING_OPEN: "active",
    TenderStatus.BIDDING_CLOSED: "active",
    TenderStatus.OPENED: "active",
    TenderStatus.AWARDED: "complete",
    TenderStatus.IN_FORCE: "complete",
    TenderStatus.CLOSED: "complete",
}
CONTRACT_STATUS = {
    ContractStatus.DRAFT: "pending",
    ContractStatus.ACTIVE: "active",
    ContractStatus.ENDED: "terminated",
}


_iso = rfc3339


def _money(amount: Decimal, currency: str = "CNY") -> dict[str, Any]:
    return {"amount": round_amount(amount), "currency": currency}


def _party(org: Organization, roles: set[str]) -> dict[str, Any]:
    return {
        "id": f"org-{org.id}",
        "name": org.name,
        "roles": sorted(roles),
        "identifier": {"id": org.code, "legalName": org.name},
        "address": {"region": org.region_code, "countryName": "China"},
    }


def release_package(
    session: Session, *, tender_id: int, actor: Actor | None, now: datetime, publisher: Publisher
):
    """The tender as a release package (anyone once awarded; before, the regulator only)."""
    tender = session.get(Tender, tender_id)
    visible = tender is not None and (
        tender.status in PUBLIC or (actor is not None and actor.org_kind == OrgKind.REGULATOR)
    )
    if not visible:
        raise PublishedTenderNotFound(tender_id=tender_id)
    package = publisher.package(
        uri=publisher.url(f"/api/v1/tenders/{tender.id}/ocds"),
        published=now,
        releases=releases(session, tender, now, prefix=publisher.ocid_prefix),
    )
    del package["extensions"]  # the snapshot has no bids
    return package


def releases(
    session: Session,
    tender: Tender,
    now: datetime,
    *,
    with_contracts: bool = True,
    prefix: str = DEFAULT_PREFIX,
) -> list[dict[str, Any]]:
    """One release per lot (its own ``ocid``), without visibility checks: callers check.
    ``with_contracts=False`` gives the awards without the contracts and their payments (what
    the red flags read)."""
    by_lot: dict[int, list[Contract]] = defaultdict(list)
    for contract in session.scalars(
        select(Contract)
        .where(Contract.tender_id == tender.id)
        .order_by(Contract.lot_id, Contract.id)
    ):
        by_lot[contract.lot_id].append(contract)
    ids = [c.id for rows in by_lot.values() for c in rows]
    payments = _payments(session, ids) if with_contracts else None
    tenderers = _tenderers(session, tender) if tender.status in OPENED else {}
    return [
        _release(
            ocid_of(tender, lot, prefix),
            (tender, lot, by_lot.get(lot.id, []), payments, tenderers.get(lot.id)),
            session,
            now,
        )
        for lot in tender.lots
    ]


def _tenderers(session: Session, tender: Tender) -> dict[int, int]:
    rows = session.execute(
        select(Bid.lot_id, func.count(func.distinct(Bid.manufacturer_id)))
        .where(Bid.tender_id == tender.id, Bid.opened_at.is_not(None))
        .group_by(Bid.lot_id)
    )
    return {lot_id: count for lot_id, count in rows}


def _payments(session: Session, contract_ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    if not contract_ids:
        return out
    rows = session.execute(
        select(Payable, SettlementRun.fund_org_id)
        .outerjoin(SettlementRun, SettlementRun.id == Payable.run_id)
        .where(Payable.contract_id.in_(contract_ids), Payable.paid_at.is_not(None))
        .order_by(Payable.id)
    )
    for payable, fund_id in rows:
        out[payable.contract_id].append((payable, fund_id))
    return out


def ocid_of(tender: Tender, lot: Lot, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-{tender.code}-{lot.code}"


def release_head(ocid: str, change: str, tender: Tender, date: datetime, tag: str):
    """A release's common fields, and its parties so far (the regulator: buyer and procuring
    entity). ``change`` makes the release id: ``<ocid>-<change>``."""
    parties: dict[int, set[str]] = defaultdict(set)
    parties[tender.created_by_org_id] |= {"buyer", "procuringEntity"}
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{change}",
        "date": _iso(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": "zh",
        "buyer": {"id": f"org-{tender.created_by_org_id}", "name": tender.created_by.name},
    }
    return release, parties


def _release(ocid: str, data, session, now) -> dict[str, Any]:
    tender, lot, contracts, payments, tenderers = data
    change = f"{tender.status}-{now:%Y%m%d%H%M%S}"
    release, parties = release_head(ocid, change, tender, now, "tender")
    release["tender"] = tender_section(
        tender, lot, TENDER_STATUS[tender.status], tenderers, quantity_of(lot)
    )
    if tender.status in PUBLIC and contracts and payments is None:
        release["awards"], release["tag"] = awards_section(lot, contracts, parties), ["award"]
    elif tender.status in PUBLIC and contracts:
        awards, ocds_contracts = _awards_and_contracts(lot, contracts, payments, parties)
        release["awards"], release["contracts"] = awards, ocds_contracts
        release["tag"] = ["award", "contract"] + (
            ["implementation"] if any(c.get("implementation") for c in ocds_contracts) else []
        )
    release["parties"] = parties_section(session, parties)
    return release


def parties_section(session: Session, parties: dict[int, set[str]]) -> list[dict[str, Any]]:
    return with_parties(session, [({}, parties)])[0]["parties"]


def with_parties(session: Session, built: list[tuple[dict[str, Any], dict[int, set[str]]]]):
    """The releases of ``built`` (release, its parties' roles by organization id), each with
    its ``parties`` section: the organizations read in one query."""
    ids = {org_id for _release, parties in built for org_id in parties}
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    for release, parties in built:
        release["parties"] = [_party(orgs[i], roles) for i, roles in sorted(parties.items())]
    return [release for release, _parties in built]


def quantity_of(lot: Lot, before: datetime | None = None) -> int | None:
    """The lot's confirmed demand (confirmed by ``before``, if given), else None."""
    confirmation = lot.confirmation
    if confirmation is None or (before is not None and confirmation.confirmed_at > before):
        return None
    return confirmation.total_confirmed


def tender_section(
    tender: Tender, lot: Lot, status: str, tenderers: int | None, total: int | None
) -> dict[str, Any]:
    """The lot as the tender: its item (the ceiling unit price, the confirmed quantity)."""
    item: dict[str, Any] = {
        "id": lot.code,
        "description": f"{lot.generic_name} {lot.dosage_form} "
        f"{plain(lot.reference_strength)}{lot.strength_unit}",
        "unit": {
            "name": str(lot.smallest_unit),
            "value": {"amount": lot.ceiling_unit_price, "currency": lot.currency},
        },
    }
    if total is not None:
        item["quantity"] = total
    out: dict[str, Any] = {
        "id": f"{tender.code}-{lot.code}",
        "title": f"{tender.name} {lot.code} {lot.generic_name}",
        "status": status,
        "procurementMethod": "open",
        "procurementMethodDetails": "集中带量采购 (volume-based procurement)",
        "mainProcurementCategory": "goods",
        "awardCriteria": "priceOnly",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"endDate": _iso(tender.bid_deadline)},
        "items": [item],
    }
    if tenderers is not None:
        out["numberOfTenderers"] = tenderers
    return out


def _awards_and_contracts(lot, contracts, payments, parties):
    return awards_section(lot, contracts, parties), contracts_section(
        lot, contracts, parties, transactions=_payable_transactions(payments)
    )


def awards_section(lot, contracts, parties) -> list[dict[str, Any]]:
    """One award per winner of the lot: its suppliers and the value of its first contract
    year (unit price x agreed volume, summed over its hospitals)."""
    winners: dict[int, list] = defaultdict(list)
    for c in contracts:
        winners[c.manufacturer_id].append(c)
    awards = []
    for mid, rows in sorted(winners.items()):
        parties[mid] |= {"supplier", "tenderer"}
        first = rows[0]
        year_one = (c.unit_price * c.agreed_volume for c in rows if c.contract_year == 1)
        awards.append(
            {
                "id": f"{lot.code}-award-{mid}",
                "title": f"{lot.code} winner",
                "status": "active",
                "date": _iso(first.created_at),
                "suppliers": [{"id": f"org-{mid}", "name": first.manufacturer.name}],
                "value": _money(sum(year_one, Decimal(0)), first.currency),
            }
        )
    return awards


def contracts_section(lot, contracts, parties, *, transactions=None, status=None):
    """One OCDS contract per hospital and winner (its contract years as items); ``status``
    overrides the one the rows give; ``transactions(rows, parties)`` gives each contract's
    implementation transactions (none: no implementation)."""
    pairs: dict[tuple[int, int], list] = defaultdict(list)
    for c in contracts:
        pairs[(c.hospital_id, c.manufacturer_id)].append(c)
    out = []
    for (_hid, mid), rows in sorted(pairs.items()):
        contract = _contract(lot, rows, parties, status)
        paid = transactions(rows, parties) if transactions is not None else []
        if paid:
            parties[mid] |= {"payee"}
            contract["implementation"] = {"transactions": paid}
        out.append(contract)
    return out


def _contract(lot, rows, parties, status=None) -> dict[str, Any]:
    first = rows[0]
    parties[first.hospital_id] |= {"buyer"}
    if status is None:
        statuses = {c.status for c in rows}
        status = next(
            CONTRACT_STATUS[s]
            for s in (ContractStatus.ACTIVE, ContractStatus.DRAFT, ContractStatus.ENDED)
            if s in statuses
        )
    return {
        "id": f"{lot.code}-h{first.hospital_id}-m{first.manufacturer_id}",
        "awardID": f"{lot.code}-award-{first.manufacturer_id}",
        "status": status,
        "title": f"{lot.code} {first.hospital.name} / {first.manufacturer.name}",
        "period": {
            "startDate": _iso(day_start(min(c.period_start for c in rows))),
            "endDate": _iso(day_start(max(c.period_end for c in rows) + DAY) - SECOND),
        },
        "value": _money(
            sum((c.unit_price * c.agreed_volume for c in rows), Decimal(0)), first.currency
        ),
        "items": [
            {
                "id": f"{lot.code}-y{c.contract_year}",
                "description": lot.generic_name,
                "quantity": c.agreed_volume,
                "unit": {
                    "name": str(lot.smallest_unit),
                    "value": {"amount": c.unit_price, "currency": c.currency},
                },
            }
            for c in rows
        ],
    }


def transaction(txn_id: str, date, amount, currency, payee, payer_id) -> dict[str, Any]:
    """A payment of the fund (``payer_id``, None when unknown) to the manufacturer ``payee``."""
    out: dict[str, Any] = {
        "id": txn_id,
        "date": _iso(date),
        "value": _money(amount, currency),
        "payee": {"id": f"org-{payee.id}", "name": payee.name},
    }
    if payer_id is not None:
        out["payer"] = {"id": f"org-{payer_id}", "name": "fund"}
    return out


def _payable_transactions(payments):
    """The snapshot's transactions: one per paid payable of the contract's rows."""

    def of(rows, parties) -> list[dict[str, Any]]:
        out = []
        for c in rows:
            for payable, fund_id in payments.get(c.id, []):
                if fund_id is not None:
                    parties[fund_id] |= {"payer"}
                out.append(
                    transaction(
                        f"payable-{payable.id}",
                        payable.paid_at,
                        payable.amount,
                        payable.currency,
                        c.manufacturer,
                        fund_id,
                    )
                )
        return out

    return of
