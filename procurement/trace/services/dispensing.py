"""Dispensing and returns by code (issue 18 items 3-4): an institution uploads the codes it
dispensed (a file from its hospital information system, or scans) or sent back. Each box is
dispensed once, by the institution that received it: a second dispense, a dispense before
receipt, a dispense where the package was never delivered, or a code never shipped is not
recorded and raises a traceability alert naming where and when the package was seen before.
The codes that pass are recorded in the same transaction as the alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.core.messages import N_, Message
from procurement.trace.codes import lookup_key
from procurement.trace.errors import DispensingNotValid
from procurement.trace.models import (
    EventKind,
    PackageLevel,
    PackageState,
    TraceEvent,
    TracePackage,
)
from procurement.trace.scan_models import AlertKind
from procurement.trace.services.alerts import first_event, new_alert
from procurement.trace.services.stock_ledger import add_to_stock
from procurement.trace.services.store import ensure_partition

MAX_DISPENSE_CODES = 10_000  # codes in one dispensing upload


class Movement(StrEnum):
    DISPENSE = "dispense"
    RETURN = "return"


@dataclass
class DispenseResult:
    recorded: int = 0
    alerts: list[tuple[str, AlertKind]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (code, reason)


def record_movements(
    session: Session,
    *,
    codes: list[str],
    movement: Movement,
    now: datetime,
    actor: Actor,
) -> DispenseResult:
    actor.require(OrgKind.HOSPITAL, action="dispense or return by code")
    codes = [c.strip() for c in codes if c and c.strip()]
    if not codes:
        raise DispensingNotValid(errors={"codes": [N_("send at least one code")]})
    if len(codes) > MAX_DISPENSE_CODES:
        raise DispensingNotValid(
            errors={"codes": [Message("at most {n} codes an upload", n=MAX_DISPENSE_CODES)]}
        )
    ensure_partition(session, now)
    result, seen = DispenseResult(), set()
    for code in codes:
        key = lookup_key(code)
        if key is None or key in seen:
            result.refused.append((code, N_("repeated") if key else N_("not a traceability code")))
            continue
        seen.add(key)
        if movement == Movement.DISPENSE:
            _dispense(session, key, now, actor, result)
        else:
            _return(session, key, now, actor, result)
    session.commit()
    return result


def _dispense(session, key: str, now, actor: Actor, result: DispenseResult) -> None:
    package = session.get(TracePackage, key)
    if package is None:
        new_alert(session, kind=AlertKind.UNKNOWN_CODE, code=key, org_id=actor.org_id, now=now)
        result.alerts.append((key, AlertKind.UNKNOWN_CODE))
        return
    if package.level == PackageLevel.CASE:
        result.refused.append((key, N_("dispense the boxes of a case, not the case")))
        return
    kind, before = _problem(session, package, actor)
    if kind is not None:
        new_alert(
            session,
            kind=kind,
            code=key,
            org_id=actor.org_id,
            now=now,
            package=package,
            before=before,
        )
        result.alerts.append((key, kind))
        return
    _move(session, package, EventKind.DISPENSED, now, actor)
    add_to_stock(session, **_stock_key(package, actor), now=now, dispensed=1)
    result.recorded += 1


def _problem(session, package: TracePackage, actor: Actor):
    """(alert kind, the earlier event it names) of dispensing this package here, or (None, None)."""
    if package.state == PackageState.DISPENSED:
        return AlertKind.SECOND_DISPENSE, first_event(session, package, EventKind.DISPENSED)
    if package.state == PackageState.SHIPPED:
        return AlertKind.DISPENSE_BEFORE_RECEIPT, first_event(session, package, EventKind.SHIPPED)
    if package.state == PackageState.RETURNED or package.holder_org_id != actor.org_id:
        return AlertKind.DISPENSE_ELSEWHERE, first_event(session, package, EventKind.RECEIVED)
    return None, None


def _return(session, key: str, now, actor: Actor, result: DispenseResult) -> None:
    package = session.get(TracePackage, key)
    if (
        package is None
        or package.level == PackageLevel.CASE
        or package.state != PackageState.RECEIVED
        or package.holder_org_id != actor.org_id
    ):
        result.refused.append((key, N_("not a box in your stock")))
        return
    _move(session, package, EventKind.RETURNED, now, actor)
    add_to_stock(session, **_stock_key(package, actor), now=now, returned=1)
    result.recorded += 1


def _stock_key(package: TracePackage, actor: Actor) -> dict:
    return {
        "org_id": actor.org_id,
        "product_id": package.product_id,
        "batch_no": package.batch_no,
        "expiry_date": package.expiry_date,
    }


def _move(session, package: TracePackage, kind: EventKind, now, actor: Actor) -> None:
    package.state = PackageState(kind.value)
    package.last_event_at = package.updated_at = now
    session.add(
        TraceEvent(
            code=package.code,
            occurred_at=now,
            kind=kind,
            org_id=actor.org_id,
            shipment_line_id=package.shipment_line_id,
        )
    )
