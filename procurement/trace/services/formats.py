"""A manufacturer registers the code formats of its products."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.errors import ProductNotFound
from procurement.catalog.models import Product
from procurement.core.messages import Message
from procurement.trace.codes import CodeRefused, check_pattern, check_prefix, normal_gtin
from procurement.trace.errors import FormatsNotValid, NotYourProduct
from procurement.trace.models import ProductCodeFormat


def register_formats(
    session: Session,
    *,
    product_id: int,
    prefix: str | None,
    gtin: str | None,
    pattern: str | None,
    now: datetime,
    actor: Actor,
) -> ProductCodeFormat:
    """Register (or replace) a product's 码上放心 prefix, GTIN and own format (its manufacturer).
    A prefix or GTIN registered for another product is refused."""
    actor.require(OrgKind.MANUFACTURER, action="register code formats")
    product = session.get(Product, product_id)
    if product is None:
        raise ProductNotFound(product_id=product_id)
    if product.manufacturer_id != actor.org_id:
        raise NotYourProduct(product_id=product_id)
    errors: dict[str, list[str]] = {}
    if prefix is not None and (problem := check_prefix(prefix)):
        errors["prefix"] = [problem]
    if gtin is not None:
        try:
            gtin = normal_gtin(gtin)
        except CodeRefused as refused:
            errors["gtin"] = [refused.message]
    if pattern is not None and (problem := check_pattern(pattern)):
        errors["pattern"] = [problem]
    _check_taken(session, product_id, "prefix", prefix, errors)
    _check_taken(session, product_id, "gtin", gtin, errors)
    if errors:
        raise FormatsNotValid(errors=errors)
    formats = session.get(ProductCodeFormat, product_id) or ProductCodeFormat(product_id=product_id)
    formats.prefix, formats.gtin, formats.pattern = prefix, gtin, pattern
    formats.updated_at = now
    session.add(formats)
    session.flush()
    record(
        session,
        action="trace.formats_registered",
        subject_type="product",
        subject_id=product_id,
        now=now,
        actor=actor,
        payload={"prefix": prefix, "gtin": gtin, "pattern": pattern},
    )
    session.commit()
    return formats


def _check_taken(session, product_id, name, value, errors) -> None:
    if value is None or name in errors:
        return
    column = getattr(ProductCodeFormat, name)
    other = session.scalar(
        select(ProductCodeFormat.product_id).where(
            column == value, ProductCodeFormat.product_id != product_id
        )
    )
    if other is not None:
        errors[name] = [Message("{value} is registered for another product", value=value)]
