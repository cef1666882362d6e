"""Who a pharmacy is and which stores it acts for; stock on hand per store and product."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.auth.roles import PHARMACIES, InstitutionType
from procurement.pharmacy.errors import NotAPharmacy, NotYourStore
from procurement.pharmacy.models import PharmacyProduct
from procurement.trace.scan_models import NoCodeStock, StockLine

OVERSIGHT = (OrgKind.REGULATOR, OrgKind.FUND)


def pharmacy_of(session: Session, actor: Actor, *, write: bool, action: str) -> Organization:
    """The actor's organization, refused unless it is a pharmacy store or chain."""
    actor.require(OrgKind.HOSPITAL, write=write, action=action)
    org = session.get(Organization, actor.org_id)
    if org is None or org.institution_type not in PHARMACIES:
        raise NotAPharmacy(action=action)
    return org


def is_chain(org: Organization) -> bool:
    return org.institution_type == InstitutionType.PHARMACY_CHAIN


def stores_of(session: Session, org: Organization) -> list[Organization]:
    """A chain's stores (by code), or a single store itself."""
    if not is_chain(org):
        return [org]
    return list(
        session.scalars(
            select(Organization)
            .where(
                Organization.parent_id == org.id,
                Organization.institution_type == InstitutionType.PHARMACY_STORE,
            )
            .order_by(Organization.code)
        )
    )


def store_for(session: Session, org: Organization, store_id: int | None) -> Organization:
    """The store a pharmacy acts for: itself (a store), or one of its stores (a chain)."""
    if store_id is None or store_id == org.id:
        if is_chain(org):
            raise NotYourStore(store_id=org.id)
        return org
    store = session.get(Organization, store_id)
    if store is None or store.parent_id != org.id or not is_chain(org):
        raise NotYourStore(store_id=store_id)
    return store


def on_hand(session: Session, store_ids: list[int]) -> dict[tuple[int, int], int]:
    """Packages on hand by (store, product): coded stock received and not dispensed or
    returned, plus no-code stock declared and not sold."""
    if not store_ids:
        return {}
    out: dict[tuple[int, int], int] = defaultdict(int)
    coded = session.execute(
        select(
            StockLine.org_id,
            StockLine.product_id,
            func.sum(StockLine.received - StockLine.dispensed - StockLine.returned),
        )
        .where(StockLine.org_id.in_(store_ids))
        .group_by(StockLine.org_id, StockLine.product_id)
    )
    declared = session.execute(
        select(NoCodeStock.org_id, NoCodeStock.product_id, func.sum(NoCodeStock.quantity))
        .where(NoCodeStock.org_id.in_(store_ids))
        .group_by(NoCodeStock.org_id, NoCodeStock.product_id)
    )
    for store_id, product_id, count in [*coded, *declared]:
        out[(store_id, product_id)] += int(count or 0)
    sold = session.execute(
        select(
            PharmacyProduct.store_id, PharmacyProduct.product_id, PharmacyProduct.sold_no_code
        ).where(PharmacyProduct.store_id.in_(store_ids), PharmacyProduct.sold_no_code > 0)
    )
    for store_id, product_id, count in sold:
        out[(store_id, product_id)] -= int(count)
    return dict(out)


def no_code_left(session: Session, store_id: int, product_id: int) -> int:
    """No-code packages a store may still sell by quantity."""
    declared = session.scalar(
        select(func.coalesce(func.sum(NoCodeStock.quantity), 0)).where(
            NoCodeStock.org_id == store_id, NoCodeStock.product_id == product_id
        )
    )
    sold = session.scalar(
        select(PharmacyProduct.sold_no_code).where(
            PharmacyProduct.store_id == store_id, PharmacyProduct.product_id == product_id
        )
    )
    return int(declared or 0) - int(sold or 0)
