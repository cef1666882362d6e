"""Primary care clinics in the public finder (RULES.md 12): community health centres, township
hospitals and village clinics sell VBP winning products at the winning price (zero markup).

A clinic's finder entries are the winning products it buys under a VBP contract in force
today (its own, or its county medical community's: the community buys for its members), at
the VBP price a package, with the stock status of its stock on hand in the traceability
ledger (coded stock received and not dispensed or returned, plus no-code stock declared).
Receipts and dispensing are recorded by the traceability area, upstream of this one; the
entries follow them as each such transaction commits (``freshness.py``), and
``procurement pharmacy refresh-finder`` rewrites them all nightly (contracts that began or
ended)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization
from procurement.auth.roles import PRIMARY_CARE
from procurement.catalog.models import Lot
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date
from procurement.pharmacy.models import RANK, FinderEntry
from procurement.pharmacy.rules import PlaceKind, stock_status, vbp_pack_price
from procurement.pharmacy.services.common import on_hand
from procurement.pharmacy.services.enrolling import WinningProduct
from procurement.pharmacy.services.finder import (
    REFRESH_CHUNK,
    forget_searches,
    publish_products,
    refresh_stores,
)


def clinic_ids(session: Session) -> list[int]:
    """Every primary care institution (by id)."""
    return list(
        session.scalars(
            select(Organization.id)
            .where(Organization.institution_type.in_(PRIMARY_CARE))
            .order_by(Organization.id)
        )
    )


def refresh_clinics(session: Session, *, clinic_ids: list[int], now: datetime) -> int:
    """Rewrite these clinics' finder entries from their VBP contracts in force today and their
    stock on hand (in the caller's transaction). Returns the entries written."""
    if not clinic_ids:
        return 0
    clinics = {
        o.id: o
        for o in session.scalars(
            select(Organization).where(
                Organization.id.in_(clinic_ids), Organization.institution_type.in_(PRIMARY_CARE)
            )
        )
    }
    session.execute(delete(FinderEntry).where(FinderEntry.store_id.in_(list(clinics))))
    buyers: dict[int, list[int]] = {}  # buyer (the clinic or its community) -> clinics
    for clinic in clinics.values():
        for buyer in {clinic.id, clinic.parent_id} - {None}:
            buyers.setdefault(buyer, []).append(clinic.id)  # type: ignore[arg-type]
    today = business_date(now)
    rows = session.execute(
        select(Contract, Lot.generic_name)
        .join(Lot, Lot.id == Contract.lot_id)
        .where(
            Contract.hospital_id.in_(list(buyers)),
            Contract.status == ContractStatus.ACTIVE,
            Contract.period_start <= today,
            Contract.period_end >= today,
        )
        .order_by(Contract.id)
    ).all()
    products: dict[tuple[int, int], WinningProduct] = {}  # (clinic, product): its first contract
    for contract, name in rows:
        for clinic_id in buyers[contract.hospital_id]:
            products.setdefault(
                (clinic_id, contract.product_id),
                WinningProduct(
                    generic_name=name,
                    product=contract.product,
                    manufacturer=contract.manufacturer.name,
                    unit_price=contract.unit_price,
                    vbp_pack_price=vbp_pack_price(contract.unit_price, contract.product.pack_size),
                    template=contract,
                ),
            )
    publish_products(session, products={p.product.id: p for p in products.values()}.values())
    stock = on_hand(session, list(clinics))
    for (clinic_id, product_id), p in sorted(products.items()):
        clinic = clinics[clinic_id]
        status = stock_status(stock.get((clinic_id, product_id), 0))
        session.add(
            FinderEntry(
                store_id=clinic_id,
                product_id=product_id,
                generic_name=p.generic_name,
                kind=PlaceKind.CLINIC,
                district=clinic.region_code,
                store_name=clinic.name[:200],
                store_address=clinic.address,
                price=p.vbp_pack_price,
                status=status,
                status_rank=RANK[status],
                updated_at=now,
            )
        )
    session.flush()
    return len(products)


def refresh_all(session: Session, *, now: datetime) -> int:
    """Rewrite every enrolled pharmacy store's and every clinic's finder entries from stock,
    prices and contracts, a chunk of places a transaction. Returns the entries written."""
    written = refresh_stores(session, now=now)
    ids = clinic_ids(session)
    for i in range(0, len(ids), REFRESH_CHUNK):
        written += refresh_clinics(session, clinic_ids=ids[i : i + REFRESH_CHUNK], now=now)
        session.commit()
    forget_searches()
    return written
