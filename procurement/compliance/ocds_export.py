"""Open Contracting Data Standard 1.1.5 export: a release package with one release per lot
(each lot its own ``ocid``, so its own record), the tender, the parties, one award per winner,
one contract per hospital and winner (all contract years), and the fund's payments as the
contract's implementation transactions. Bids are never exported: before opening nothing about
them exists here, and after opening only the core field ``numberOfTenderers`` is given (the
bids extension is left out, so the package validates against the core schema alone).

OCDS values are JSON numbers: amounts (2 places) and unit prices (as stored) stay Decimals here
and go out as exact number literals (``40.00``, never a float's nearest double); see
:func:`procurement.web.api.exact_json`."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
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
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.money import plain, round_amount
from procurement.settlement.models import Payable, SettlementRun

PREFIX = "ocds-vbp001"
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


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


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


def release_package(session: Session, *, tender_id: int, actor: Actor | None, now: datetime):
    """The tender as a release package (anyone once awarded; before, the regulator only)."""
    tender = session.get(Tender, tender_id)
    visible = tender is not None and (
        tender.status in PUBLIC or (actor is not None and actor.org_kind == OrgKind.REGULATOR)
    )
    if not visible:
        raise PublishedTenderNotFound(tender_id=tender_id)
    return {
        "uri": f"https://vbp.example.org/api/v1/tenders/{tender.id}/ocds",
        "version": "1.1",
        "publishedDate": _iso(now),
        "publisher": {"name": tender.created_by.name},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://vbp.example.org/public/results",
        "releases": releases(session, tender, now),
    }


def releases(
    session: Session, tender: Tender, now: datetime, *, with_contracts: bool = True
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
        _release(tender, lot, by_lot.get(lot.id, []), payments, tenderers.get(lot.id), session, now)
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


def ocid_of(tender: Tender, lot: Lot) -> str:
    return f"{PREFIX}-{tender.code}-{lot.code}"


def _release(tender, lot: Lot, contracts, payments, tenderers, session, now) -> dict[str, Any]:
    ocid = ocid_of(tender, lot)
    parties: dict[int, set[str]] = defaultdict(set)
    parties[tender.created_by_org_id] |= {"buyer", "procuringEntity"}
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{tender.status}-{now:%Y%m%d%H%M%S}",
        "date": _iso(now),
        "tag": ["tender"],
        "initiationType": "tender",
        "language": "zh",
        "buyer": {"id": f"org-{tender.created_by_org_id}", "name": tender.created_by.name},
        "tender": _tender(tender, lot, tenderers),
    }
    if tender.status in PUBLIC and contracts and payments is None:
        release["awards"], release["tag"] = _awards(lot, contracts, parties), ["award"]
    elif tender.status in PUBLIC and contracts:
        awards, ocds_contracts = _awards_and_contracts(lot, contracts, payments, parties)
        release["awards"], release["contracts"] = awards, ocds_contracts
        release["tag"] = ["award", "contract"] + (
            ["implementation"] if any(c.get("implementation") for c in ocds_contracts) else []
        )
    orgs = {
        o.id: o
        for o in session.scalars(select(Organization).where(Organization.id.in_(list(parties))))
    }
    release["parties"] = [_party(orgs[i], roles) for i, roles in sorted(parties.items())]
    return release


def _tender(tender: Tender, lot: Lot, tenderers: int | None) -> dict[str, Any]:
    total = lot.confirmation.total_confirmed if lot.confirmation is not None else None
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
        "status": TENDER_STATUS[tender.status],
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
    pairs: dict[tuple[int, int], list] = defaultdict(list)
    for c in contracts:
        pairs[(c.hospital_id, c.manufacturer_id)].append(c)
    out = [
        _contract(lot, hid, mid, rows, payments, parties)
        for (hid, mid), rows in sorted(pairs.items())
    ]
    return _awards(lot, contracts, parties), out


def _awards(lot, contracts, parties) -> list[dict[str, Any]]:
    winners: dict[int, list] = defaultdict(list)
    for c in contracts:
        winners[c.manufacturer_id].append(c)
    awards = []
    for mid, rows in sorted(winners.items()):
        parties[mid] |= {"supplier", "tenderer"}
        first = rows[0]
        awards.append(
            {
                "id": f"{lot.code}-award-{mid}",
                "title": f"{lot.code} winner",
                "status": "active",
                "date": _iso(first.created_at),
                "suppliers": [{"id": f"org-{mid}", "name": first.manufacturer.name}],
                "value": _money(
                    sum(
                        (c.unit_price * c.agreed_volume for c in rows if c.contract_year == 1),
                        Decimal(0),
                    ),
                    first.currency,
                ),
            }
        )
    return awards


def _contract(lot, hospital_id, manufacturer_id, rows, payments, parties) -> dict[str, Any]:
    parties[hospital_id] |= {"buyer"}
    statuses = {c.status for c in rows}
    status = next(
        CONTRACT_STATUS[s]
        for s in (ContractStatus.ACTIVE, ContractStatus.DRAFT, ContractStatus.ENDED)
        if s in statuses
    )
    out: dict[str, Any] = {
        "id": f"{lot.code}-h{hospital_id}-m{manufacturer_id}",
        "awardID": f"{lot.code}-award-{manufacturer_id}",
        "status": status,
        "title": f"{lot.code} {rows[0].hospital.name} / {rows[0].manufacturer.name}",
        "period": {
            "startDate": f"{min(c.period_start for c in rows)}T00:00:00Z",
            "endDate": f"{max(c.period_end for c in rows)}T23:59:59Z",
        },
        "value": _money(
            sum((c.unit_price * c.agreed_volume for c in rows), Decimal(0)), rows[0].currency
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
    transactions = []
    for c in rows:
        for payable, fund_id in payments.get(c.id, []):
            parties[manufacturer_id] |= {"payee"}
            txn = {
                "id": f"payable-{payable.id}",
                "date": _iso(payable.paid_at),
                "value": _money(payable.amount, payable.currency),
                "payee": {"id": f"org-{manufacturer_id}", "name": c.manufacturer.name},
            }
            if fund_id is not None:
                parties[fund_id] |= {"payer"}
                txn["payer"] = {"id": f"org-{fund_id}", "name": "fund"}
            transactions.append(txn)
    if transactions:
        out["implementation"] = {"transactions": transactions}
    return out
