"""Receiving by scan (issue 18 item 2): the ordering hospital scans each package's code into a
receipt draft (a case code counts its boxes), sees running counts per shipment line, and
accepts what was scanned; the rest is rejected with a reason, or accepted without a code with a
reason when the rules allow it (``TraceRules.receive_without_code``). A code received before
(anywhere) or never shipped raises a traceability alert (``alerts.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.models import Tender
from procurement.catalog.rules import TraceRules
from procurement.contracts.models import Contract
from procurement.core.clock import business_date
from procurement.core.errors import DomainError
from procurement.core.messages import N_, Message
from procurement.orders.models import Shipment, ShipmentLine
from procurement.orders.services.shipping import get_shipment
from procurement.trace.codes import lookup_key
from procurement.trace.errors import NotYourShipment, ScanRefused, ShipmentReceivedAlready
from procurement.trace.models import EventKind, PackageState, TracePackage
from procurement.trace.scan_models import AlertKind, ReceiptScan
from procurement.trace.services.alerts import first_event, raise_alert


@dataclass(frozen=True)
class LineCount:
    line: ShipmentLine
    packs: int  # boxes shipped on the line
    scanned: int  # boxes scanned so far (a case counts its boxes)


@dataclass(frozen=True)
class Draft:
    shipment: Shipment
    counts: list[LineCount]
    scans: list[ReceiptScan]  # newest first
    rules: TraceRules


def packs_of(line: ShipmentLine) -> int:
    return line.quantity // line.order_line.pack_size


def trace_rules(session: Session, contract_id: int | None) -> TraceRules:
    """The trace rules frozen in the tender of a contract (defaults without a contract)."""
    snapshot = None
    if contract_id is not None:
        snapshot = session.scalar(
            select(Tender.rules_snapshot)
            .join(Contract, Contract.tender_id == Tender.id)
            .where(Contract.id == contract_id)
        )
    return TraceRules.from_snapshot(snapshot)


def receiving_shipment(session: Session, *, shipment_id: int, now: datetime, actor: Actor):
    """A shipment the actor (its ordering hospital) may still receive by scan."""
    actor.require(OrgKind.HOSPITAL, action="receive by scan")
    shipment = get_shipment(session, shipment_id=shipment_id, now=now, actor=actor)
    if not actor.acts_for(shipment.order.hospital_id):
        raise NotYourShipment(shipment=shipment.number)
    if shipment.receipt is not None:
        raise ShipmentReceivedAlready(shipment=shipment.number)
    return shipment


def draft(session: Session, *, shipment_id: int, now: datetime, actor: Actor) -> Draft:
    """The receipt draft: counts per line and the codes scanned so far."""
    shipment = receiving_shipment(session, shipment_id=shipment_id, now=now, actor=actor)
    scans = session.scalars(
        select(ReceiptScan)
        .where(ReceiptScan.shipment_id == shipment.id)
        .order_by(ReceiptScan.scanned_at.desc(), ReceiptScan.code.desc())
    ).all()
    boxes = dict(
        session.execute(
            select(ReceiptScan.shipment_line_id, func.sum(ReceiptScan.boxes))
            .where(ReceiptScan.shipment_id == shipment.id)
            .group_by(ReceiptScan.shipment_line_id)
        ).all()
    )
    counts = [LineCount(x, packs_of(x), int(boxes.get(x.id, 0))) for x in shipment.lines]
    rules = trace_rules(session, shipment.lines[0].order_line.contract_id)
    return Draft(shipment, counts, list(scans), rules)


def scan_code(
    session: Session, *, shipment_id: int, code: str, now: datetime, actor: Actor
) -> Draft:
    """Add one scanned code to the receipt draft, or refuse it (a ``ScanRefused`` naming the
    code and why; an alert too when the package was received before or never shipped)."""
    shipment = receiving_shipment(session, shipment_id=shipment_id, now=now, actor=actor)
    key = lookup_key(code)
    shown = key or code.strip()[:100]
    if key is None:
        raise _refused(shown, N_("not a traceability code"))
    package = session.get(TracePackage, key)
    if package is None:
        raise_alert(session, kind=AlertKind.UNKNOWN_CODE, code=key, org_id=actor.org_id, now=now)
        raise _refused(key, N_("the platform never shipped this code"))
    if package.state != PackageState.SHIPPED:
        before = first_event(session, package, EventKind.RECEIVED)
        raise_alert(
            session,
            kind=AlertKind.SECOND_RECEIPT,
            code=key,
            org_id=actor.org_id,
            now=now,
            package=package,
            before=before,
        )
        raise _refused(key, N_("this package was received before"))
    line = _line_of(shipment, package)
    _check_not_scanned(session, shipment.id, package)
    session.add(
        ReceiptScan(
            shipment_id=shipment.id,
            code=key,
            shipment_line_id=line.id,
            boxes=package.boxes,
            scanned_at=now,
            scanned_by_user_id=actor.user_id,
        )
    )
    session.commit()
    return draft(session, shipment_id=shipment_id, now=now, actor=actor)


def _line_of(shipment: Shipment, package: TracePackage) -> ShipmentLine:
    for line in shipment.lines:
        if line.id == package.shipment_line_id:
            return line
    products = {line.order_line.product_id for line in shipment.lines}
    if package.product_id not in products:
        reason = N_("a code of another product")
    else:
        reason = N_("not on this shipment")
    raise _refused(package.code, reason)


def _check_not_scanned(session: Session, shipment_id: int, package: TracePackage) -> None:
    scanned = select(ReceiptScan.code).where(ReceiptScan.shipment_id == shipment_id)
    if session.scalar(scanned.where(ReceiptScan.code == package.code)):
        raise _refused(package.code, N_("scanned already"))
    if package.case_code and session.scalar(scanned.where(ReceiptScan.code == package.case_code)):
        raise _refused(
            package.code,
            Message("its case {case} was scanned already", case=package.case_code),
        )
    boxes_of_case = select(TracePackage.code).where(TracePackage.case_code == package.code)
    if session.scalar(scanned.where(ReceiptScan.code.in_(boxes_of_case)).limit(1)):
        raise _refused(package.code, N_("some of its boxes were scanned"))


def unscan_code(session: Session, *, shipment_id: int, code: str, now: datetime, actor: Actor):
    """Take a code off the receipt draft (a wrong scan)."""
    shipment = receiving_shipment(session, shipment_id=shipment_id, now=now, actor=actor)
    scan = session.get(ReceiptScan, (shipment.id, lookup_key(code) or code.strip()))
    if scan is not None:
        session.delete(scan)
        session.commit()
    return draft(session, shipment_id=shipment_id, now=now, actor=actor)


def _refused(code: str, reason) -> ScanRefused:
    return ScanRefused(errors={"code": [reason]}, package_code=code, reason=reason)


def must_scan(session: Session, *, shipment_id: int, now: datetime, actor: Actor) -> bool:
    """Whether the actor's shipment still to receive carries codes its contract requires to be
    scanned today: accepting it by quantities alone would leave it unpaid (the settlement holds
    it, ``settlement/services/holds.py``), so the quantity form sends the hospital here."""
    try:
        shipment = receiving_shipment(session, shipment_id=shipment_id, now=now, actor=actor)
    except DomainError:
        return False
    coded = session.scalars(
        select(TracePackage.shipment_line_id)
        .where(TracePackage.shipment_line_id.in_([line.id for line in shipment.lines]))
        .distinct()
    ).all()
    contracts = {line.order_line.contract_id for line in shipment.lines if line.id in coded}
    today = business_date(now)
    return any(trace_rules(session, c).codes_required(today) for c in contracts)
