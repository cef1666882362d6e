"""A store's selling prices, its sales and its stock (RULES.md 12).

A price is refused above the cap (the winning price x (1 + the tender's ``pharmacy_markup``)),
with the figures in the error. Sales are reported by traceability code where the packages
carry codes (the traceability area's dispensing records them, and its alerts catch a second
dispense or a package received elsewhere) or by quantity from no-code stock. Every change
refreshes the store's entries in the public finder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization
from procurement.catalog.models import Product
from procurement.core.messages import N_, Message
from procurement.core.money import round_amount, round_places
from procurement.pharmacy.errors import (
    PharmacyFormNotValid,
    PriceAboveCap,
    ProductNotSignedUp,
    SaleNotValid,
)
from procurement.pharmacy.models import PharmacyProduct, PharmacySale
from procurement.pharmacy.services.common import (
    no_code_left,
    on_hand,
    pharmacy_of,
    store_for,
    stores_of,
)
from procurement.pharmacy.services.finder import refresh_entries
from procurement.trace.codes import lookup_key
from procurement.trace.models import TracePackage
from procurement.trace.services.dispensing import Movement, record_movements

MAX_SALE_PACKS = 10_000  # packages in one sale by quantity


def _signed_up(session: Session, store: Organization, product_id: int) -> PharmacyProduct:
    pp = session.get(PharmacyProduct, (store.id, product_id), with_for_update=True)
    if pp is None:
        raise ProductNotSignedUp(store_id=store.id, product_id=product_id)
    return pp


def set_price(
    session: Session,
    *,
    product_id: int,
    price: Decimal,
    store_id: int | None = None,
    now: datetime,
    actor: Actor,
) -> list[PharmacyProduct]:
    """Set the selling price per package of a signed-up product (a chain: for one of its stores,
    or for every store when no store is named)."""
    org = pharmacy_of(session, actor, write=True, action=Message("set selling prices"))
    stores = stores_of(session, org) if store_id is None else [store_for(session, org, store_id)]
    changed = [_signed_up(session, store, product_id) for store in stores]
    price = round_amount(price)
    for pp in changed:
        _check_price(pp, price)
    for pp in changed:
        pp.price, pp.price_set_at = price, now
    session.flush()
    refresh_entries(session, store_ids=[s.id for s in stores], now=now)
    record(
        session,
        actor=actor,
        action="pharmacy.price_set",
        subject_type="product",
        subject_id=product_id,
        payload={"price": str(price), "stores": [s.id for s in stores]},
        now=now,
    )
    session.commit()
    return changed


def _check_price(pp: PharmacyProduct, price: Decimal) -> None:
    if price <= 0:
        raise PharmacyFormNotValid(errors={"price": [N_("more than 0")]})
    if price > pp.price_cap:
        markup = round_places(pp.price_cap / pp.vbp_pack_price - 1, 4)
        raise PriceAboveCap(
            errors={"price": [Message("at most {cap}", cap=str(pp.price_cap))]},
            price=str(price),
            cap=str(pp.price_cap),
            vbp_price=str(pp.vbp_pack_price),
            markup=str(markup.normalize()),
        )


@dataclass
class SaleResult:
    recorded: int = 0
    sales: list[PharmacySale] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (code, reason)
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (code, alert kind)


def sell_by_quantity(
    session: Session,
    *,
    product_id: int,
    quantity: int,
    unit_price: Decimal | None = None,
    store_id: int | None = None,
    now: datetime,
    actor: Actor,
) -> SaleResult:
    """Report packages of no-code stock sold (at the store's price unless another is given)."""
    org = pharmacy_of(session, actor, write=True, action=Message("report sales"))
    store = store_for(session, org, store_id)
    pp = _signed_up(session, store, product_id)
    left = no_code_left(session, store.id, product_id)
    if quantity is None or quantity < 1 or quantity > MAX_SALE_PACKS:
        raise SaleNotValid(
            errors={"quantity": [Message("from 1 to {n} (MAX_SALE_PACKS)", n=MAX_SALE_PACKS)]}
        )
    if quantity > left:
        raise SaleNotValid(
            errors={"quantity": [Message("{left} no-code package(s) on hand", left=left)]}
        )
    pp.sold_no_code += quantity
    sale = _sale(pp, quantity, unit_price, None, now, actor)
    session.add(sale)
    session.flush()
    refresh_entries(session, store_ids=[store.id], now=now)
    session.commit()
    return SaleResult(recorded=quantity, sales=[sale])


def sell_by_codes(session: Session, *, codes: list[str], now: datetime, actor: Actor) -> SaleResult:
    """Report coded packages sold: dispensed in the traceability ledger (which commits them
    and its alerts), then recorded as sales at the store's prices and the finder refreshed."""
    store = pharmacy_of(session, actor, write=True, action=Message("report sales"))
    store_for(session, store, None)  # a chain sells in its stores: their users scan
    dispensed = record_movements(
        session, codes=codes, movement=Movement.DISPENSE, now=now, actor=actor
    )
    result = SaleResult(
        refused=list(dispensed.refused), alerts=[(c, k.value) for c, k in dispensed.alerts]
    )
    skipped = {c for c, _ in dispensed.refused} | {c for c, _ in dispensed.alerts}
    keys = []
    for code in codes:
        key = lookup_key((code or "").strip())
        if key and key not in skipped and code.strip() not in skipped and key not in keys:
            keys.append(key)
    for package in session.scalars(select(TracePackage).where(TracePackage.code.in_(keys))):
        pp = session.get(PharmacyProduct, (store.id, package.product_id))
        if pp is not None:
            sale = _sale(pp, 1, None, package.code, now, actor)
            session.add(sale)
            result.sales.append(sale)
    result.recorded = dispensed.recorded
    refresh_entries(session, store_ids=[store.id], now=now)
    session.commit()
    return result


def _sale(pp: PharmacyProduct, quantity: int, price, code, now, actor: Actor) -> PharmacySale:
    charged = round_amount(price) if price is not None else (pp.price or pp.vbp_pack_price)
    return PharmacySale(
        store_id=pp.store_id,
        product_id=pp.product_id,
        quantity=quantity,
        unit_price=charged,
        code=code,
        sold_at=now,
        reported_by_user_id=actor.user_id,
    )


@dataclass(frozen=True)
class StockRow:
    store: Organization
    product: Product
    signed_up: PharmacyProduct
    on_hand: int


MAX_NAME_FILTER = 40  # characters of the generic-name filter of the stock page


def stock(
    session: Session,
    *,
    actor: Actor,
    store_id: int | None = None,
    name: str | None = None,
) -> list[StockRow]:
    """Stock on hand per store and signed-up product of the actor's pharmacy (a chain: all its
    stores), by store and generic name; ``store_id`` keeps one of its stores, ``name`` the
    generic names containing it."""
    org = pharmacy_of(session, actor, write=False, action=Message("see stock"))
    stores = {s.id: s for s in stores_of(session, org)}
    if store_id is not None:
        stores = {k: v for k, v in stores.items() if k == store_id}
    counts = on_hand(session, list(stores))
    query = (
        select(PharmacyProduct, Product)
        .join(Product, Product.id == PharmacyProduct.product_id)
        .where(PharmacyProduct.store_id.in_(list(stores)))
        .order_by(PharmacyProduct.store_id, PharmacyProduct.generic_name, Product.id)
    )
    if name and name.strip():
        query = query.where(PharmacyProduct.generic_name.contains(name.strip(), autoescape=True))
    return [
        StockRow(stores[pp.store_id], product, pp, counts.get((pp.store_id, pp.product_id), 0))
        for pp, product in session.execute(query)
    ]
