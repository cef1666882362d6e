"""Volume per contract, batch tracing, service-level breach detection and supply alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.contracts.errors import ContractNotFound
from procurement.contracts.models import Contract
from procurement.core.clock import business_time
from procurement.core.money import round_ratio
from procurement.orders import rules
from procurement.orders.errors import BatchNotFound
from procurement.orders.models import (
    ContractVolume,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    ReceiptLine,
    Shipment,
    ShipmentLine,
    SlaBreach,
    SlaKind,
    SupplyAlert,
    SupplyAlertKind,
)
from procurement.orders.services.common import OVERSIGHT


@dataclass
class Volume:
    contract_id: int
    agreed: int
    ordered: int = 0
    beyond_agreed: int = 0
    shipped: int = 0
    accepted: int = 0
    rejected: int = 0

    @property
    def within_agreed(self) -> int:
        return self.ordered - self.beyond_agreed

    @property
    def remaining(self) -> int:
        return max(0, self.agreed - self.ordered)

    @property
    def completion(self) -> Decimal:
        """Accepted / agreed (RULES.md 6; may exceed 1)."""
        return round_ratio(Decimal(self.accepted) / self.agreed) if self.agreed else Decimal(0)


def contract_volume(session: Session, *, contract_id: int, actor: Actor) -> Volume:
    """Agreed, ordered, within/beyond, shipped, accepted and remaining volume of a contract (its
    hospital and manufacturer, the regulator and the fund)."""
    actor.require(write=False, action="see contract volumes")
    contract = session.get(Contract, contract_id)
    visible = contract is not None and (
        actor.org_kind in OVERSIGHT
        or actor.org_id in (contract.hospital_id, contract.manufacturer_id)
    )
    if not visible:
        raise ContractNotFound(contract_id=contract_id)
    return volumes_of(session, [contract])[contract.id]


def volumes_of(session: Session, contracts: list[Contract]) -> dict[int, Volume]:
    ids = [c.id for c in contracts]
    rows = {
        r.contract_id: r
        for r in session.scalars(select(ContractVolume).where(ContractVolume.contract_id.in_(ids)))
    }
    out = {}
    for c in contracts:
        row = rows.get(c.id)
        out[c.id] = (
            Volume(c.id, c.agreed_volume)
            if row is None
            else Volume(
                c.id,
                row.agreed,
                row.ordered,
                row.beyond_agreed,
                row.shipped,
                row.accepted,
                row.rejected,
            )
        )
    return out


@dataclass
class TraceStop:
    shipment_number: str
    shipped_at: datetime
    shipper: str
    order_number: str
    hospital_id: int
    hospital: str
    product_id: int
    quantity: int
    production_date: date
    expiry_date: date
    accepted_quantity: int | None
    rejected_quantity: int | None
    received_at: datetime | None


@dataclass
class Trace:
    batch_no: str
    manufacturer_ids: list[int]
    stops: list[TraceStop] = field(default_factory=list)

    @property
    def shipped(self) -> int:
        return sum(s.quantity for s in self.stops)

    @property
    def accepted(self) -> int:
        return sum(s.accepted_quantity or 0 for s in self.stops)


def trace_batch(session: Session, *, batch_no: str, actor: Actor) -> Trace:
    """Where a batch went: every shipment line with that batch number, to every hospital, and
    what each accepted (the regulator; a manufacturer for its own products' batches)."""
    actor.require(OrgKind.REGULATOR, OrgKind.MANUFACTURER, write=False, action="trace batches")
    hospital = Organization.__table__.alias("hospital")
    shipper = Organization.__table__.alias("shipper")
    query = (
        select(
            ShipmentLine,
            Shipment.number,
            Shipment.shipped_at,
            shipper.c.name,
            PurchaseOrder.number.label("order_number"),
            PurchaseOrder.hospital_id,
            hospital.c.name.label("hospital"),
            OrderLine.product_id,
            OrderLine.manufacturer_id,
            ReceiptLine.accepted_quantity,
            ReceiptLine.rejected_quantity,
            ReceiptLine.received_at,
        )
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .join(shipper, shipper.c.id == Shipment.shipper_id)
        .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == OrderLine.order_id)
        .join(hospital, hospital.c.id == PurchaseOrder.hospital_id)
        .outerjoin(ReceiptLine, ReceiptLine.shipment_line_id == ShipmentLine.id)
        .where(ShipmentLine.batch_no == batch_no)
        .order_by(Shipment.shipped_at, ShipmentLine.id)
    )
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(OrderLine.manufacturer_id == actor.org_id)
    rows = session.execute(query).all()
    if not rows:
        raise BatchNotFound(batch_no=batch_no)
    trace = Trace(batch_no, sorted({r.manufacturer_id for r in rows}))
    for r in rows:
        line = r[0]
        trace.stops.append(
            TraceStop(
                r.number,
                r.shipped_at,
                r.name,
                r.order_number,
                r.hospital_id,
                r.hospital,
                r.product_id,
                line.quantity,
                line.production_date,
                line.expiry_date,
                r.accepted_quantity,
                r.rejected_quantity,
                r.received_at,
            )
        )
    return trace


@dataclass
class SlaReport:
    new_breaches: int = 0
    updated_breaches: int = 0
    alerts: int = 0


def detect_sla_breaches(
    session: Session, *, now: datetime, actor: Actor | None = None
) -> SlaReport:
    """Record confirm/deliver breaches (with hours late) of every order overdue at ``now``; an
    order still unconfirmed past its limit raises a confirm_overdue supply alert. Re-running is
    safe: a breach still open is updated, a finished one keeps its final duration."""
    if actor is not None:
        actor.require(OrgKind.REGULATOR, write=True, action="run the service-level check")
    report = SlaReport()
    breaches = {(b.order_id, b.kind): b for b in session.scalars(select(SlaBreach))}
    candidates = session.scalars(
        select(PurchaseOrder)
        .where(
            (PurchaseOrder.confirm_due_at < now) | (PurchaseOrder.deliver_due_at < now),
            PurchaseOrder.status != OrderStatus.CANCELLED,
        )
        .order_by(PurchaseOrder.id)
    )
    for order in candidates:
        for kind, due, happened in _steps(order):
            finding = rules.find_breach(kind.value, due, happened, now)
            if finding is not None:
                _store(session, order, kind, finding, breaches, now, report)
    if actor is not None or report.new_breaches or report.alerts:
        record(
            session,
            action="orders.sla_checked",
            subject_type="sla",
            subject_id="all",
            now=now,
            actor=actor,
            payload=vars(report),
        )
    session.commit()
    return report


def _steps(order: PurchaseOrder):
    responded = order.confirmed_at or order.rejected_at
    yield SlaKind.CONFIRM, order.confirm_due_at, responded
    if order.status != OrderStatus.REJECTED:
        yield SlaKind.DELIVER, order.deliver_due_at, order.shipped_at


def _store(session, order, kind, finding, breaches, now, report) -> None:
    breach = breaches.get((order.id, kind))
    if breach is None:
        session.add(
            SlaBreach(
                order_id=order.id,
                manufacturer_id=order.manufacturer_id,
                kind=kind,
                due_at=finding.due_at,
                happened_at=finding.happened_at,
                hours_late=finding.hours_late,
                detected_at=now,
            )
        )
        report.new_breaches += 1
    elif breach.happened_at is None:
        breach.happened_at, breach.hours_late = finding.happened_at, finding.hours_late
        breach.detected_at = now
        report.updated_breaches += 1
    else:
        return  # a finished breach: its duration is final
    if kind == SlaKind.CONFIRM and finding.happened_at is None:
        _alert(session, order, now, report)


def _alert(session, order, now, report) -> None:
    exists = session.scalar(
        select(SupplyAlert.id).where(
            SupplyAlert.order_id == order.id, SupplyAlert.kind == SupplyAlertKind.CONFIRM_OVERDUE
        )
    )
    if exists is None:
        session.add(
            SupplyAlert(
                kind=SupplyAlertKind.CONFIRM_OVERDUE,
                order_id=order.id,
                hospital_id=order.hospital_id,
                manufacturer_id=order.manufacturer_id,
                region_code=order.region_code,
                raised_at=now,
                detail=f"Order {order.number} not confirmed by "
                f"{business_time(order.confirm_due_at):%Y-%m-%d %H:%M %Z}: shortage risk",
            )
        )
        report.alerts += 1


def list_alerts(session: Session, *, actor: Actor) -> list[SupplyAlert]:
    """Supply alerts: the regulator all, a hospital or manufacturer its own."""
    actor.require(write=False, action="see supply alerts")
    query = select(SupplyAlert).order_by(SupplyAlert.raised_at.desc())
    if actor.org_kind == OrgKind.HOSPITAL:
        query = query.where(SupplyAlert.hospital_id == actor.org_id)
    elif actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(SupplyAlert.manufacturer_id == actor.org_id)
    elif actor.org_kind not in OVERSIGHT:
        return []
    return list(session.scalars(query))
