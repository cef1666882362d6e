"""Reading packages: the public lookup (anyone: what the package is, whether it was dispensed),
a package's history (the regulator and the fund; the holder for its own packages), and the
codes of a shipment line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.catalog.models import Product
from procurement.orders.models import ShipmentLine
from procurement.trace.codes import lookup_key
from procurement.trace.errors import PackageNotFound, ShipmentLineNotFound
from procurement.trace.models import PackageLevel, PackageState, TraceEvent, TracePackage

OVERSIGHT = (OrgKind.REGULATOR, OrgKind.FUND)
MAX_LINE_CODES_SHOWN = 50  # codes a line's page lists (the count says how many there are)


@dataclass(frozen=True)
class PublicPackage:
    """What anyone may know of a package: never where it is, nor who holds or dispensed it."""

    code: str
    found: bool
    product: Product | None = None
    manufacturer: str | None = None
    batch_no: str | None = None
    expiry_date: date | None = None
    level: PackageLevel | None = None
    boxes: int | None = None
    dispensed: bool = False


@dataclass(frozen=True)
class PackageHistory:
    package: TracePackage
    product: Product
    events: list[TraceEvent]
    org_names: dict[int, str]  # of the organizations in the events


def public_lookup(session: Session, *, code: str) -> PublicPackage:
    """The public facts of the package a code (as typed or scanned) stands for."""
    key = lookup_key(code)
    package = session.get(TracePackage, key) if key else None
    if package is None:
        return PublicPackage(code=key or code.strip(), found=False)
    product = session.get(Product, package.product_id)
    maker = session.get(Organization, product.manufacturer_id) if product else None
    return PublicPackage(
        code=key,
        found=True,
        product=product,
        manufacturer=maker.name if maker else None,
        batch_no=package.batch_no,
        expiry_date=package.expiry_date,
        level=package.level,
        boxes=package.boxes,
        dispensed=package.state == PackageState.DISPENSED,
    )


def package_history(session: Session, *, code: str, actor: Actor) -> PackageHistory:
    """A package and its events in order (the regulator and the fund: any package; an
    organization: the packages it holds). Others get a 404, as for an unknown code. Two reads:
    the package with its product, then its events with their organizations' names."""
    actor.require(write=False, action="see a package's history")
    key = lookup_key(code)
    found = (
        session.execute(
            select(TracePackage, Product)
            .outerjoin(Product, Product.id == TracePackage.product_id)
            .where(TracePackage.code == key)
        ).first()
        if key
        else None
    )
    if found is None or not (actor.org_kind in OVERSIGHT or found[0].holder_org_id == actor.org_id):
        raise PackageNotFound(package_code=key or code.strip())
    package, product = found
    rows = session.execute(
        select(TraceEvent, Organization.name)
        .outerjoin(Organization, Organization.id == TraceEvent.org_id)
        # Between the package's first and last events: only those months' partitions are read.
        .where(
            TraceEvent.code == package.code,
            TraceEvent.occurred_at.between(package.first_event_at, package.last_event_at),
        )
        .order_by(TraceEvent.occurred_at, TraceEvent.kind)
    ).all()
    names = {event.org_id: name for event, name in rows if name is not None}
    return PackageHistory(package, product, [event for event, _ in rows], names)


def line_codes(
    session: Session, *, shipment_line_id: int, actor: Actor
) -> tuple[int, int, list[TracePackage]]:
    """(boxes, cases, the first MAX_LINE_CODES_SHOWN packages) of a shipment line whose
    packages the actor holds or oversees."""
    actor.require(write=False, action="see traceability codes")
    line = session.get(ShipmentLine, shipment_line_id)
    if line is None or not (
        actor.org_kind in OVERSIGHT
        or actor.org_id in (line.shipment.shipper_id, line.shipment.order.manufacturer_id)
    ):
        raise ShipmentLineNotFound(shipment_line_id=shipment_line_id)
    counts = dict(
        session.execute(
            select(TracePackage.level, func.count())
            .where(TracePackage.shipment_line_id == shipment_line_id)
            .group_by(TracePackage.level)
        ).all()
    )
    first = session.scalars(
        select(TracePackage)
        .where(TracePackage.shipment_line_id == shipment_line_id)
        .order_by(TracePackage.level, TracePackage.code)
        .limit(MAX_LINE_CODES_SHOWN)
    ).all()
    return counts.get(PackageLevel.BOX, 0), counts.get(PackageLevel.CASE, 0), list(first)
