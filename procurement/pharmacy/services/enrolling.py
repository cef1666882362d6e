"""Signing up for a tender's winning products (进药店, RULES.md 12).

A store or a chain chooses generic names among the tender's winning products in force (at
least ``min_generic_names_store`` / ``min_generic_names_chain`` of the tender's rules). A
chain's sign-up covers each of its stores. Every store gets, per winning product of the chosen
names, a contract at the winning price with no agreed volume: it then orders through the
platform's ordinary order flow, against that contract, never above the winning price."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization
from procurement.catalog.models import Lot, Product, Tender
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date
from procurement.core.messages import N_, Message
from procurement.pharmacy.errors import (
    AlreadySignedUp,
    SignUpNotValid,
    TenderNotOpenToPharmacies,
)
from procurement.pharmacy.models import PharmacyEnrollment, PharmacyProduct
from procurement.pharmacy.rules import PharmacyRules, vbp_pack_price
from procurement.pharmacy.services.common import is_chain, pharmacy_of, stores_of
from procurement.pharmacy.services.finder import publish_products, refresh_entries

MAX_CHOSEN = 1000  # generic names in one sign-up


@dataclass(frozen=True)
class WinningProduct:
    generic_name: str
    product: Product
    manufacturer: str
    unit_price: Decimal  # the winning price per smallest unit
    vbp_pack_price: Decimal
    template: Contract  # one active contract of it: its lot, bid, run, year and period


@dataclass(frozen=True)
class Offer:
    """What a pharmacy may sign up for in a tender."""

    tender: Tender
    rules: PharmacyRules
    products: list[WinningProduct]

    @property
    def generic_names(self) -> list[str]:
        return sorted({p.generic_name for p in self.products})


def offer(session: Session, *, tender_id: int, now: datetime, actor: Actor | None = None) -> Offer:
    """The tender's winning products in force today, by generic name (a pharmacy asks)."""
    if actor is not None:
        pharmacy_of(session, actor, write=False, action=Message("see what to sign up for"))
    tender = session.get(Tender, tender_id)
    today = business_date(now)
    rows = (
        session.execute(
            select(Contract, Lot.generic_name)
            .join(Lot, Lot.id == Contract.lot_id)
            .where(
                Contract.tender_id == tender_id,
                Contract.status == ContractStatus.ACTIVE,
                Contract.period_start <= today,
                Contract.period_end >= today,
                Contract.id.in_(_first_contract_per_product(tender_id)),
            )
            .order_by(Lot.generic_name, Contract.product_id)
        ).all()
        if tender is not None
        else []
    )
    if not rows:
        raise TenderNotOpenToPharmacies(tender_id=tender_id)
    products = [
        WinningProduct(
            generic_name=name,
            product=contract.product,
            manufacturer=contract.manufacturer.name,
            unit_price=contract.unit_price,
            vbp_pack_price=vbp_pack_price(contract.unit_price, contract.product.pack_size),
            template=contract,
        )
        for contract, name in rows
    ]
    return Offer(tender, PharmacyRules.from_snapshot(tender.rules_snapshot), products)


def _first_contract_per_product(tender_id: int):
    return (
        select(func.min(Contract.id))
        .where(Contract.tender_id == tender_id, Contract.status == ContractStatus.ACTIVE)
        .group_by(Contract.product_id, Contract.contract_year)
    )


def sign_up(
    session: Session, *, tender_id: int, generic_names: list[str], now: datetime, actor: Actor
) -> PharmacyEnrollment:
    """Sign a pharmacy store or chain up for the winning products of the chosen generic names."""
    org = pharmacy_of(session, actor, write=True, action=Message("sign up for winning products"))
    found = offer(session, tender_id=tender_id, now=now)
    chosen = _check_choice(found, org, generic_names)
    taken = {org.id, *([org.parent_id] if org.parent_id else [])}
    if session.scalar(
        select(PharmacyEnrollment.id).where(
            PharmacyEnrollment.tender_id == tender_id, PharmacyEnrollment.org_id.in_(taken)
        )
    ):
        raise AlreadySignedUp(tender_id=tender_id)
    enrollment = PharmacyEnrollment(
        org_id=org.id,
        tender_id=tender_id,
        generic_names=chosen,
        enrolled_at=now,
        enrolled_by_user_id=actor.user_id,
    )
    session.add(enrollment)
    session.flush()
    products = [p for p in found.products if p.generic_name in set(chosen)]
    stores = stores_of(session, org)
    for store in stores:
        _enroll_store(session, enrollment, store, products, found.rules, now)
    publish_products(session, products=products)
    session.flush()
    refresh_entries(session, store_ids=[s.id for s in stores], now=now)
    record(
        session,
        actor=actor,
        action="pharmacy.signed_up",
        subject_type="pharmacy_enrollment",
        subject_id=enrollment.id,
        payload={"tender_id": tender_id, "generic_names": len(chosen), "stores": len(stores)},
        now=now,
    )
    session.commit()
    return enrollment


def _check_choice(found: Offer, org: Organization, names: list[str]) -> list[str]:
    chosen = sorted({(n or "").strip() for n in names if (n or "").strip()})
    minimum = found.rules.minimum(is_chain(org))
    errors: dict[str, list] = {}
    unknown = [n for n in chosen if n not in set(found.generic_names)]
    if unknown:
        errors["generic_names"] = [
            Message("not a winning generic name of this tender: {names}", names=", ".join(unknown))
        ]
    elif len(chosen) > MAX_CHOSEN:
        errors["generic_names"] = [Message("at most {n} names (MAX_CHOSEN)", n=MAX_CHOSEN)]
    elif len(chosen) < minimum:
        errors["generic_names"] = [
            Message("{chosen} chosen, at least {minimum}", chosen=len(chosen), minimum=minimum)
        ]
    if errors:
        kind = N_("chain") if is_chain(org) else N_("store")
        raise SignUpNotValid(errors=errors, chosen=len(chosen), kind=kind, minimum=minimum)
    return chosen


def _enroll_store(session, enrollment, store, products, rules: PharmacyRules, now) -> None:
    held = set(
        session.scalars(
            select(PharmacyProduct.product_id).where(PharmacyProduct.store_id == store.id)
        )
    )
    for p in products:
        if p.product.id not in held:
            session.add(
                PharmacyProduct(
                    store_id=store.id,
                    product_id=p.product.id,
                    enrollment_id=enrollment.id,
                    generic_name=p.generic_name,
                    vbp_pack_price=p.vbp_pack_price,
                    price_cap=rules.price_cap(p.vbp_pack_price),
                    sold_no_code=0,
                )
            )
        _contract_for(session, store, p.template, now)


def _contract_for(session: Session, store: Organization, template: Contract, now) -> None:
    """The store's contracts for a winning product at the winning price, one per contract year
    of the template's (the years to come are active once the tender's are), unless it has them."""
    years = session.scalars(
        select(Contract).where(
            Contract.lot_id == template.lot_id,
            Contract.hospital_id == template.hospital_id,
            Contract.manufacturer_id == template.manufacturer_id,
        )
    )
    held = set(
        session.scalars(
            select(Contract.contract_year).where(
                Contract.lot_id == template.lot_id,
                Contract.hospital_id == store.id,
                Contract.manufacturer_id == template.manufacturer_id,
            )
        )
    )
    for year in years:
        if year.contract_year in held:
            continue
        session.add(
            Contract(
                tender_id=year.tender_id,
                lot_id=year.lot_id,
                hospital_id=store.id,
                manufacturer_id=year.manufacturer_id,
                product_id=year.product_id,
                bid_id=year.bid_id,
                award_run_id=year.award_run_id,
                contract_year=year.contract_year,
                period_start=year.period_start,
                period_end=year.period_end,
                unit_price=year.unit_price,
                currency=year.currency,
                agreed_volume=0,
                region_code=store.region_code[:2] + "0000",
                status=year.status,
                reason="pharmacy sign-up at the winning price (RULES.md 12)",
                created_at=now,
                updated_at=now,
                activated_at=now if year.status == ContractStatus.ACTIVE else None,
            )
        )
