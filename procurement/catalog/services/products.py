"""Manufacturers register their products (批准文号) to bid with them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.errors import (
    DuplicateApprovalNumber,
    NotProductOwner,
    ProductNotFound,
    ProductNotValid,
    UnknownProductFields,
)
from procurement.catalog.models import DosageClass, Product, SmallestUnit
from procurement.catalog.services.common import fail_fields
from procurement.core.clock import business_date
from procurement.core.limits import MAX_PACK_SIZE
from procurement.core.messages import N_, Message

APPROVAL_NUMBER = re.compile(r"^\S{4,40}$")
PRODUCT_FIELDS = (
    "approval_number",
    "generic_name",
    "trade_name",
    "dosage_form",
    "dosage_class",
    "strength",
    "strength_unit",
    "smallest_unit",
    "pack_size",
    "consistency_evaluated",
    "originator",
    "approval_date",
)


def _check_product(values: dict[str, Any], now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not APPROVAL_NUMBER.match(str(values.get("approval_number") or "")):
        errors["approval_number"] = [N_("4-40 characters without spaces, e.g. 国药准字H20203456")]
    for name, limit in (("generic_name", 200), ("dosage_form", 80), ("strength_unit", 10)):
        text = str(values.get(name) or "").strip()
        if not text or len(text) > limit:
            errors[name] = [Message("required, at most {limit} characters", limit=limit)]
    for name, enum in (("dosage_class", DosageClass), ("smallest_unit", SmallestUnit)):
        try:
            enum(values.get(name))
        except ValueError:
            errors[name] = [Message("one of: {value}", value=", ".join(m.value for m in enum))]
    strength = values.get("strength")
    if not isinstance(strength, Decimal) or strength <= 0:
        errors["strength"] = [N_("a positive decimal number is required")]
    elif strength.as_tuple().exponent < -4:  # type: ignore[operator]
        errors["strength"] = [N_("at most 4 decimal places")]
    pack = values.get("pack_size")
    if not isinstance(pack, int) or isinstance(pack, bool) or not 1 <= pack <= MAX_PACK_SIZE:
        errors["pack_size"] = [
            Message(
                "a whole number of smallest units from 1 to {MAX_PACK_SIZE} (MAX_PACK_SIZE)",
                MAX_PACK_SIZE=MAX_PACK_SIZE,
            )
        ]
    approved = values.get("approval_date")
    if not isinstance(approved, date) or approved > business_date(now):
        errors["approval_date"] = [N_("a date not in the future is required")]
    return errors


def register_product(
    session: Session, *, data: dict[str, Any], now: datetime, actor: Actor
) -> Product:
    """Register a product for the acting manufacturer (never for another organization)."""
    actor.require(OrgKind.MANUFACTURER, action="register products")
    values = {"consistency_evaluated": False, "originator": False, "trade_name": None, **data}
    unknown = sorted(set(values) - set(PRODUCT_FIELDS))
    fail_fields(UnknownProductFields, {k: [N_("unknown field")] for k in unknown})
    fail_fields(ProductNotValid, _check_product(values, now))
    number = values["approval_number"]
    if session.scalar(select(Product.id).where(Product.approval_number == number)):
        raise DuplicateApprovalNumber(
            errors={"approval_number": [N_("already registered")]}, number=number
        )
    values["dosage_class"] = DosageClass(values["dosage_class"])
    values["smallest_unit"] = SmallestUnit(values["smallest_unit"])
    product = Product(**values, manufacturer_id=actor.org_id, created_at=now)
    session.add(product)
    session.flush()
    record(
        session,
        action="product.registered",
        subject_type="product",
        subject_id=product.id,
        now=now,
        actor=actor,
        payload={"approval_number": number, "generic_name": product.generic_name},
    )
    session.commit()
    return product


def _require_product_reader(actor: Actor) -> None:
    actor.require(OrgKind.MANUFACTURER, OrgKind.REGULATOR, write=False, action="see products")


def products_query(actor: Actor) -> Select:
    """A select of the products the actor may read (pages add filters, order and paging)."""
    _require_product_reader(actor)
    query = select(Product)
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(Product.manufacturer_id == actor.org_id)
    return query


def list_products(session: Session, *, actor: Actor) -> list[Product]:
    """A manufacturer's own products; every product for the regulator."""
    query = products_query(actor).order_by(Product.generic_name, Product.approval_number)
    return list(session.scalars(query))


def get_product(session: Session, *, product_id: int, actor: Actor) -> Product:
    """One product: its manufacturer's or, for the regulator, any (404 for another's)."""
    _require_product_reader(actor)
    product = session.get(Product, product_id)
    mine = product is not None and (
        actor.org_kind == OrgKind.REGULATOR or product.manufacturer_id == actor.org_id
    )
    if not mine:
        raise ProductNotFound(product_id=product_id)
    return product


def own_product(session: Session, *, product_id: int, actor: Actor) -> Product:
    """A product of the acting manufacturer, for bidding (403 for a non-manufacturer)."""
    if actor.org_kind != OrgKind.MANUFACTURER:
        raise NotProductOwner()
    return get_product(session, product_id=product_id, actor=actor)
