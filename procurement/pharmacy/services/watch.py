"""What compliance watches in pharmacies (RULES.md 12), and the regulator's overview.

Per store: coverage (generic names stocked vs signed up, below the minimum its sign-up
needed), prices charged above the cap in the last ``PRICE_WATCH_DAYS`` days, and stock-outs
(signed-up products with nothing on hand). ``findings`` returns them as plain records; the
compliance area's check raises each as an alert once and closes it when it no longer holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import Organization
from procurement.catalog.models import Product, Tender
from procurement.core.messages import Message
from procurement.pharmacy.models import PharmacyEnrollment, PharmacyProduct, PharmacySale
from procurement.pharmacy.rules import PharmacyRules
from procurement.pharmacy.services.common import OVERSIGHT, is_chain, on_hand

PRICE_WATCH_DAYS = 30  # a sale above the cap is watched this many days


@dataclass(frozen=True)
class Finding:
    kind: str  # coverage | price | stock_out
    key: str
    store_id: int
    region_code: str
    tender_id: int
    detail: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class StoreView:
    store: Organization
    tender: Tender
    signed_up: list[str]
    stocked: list[str]
    minimum: int
    out_of_stock: list[Product] = field(default_factory=list)
    breaches: list[tuple[PharmacySale, PharmacyProduct]] = field(default_factory=list)

    @property
    def coverage_short(self) -> bool:
        return len(self.stocked) < min(self.minimum, len(self.signed_up))


def overview(session: Session, *, now: datetime, actor: Actor | None = None) -> list[StoreView]:
    """Every enrolled store: coverage, stock-outs and prices charged above the cap (the regulator
    and the fund; the compliance check calls it with no actor)."""
    if actor is not None:
        actor.require(*OVERSIGHT, write=False, action=Message("watch pharmacies"))
    rows = session.execute(
        select(PharmacyProduct, Product, PharmacyEnrollment, Organization)
        .join(Product, Product.id == PharmacyProduct.product_id)
        .join(PharmacyEnrollment, PharmacyEnrollment.id == PharmacyProduct.enrollment_id)
        .join(Organization, Organization.id == PharmacyProduct.store_id)
        .order_by(Organization.code, PharmacyProduct.generic_name, Product.id)
    ).all()
    stock = on_hand(session, sorted({pp.store_id for pp, *_ in rows}))
    enrollers = {
        o.id: o
        for o in session.scalars(
            select(Organization).where(Organization.id.in_({e.org_id for _, _, e, _ in rows}))
        )
    }
    views: dict[int, StoreView] = {}
    stocked: dict[int, set[str]] = defaultdict(set)
    for pp, product, enrollment, store in rows:
        view = views.get(store.id)
        if view is None:
            rules = PharmacyRules.from_snapshot(
                session.get(Tender, enrollment.tender_id).rules_snapshot
            )
            minimum = rules.minimum(is_chain(enrollers[enrollment.org_id]))
            tender = session.get(Tender, enrollment.tender_id)
            view = views[store.id] = StoreView(
                store, tender, list(enrollment.generic_names), [], minimum
            )
        if stock.get((store.id, product.id), 0) > 0:
            stocked[store.id].add(pp.generic_name)
        else:
            view.out_of_stock.append(product)
    for store_id, view in views.items():
        view.stocked = sorted(stocked[store_id])
    _breaches(session, views, now)
    return list(views.values())


def _breaches(session: Session, views: dict[int, StoreView], now: datetime) -> None:
    since = now - timedelta(days=PRICE_WATCH_DAYS)
    found = session.execute(
        select(PharmacySale, PharmacyProduct)
        .join(
            PharmacyProduct,
            (PharmacyProduct.store_id == PharmacySale.store_id)
            & (PharmacyProduct.product_id == PharmacySale.product_id),
        )
        .where(PharmacySale.sold_at >= since, PharmacySale.unit_price > PharmacyProduct.price_cap)
        .order_by(PharmacySale.sold_at, PharmacySale.id)
    ).all()
    for sale, pp in found:
        if sale.store_id in views:
            views[sale.store_id].breaches.append((sale, pp))


def findings(session: Session, *, now: datetime) -> list[Finding]:
    """Each condition that holds now, keyed so a case is raised once and closed when it clears."""
    out: list[Finding] = []
    for view in overview(session, now=now):
        store = view.store
        base = {"store_id": store.id, "region_code": store.region_code, "tender_id": view.tender.id}
        if view.coverage_short:
            out.append(
                Finding(
                    kind="coverage",
                    key=f"pharmacy_coverage:{store.id}:{view.tender.id}",
                    detail=(
                        f"{store.name} stocks {len(view.stocked)} of the "
                        f"{len(view.signed_up)} generic names it signed up for "
                        f"(at least {view.minimum})"
                    ),
                    facts={
                        "stocked": len(view.stocked),
                        "signed_up": len(view.signed_up),
                        "minimum": view.minimum,
                    },
                    **base,
                )
            )
        if view.out_of_stock:
            names = ", ".join(p.generic_name for p in view.out_of_stock[:10])
            out.append(
                Finding(
                    kind="stock_out",
                    key=f"pharmacy_stock_out:{store.id}:{view.tender.id}",
                    detail=(
                        f"{store.name}: {len(view.out_of_stock)} product(s) out of stock ({names})"
                    ),
                    facts={"products": [p.id for p in view.out_of_stock]},
                    **base,
                )
            )
        by_product: dict[int, list] = defaultdict(list)
        for sale, pp in view.breaches:
            by_product[pp.product_id].append((sale, pp))
        for product_id, sales in by_product.items():
            top = max(s.unit_price for s, _ in sales)
            cap = sales[0][1].price_cap
            out.append(
                Finding(
                    kind="price",
                    key=f"pharmacy_price:{store.id}:{product_id}",
                    detail=(
                        f"{store.name} charged up to {top} for product {product_id} "
                        f"(cap {cap}) in {len(sales)} sale(s)"
                    ),
                    facts={
                        "product_id": product_id,
                        "highest": str(top),
                        "cap": str(cap),
                        "sales": len(sales),
                    },
                    **base,
                )
            )
    return out
