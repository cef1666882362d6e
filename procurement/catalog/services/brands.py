"""Demand reported by brand (带量报名 by brand, RULES.md 10): check a report's brand lines.

A brand line names a registered product of the lot's generic name and smallest unit with a
quantity; a report's brand lines add up to at most its whole quantity (the rest is reported by
generic name). Every problem is refused with its own problem type naming the line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from procurement.catalog.errors import (
    BrandLinesAboveQuantity,
    BrandProductDuplicate,
    BrandProductUnknown,
    BrandProductWrongGeneric,
    BrandReportingOff,
)
from procurement.catalog.models import Lot, Product, Tender
from procurement.core.errors import DomainError
from procurement.core.messages import Message


@dataclass(frozen=True)
class BrandInput:
    """One brand line as sent: a product by id or approval number, and its quantity.

    ``where`` names the line in a refusal ("L01 #2", "row 5"); ``key`` is the field its errors
    are given under ("rows.0.brand_lines.1.product", "row 5: brand_approval_number")."""

    where: str
    key: str
    quantity: int
    product_id: int | None = None
    approval_number: str | None = None

    @property
    def product(self) -> str:
        return self.approval_number or str(self.product_id)


@dataclass
class Problems:
    """The problems found, by field; the first one's type is the refusal's type."""

    first: tuple[type[DomainError], dict] | None = None
    errors: dict[str, list[str]] | None = None

    def add(self, kind: type[DomainError], key: str, message: Message, **params) -> None:
        self.errors = self.errors or {}
        self.errors.setdefault(key, []).append(message)
        self.first = self.first or (kind, params)

    def raise_any(self) -> None:
        if self.first is not None:
            kind, params = self.first
            raise kind(errors=self.errors, **params)


def _products(session: Session, brands: list[BrandInput]) -> dict[str, Product]:
    """The named products, by id (as text) and by approval number."""
    ids = {b.product_id for b in brands if b.product_id is not None}
    numbers = {b.approval_number for b in brands if b.approval_number}
    if not ids and not numbers:
        return {}
    found = session.scalars(
        select(Product).where(or_(Product.id.in_(ids), Product.approval_number.in_(numbers)))
    )
    out: dict[str, Product] = {}
    for product in found:
        out[str(product.id)] = out[product.approval_number] = product
    return out


def check_brand_lines(
    session: Session,
    tender: Tender,
    *,
    enabled: bool,
    lines: Iterable[tuple[Lot, int, str, tuple[BrandInput, ...]]],
    problems: Problems,
) -> dict[int, list[tuple[Product, int]]]:
    """The products and quantities of each lot's brand lines, by lot id; problems collected.

    ``lines`` are ``(lot, whole quantity, the quantity's error key, brand lines)``."""
    lines = [line for line in lines if line[3]]
    if lines and not enabled:
        for lot, _quantity, _key, brands in lines:
            problems.add(
                BrandReportingOff,
                brands[0].key,
                Message("brand reporting is off for tender {tender_code}", tender_code=tender.code),
                tender_code=tender.code,
                where=lot.code,
            )
        return {}
    products = _products(session, [b for line in lines for b in line[3]])
    out: dict[int, list[tuple[Product, int]]] = {}
    for lot, quantity, key, brands in lines:
        chosen = out.setdefault(lot.id, [])
        for brand in brands:
            product = products.get(brand.product)
            if _line_problem(problems, tender, lot, brand, product, chosen):
                continue
            chosen.append((product, brand.quantity))
        total = sum(b.quantity for b in brands)
        if total > quantity:
            problems.add(
                BrandLinesAboveQuantity,
                key,
                Message(
                    "the brand lines add up to {brand_total}, more than {quantity}",
                    brand_total=total,
                    quantity=quantity,
                ),
                where=lot.code,
                lot_code=lot.code,
                brand_total=total,
                quantity=quantity,
            )
    return out


def _line_problem(
    problems: Problems,
    tender: Tender,
    lot: Lot,
    brand: BrandInput,
    product: Product | None,
    chosen: list[tuple[Product, int]],
) -> bool:
    """Record what is wrong with one brand line; True if anything is."""
    if product is None:
        problems.add(
            BrandProductUnknown,
            brand.key,
            Message("no registered product '{product}'", product=brand.product),
            where=brand.where,
            product=brand.product,
        )
    elif (product.generic_name, product.smallest_unit) != (lot.generic_name, lot.smallest_unit):
        problems.add(
            BrandProductWrongGeneric,
            brand.key,
            Message(
                "{product} is {product_generic}, not {generic_name}",
                product=product.approval_number,
                product_generic=product.generic_name,
                generic_name=lot.generic_name,
            ),
            where=brand.where,
            product=product.approval_number,
            product_generic=product.generic_name,
            product_unit=product.smallest_unit.value,
            lot_code=lot.code,
            generic_name=lot.generic_name,
            smallest_unit=lot.smallest_unit.value,
        )
    elif any(p.id == product.id for p, _ in chosen):
        problems.add(
            BrandProductDuplicate,
            brand.key,
            Message("{product} is named twice", product=product.approval_number),
            where=brand.where,
            product=product.approval_number,
            lot_code=lot.code,
        )
    else:
        return False
    return True
