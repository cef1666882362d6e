"""Traceability alerts (RULES.md 11, one package one life): a package seen where it should not
be, naming where and when it was seen before. An alert is recorded in a transaction of its own,
even when the scan that raised it is refused: the refusal stores nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from procurement.auth.actor import Actor
from procurement.auth.models import Organization
from procurement.trace.models import EventKind, TraceEvent, TracePackage
from procurement.trace.scan_models import AlertKind, TraceAlert
from procurement.trace.services.lookup import OVERSIGHT

MAX_ALERTS_SHOWN = 200  # alerts a page or an API call lists, newest first


def first_event(session: Session, package: TracePackage, kind: EventKind) -> TraceEvent | None:
    """The package's first event of ``kind`` (read from its own partitions only)."""
    return session.scalars(
        select(TraceEvent)
        .where(
            TraceEvent.code == package.code,
            TraceEvent.kind == kind,
            TraceEvent.occurred_at.between(package.first_event_at, package.last_event_at),
        )
        .order_by(TraceEvent.occurred_at)
        .limit(1)
    ).first()


def raise_alert(
    session: Session,
    *,
    kind: AlertKind,
    code: str,
    org_id: int,
    now: datetime,
    package: TracePackage | None = None,
    before: TraceEvent | None = None,
) -> TraceAlert:
    """Record an alert and commit it; the caller's other changes are rolled back first (the
    request that raised it is refused)."""
    session.rollback()
    alert = new_alert(
        session, kind=kind, code=code, org_id=org_id, now=now, package=package, before=before
    )
    session.commit()
    return alert


def new_alert(
    session: Session,
    *,
    kind: AlertKind,
    code: str,
    org_id: int,
    now: datetime,
    package: TracePackage | None = None,
    before: TraceEvent | None = None,
) -> TraceAlert:
    """Add an alert to the session (no commit)."""
    alert = TraceAlert(
        kind=kind,
        code=code,
        product_id=package.product_id if package else None,
        org_id=org_id,
        seen_at=now,
        first_org_id=before.org_id if before else None,
        first_at=before.occurred_at if before else None,
        raised_at=now,
    )
    session.add(alert)
    return alert


@dataclass(frozen=True)
class AlertRow:
    alert: TraceAlert
    place: str  # where it was seen now
    first_place: str | None  # where it was seen before


def list_alerts(session: Session, *, actor: Actor, kind: AlertKind | None = None) -> list[AlertRow]:
    """Newest first (at most MAX_ALERTS_SHOWN): the regulator and the fund see all; an
    institution the alerts raised at it."""
    actor.require(write=False, action="see traceability alerts")
    now_org, first_org = aliased(Organization), aliased(Organization)
    query = (
        select(TraceAlert, now_org.name, first_org.name)
        .join(now_org, now_org.id == TraceAlert.org_id)
        .outerjoin(first_org, first_org.id == TraceAlert.first_org_id)
        .order_by(TraceAlert.raised_at.desc(), TraceAlert.id.desc())
        .limit(MAX_ALERTS_SHOWN)
    )
    if actor.org_kind not in OVERSIGHT:
        query = query.where(TraceAlert.org_id == actor.org_id)
    if kind is not None:
        query = query.where(TraceAlert.kind == kind)
    return [AlertRow(a, place, first) for a, place, first in session.execute(query)]
