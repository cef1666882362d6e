"""The price outlier alert condition (RULES.md 13): an institution whose average unit price for
a product over the window is more than ``price_outlier_margin`` above the lowest its province
paid for it (under the same lot). One open alert per lot, product, province and institution,
raised once by the compliance check and closed when the price is back within the margin (or
the purchases left the window)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from procurement.auth.regions import region_name
from procurement.compliance.alerts.conditions_queries import Condition
from procurement.compliance.alerts.models import AlertKind, Severity
from procurement.compliance.prices.calc import outlier_key, spec
from procurement.compliance.prices.services import Found, find_outliers
from procurement.core.messages import Message


def price_conditions(session: Session, now: datetime) -> list[Condition]:
    """price_outlier per lot, product, province and institution."""
    return [_condition(found) for found in find_outliers(session, now)]


def _condition(found: Found) -> Condition:
    o, product = found.outlier, found.product
    return Condition(
        AlertKind.PRICE_OUTLIER,
        outlier_key(o),
        Severity.WARNING,
        Message(
            "{institution} paid {paid} per unit for {product} {spec} ({maker}), {excess} above "
            "the lowest in {region}, {lowest} paid by {lowest_institution} (margin {margin}).",
            institution=found.institution.name,
            paid=o.paid,
            product=product.generic_name,
            spec=spec(product),
            maker=product.manufacturer.name,
            excess=f"{o.excess * 100:.2f}%",
            region=region_name(o.region) or o.region,
            lowest=o.lowest,
            lowest_institution=found.lowest_institution.name,
            margin=f"{o.margin * 100:.0f}%",
        ),
        subject_org_id=o.institution_id,
        region_code=o.region,
        tender_id=None,
        lot_id=o.lot_id,
        facts={
            "product_id": o.product_id,
            "paid": str(o.paid),
            "quantity": o.quantity,
            "amount": str(o.amount),
            "lowest_price": str(o.lowest),
            "lowest_institution_id": o.lowest_institution_id,
            "lowest_institution": found.lowest_institution.name,
            "excess": str(o.excess),
            "margin": str(o.margin),
        },
    )
