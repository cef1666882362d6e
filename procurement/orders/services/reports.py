"""Distributor appointments (manufacturer) and monthly off-platform purchase reports (hospital)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind, check_region_code, province_of
from procurement.catalog.models import Lot
from procurement.contracts.models import Contract
from procurement.core.clock import business_date
from procurement.core.messages import N_, Message
from procurement.core.money import round_amount
from procurement.orders.errors import (
    AppointmentNotFound,
    AppointmentRevoked,
    ContractNotYours,
    ContractOrLotMissing,
    DistributorAlreadyAppointed,
    NotADistributor,
    ReportNotValid,
    ValidityReversed,
)
from procurement.orders.models import DistributorAppointment, OffPlatformPurchase
from procurement.orders.services.common import OVERSIGHT


@dataclass(frozen=True)
class AppointmentRequest:
    distributor_code: str
    region_code: str
    lot_id: int | None = None
    contract_id: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None


def appoint_distributor(
    session: Session, *, request: AppointmentRequest, now: datetime, actor: Actor
) -> DistributorAppointment:
    """Appoint a distributor (配送企业) for a province, for a contract or for all the
    manufacturer's contracts of a lot. One active appointment per manufacturer, lot, province."""
    actor.require(OrgKind.MANUFACTURER, write=True, action="appoint distributors")
    check_region_code(request.region_code)
    region = province_of(request.region_code)
    distributor = session.scalar(
        select(Organization).where(Organization.code == request.distributor_code)
    )
    if distributor is None or distributor.kind != OrgKind.DISTRIBUTOR:
        raise NotADistributor(
            errors={"distributor_code": [N_("not a distributor")]},
            distributor_code=request.distributor_code,
        )
    lot_id = _lot_of(session, request, actor)
    start = request.valid_from or business_date(now)
    if request.valid_until is not None and request.valid_until < start:
        raise ValidityReversed(errors={"valid_until": [N_("before valid_from")]})
    _check_overlap(session, actor.org_id, lot_id, region, start, request.valid_until)
    appointment = DistributorAppointment(
        manufacturer_id=actor.org_id,
        distributor_id=distributor.id,
        contract_id=request.contract_id,
        lot_id=lot_id,
        region_code=region,
        valid_from=start,
        valid_until=request.valid_until,
        created_at=now,
    )
    session.add(appointment)
    session.flush()
    record(
        session,
        action="orders.distributor_appointed",
        subject_type="distributor_appointment",
        subject_id=appointment.id,
        now=now,
        actor=actor,
        payload={"distributor": distributor.code, "lot": lot_id, "region": region},
    )
    session.commit()
    return appointment


def _lot_of(session: Session, request: AppointmentRequest, actor: Actor) -> int:
    if request.contract_id is not None:
        contract = session.get(Contract, request.contract_id)
        if contract is None or contract.manufacturer_id != actor.org_id:
            raise ContractNotYours(
                errors={"contract_id": [N_("not your contract")]}, contract_id=request.contract_id
            )
        return contract.lot_id
    held = session.scalar(
        select(Contract.id)
        .where(Contract.lot_id == request.lot_id, Contract.manufacturer_id == actor.org_id)
        .limit(1)
    )
    if request.lot_id is None or held is None:
        raise ContractOrLotMissing(errors={"lot_id": [N_("you hold no contract for this lot")]})
    return request.lot_id


def _check_overlap(session, manufacturer_id, lot_id, region, start, until) -> None:
    clash = session.scalar(
        select(DistributorAppointment).where(
            DistributorAppointment.manufacturer_id == manufacturer_id,
            DistributorAppointment.lot_id == lot_id,
            DistributorAppointment.region_code == region,
            DistributorAppointment.revoked_at.is_(None),
            or_(
                DistributorAppointment.valid_until.is_(None),
                DistributorAppointment.valid_until >= start,
            ),
            *([DistributorAppointment.valid_from <= until] if until else []),
        )
    )
    if clash is not None:
        raise DistributorAlreadyAppointed(
            appointment_id=clash.id, region=region, valid_from=clash.valid_from
        )


def revoke_appointment(
    session: Session, *, appointment_id: int, now: datetime, actor: Actor
) -> DistributorAppointment:
    """End an appointment (its manufacturer)."""
    actor.require(OrgKind.MANUFACTURER, write=True, action="revoke distributors")
    appointment = session.get(DistributorAppointment, appointment_id)
    if appointment is None or appointment.manufacturer_id != actor.org_id:
        raise AppointmentNotFound(appointment_id=appointment_id)
    if appointment.revoked_at is not None:
        raise AppointmentRevoked()
    appointment.revoked_at = now
    record(
        session,
        action="orders.distributor_revoked",
        subject_type="distributor_appointment",
        subject_id=appointment.id,
        now=now,
        actor=actor,
        payload={},
    )
    session.commit()
    return appointment


def list_appointments(session: Session, *, actor: Actor) -> list[DistributorAppointment]:
    """A manufacturer's appointments, a distributor's own, or all (regulator)."""
    actor.require(write=False, action="see distributor appointments")
    query = select(DistributorAppointment).order_by(DistributorAppointment.id)
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(DistributorAppointment.manufacturer_id == actor.org_id)
    elif actor.org_kind == OrgKind.DISTRIBUTOR:
        query = query.where(DistributorAppointment.distributor_id == actor.org_id)
    elif actor.org_kind not in OVERSIGHT:
        return []
    return list(session.scalars(query))


def report_off_platform(
    session: Session,
    *,
    lot_id: int,
    month: date,
    quantity: int,
    amount: Decimal,
    now: datetime,
    actor: Actor,
) -> OffPlatformPurchase:
    """Report (or correct) a month's off-platform purchases of a lot (the hospital)."""
    actor.require(OrgKind.HOSPITAL, write=True, action="report off-platform purchases")
    errors = {}
    if quantity < 0:
        errors["quantity"] = [N_("cannot be negative")]
    if amount < 0:
        errors["amount"] = [N_("cannot be negative")]
    month = month.replace(day=1)
    if month > business_date(now):
        errors["month"] = [Message("{month} has not started yet", month=f"{month:%Y-%m}")]
    if session.get(Lot, lot_id) is None:
        errors["lot_id"] = [Message("unknown lot {lot_id}", lot_id=lot_id)]
    if errors:
        raise ReportNotValid(errors=errors)
    row = session.scalar(
        select(OffPlatformPurchase).where(
            OffPlatformPurchase.hospital_id == actor.org_id,
            OffPlatformPurchase.lot_id == lot_id,
            OffPlatformPurchase.month == month,
        )
    )
    if row is None:
        row = OffPlatformPurchase(
            hospital_id=actor.org_id,
            lot_id=lot_id,
            month=month,
            quantity=0,
            amount=Decimal(0),
            reported_at=now,
        )
        session.add(row)
    row.quantity, row.amount, row.reported_at = quantity, round_amount(amount), now
    session.flush()
    record(
        session,
        action="orders.off_platform_reported",
        subject_type="off_platform_purchase",
        subject_id=row.id,
        now=now,
        actor=actor,
        payload={
            "lot": lot_id,
            "month": f"{month:%Y-%m}",
            "quantity": quantity,
            "amount": str(row.amount),
        },
    )
    session.commit()
    return row


def list_off_platform(session: Session, *, actor: Actor) -> list[OffPlatformPurchase]:
    """A hospital's own reports; the regulator and the fund see all."""
    actor.require(OrgKind.HOSPITAL, *OVERSIGHT, write=False, action="see off-platform reports")
    query = select(OffPlatformPurchase).order_by(OffPlatformPurchase.month.desc())
    if actor.org_kind == OrgKind.HOSPITAL:
        query = query.where(OffPlatformPurchase.hospital_id == actor.org_id)
    return list(session.scalars(query))
