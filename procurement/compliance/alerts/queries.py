"""Read side of the alert cases: the list a person may see (a select the pages paginate), one
case with what it concerns and its history, and counts for the regulator's to-do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from procurement.auth.actor import Actor
from procurement.auth.models import Organization, User
from procurement.auth.services.scope import buyer_clause
from procurement.catalog.models import Lot, Tender
from procurement.compliance.alerts.models import Alert, AlertStatus, EscalationStep
from procurement.compliance.alerts.services import get_alert
from procurement.compliance.common_services import OVERSIGHT
from procurement.contracts.models import Contract
from procurement.orders.models import PurchaseOrder


def visible_alerts(actor: Actor) -> Select:
    """The alerts the actor may see: oversight all, an organization its own (a select of
    ``Alert`` for a listing to filter, sort and page)."""
    actor.require(write=False, action="see compliance alerts")
    query = select(Alert).options(
        selectinload(Alert.subject), selectinload(Alert.lot), selectinload(Alert.responses)
    )
    if actor.org_kind not in OVERSIGHT:
        query = query.where(buyer_clause(Alert.subject_org_id, actor))
    return query


def in_region(province: str):
    """Alerts in a province: the alert's own region (orders, payments) or its subject's."""
    prefix = province[:2]
    return or_(
        Alert.region_code.startswith(prefix),
        Alert.subject_org_id.in_(
            select(Organization.id).where(Organization.region_code.startswith(prefix))
        ),
    )


def open_by_step(session: Session) -> dict[EscalationStep, int]:
    """Open alerts per escalation step (every step, zero included)."""
    rows = session.execute(
        select(Alert.step, func.count())
        .where(Alert.status == AlertStatus.OPEN)
        .group_by(Alert.step)
    )
    found = {EscalationStep(step): int(count) for step, count in rows}
    return {step: found.get(step, 0) for step in EscalationStep}


class StepKind(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    REPLIED = "replied"
    RESOLVED = "resolved"  # by a person, with a note
    CLEARED = "cleared"  # by the check: the condition no longer holds


@dataclass(frozen=True)
class CaseStep:
    """One entry of a case's history: what happened, when, by whom, with what note."""

    kind: StepKind
    at: datetime
    organization: str = ""
    person: str = ""
    note: str = ""
    step: EscalationStep | None = None


@dataclass
class AlertCase:
    """An alert with what it concerns and its history, oldest first."""

    alert: Alert
    subject: Organization | None
    tender: Tender | None
    lot: Lot | None
    order: PurchaseOrder | None
    contracts: list[Contract] = field(default_factory=list)
    history: list[CaseStep] = field(default_factory=list)

    @property
    def next_step(self) -> EscalationStep | None:
        steps = list(EscalationStep)
        position = steps.index(self.alert.step)
        return steps[position + 1] if position + 1 < len(steps) else None


def alert_case(session: Session, *, alert_id: int, actor: Actor) -> AlertCase:
    """One case (404 when it is not the actor's to see)."""
    alert = get_alert(session, alert_id=alert_id, actor=actor)
    contracts: list[Contract] = []
    if alert.lot_id is not None and alert.subject_org_id is not None:
        contracts = list(
            session.scalars(
                select(Contract)
                .where(
                    Contract.lot_id == alert.lot_id,
                    or_(
                        Contract.hospital_id == alert.subject_org_id,
                        Contract.manufacturer_id == alert.subject_org_id,
                    ),
                    *(
                        [Contract.contract_year == alert.contract_year]
                        if alert.contract_year
                        else []
                    ),
                )
                .order_by(Contract.id)
            )
        )
    return AlertCase(
        alert=alert,
        subject=alert.subject,
        tender=session.get(Tender, alert.tender_id) if alert.tender_id else None,
        lot=session.get(Lot, alert.lot_id) if alert.lot_id else None,
        order=session.get(PurchaseOrder, alert.order_id) if alert.order_id else None,
        contracts=contracts,
        history=_history(session, alert),
    )


def _history(session: Session, alert: Alert) -> list[CaseStep]:
    names = _names(session, alert)
    history = [CaseStep(StepKind.RAISED, alert.raised_at)]
    history += [
        CaseStep(
            StepKind.ESCALATED,
            escalation.at,
            *names(escalation.by_org_id, escalation.by_user_id),
            note=escalation.note,
            step=escalation.step,
        )
        for escalation in alert.escalations
    ]
    history += [
        CaseStep(StepKind.REPLIED, reply.at, *names(reply.by_org_id, reply.by_user_id), reply.note)
        for reply in alert.responses
    ]
    if alert.status == AlertStatus.RESOLVED and alert.resolved_at is not None:
        if alert.resolved_by_org_id is None:
            history.append(CaseStep(StepKind.CLEARED, alert.resolved_at))
        else:
            who = names(alert.resolved_by_org_id, alert.resolved_by_user_id)
            history.append(
                CaseStep(StepKind.RESOLVED, alert.resolved_at, *who, alert.resolution or "")
            )
    order = list(StepKind)
    return sorted(history, key=lambda entry: (entry.at, order.index(entry.kind)))


def _names(session: Session, alert: Alert):
    """A lookup (organization id, user id) -> (organization name, person's name)."""
    org_ids = {e.by_org_id for e in alert.escalations} | {r.by_org_id for r in alert.responses}
    user_ids = {e.by_user_id for e in alert.escalations} | {r.by_user_id for r in alert.responses}
    org_ids.add(alert.resolved_by_org_id)
    user_ids.add(alert.resolved_by_user_id)
    orgs = dict(
        session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(org_ids - {None}))
        ).all()
    )
    users = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_(user_ids - {None}))
        ).all()
    )

    def names(org_id: int | None, user_id: int | None) -> tuple[str, str]:
        return orgs.get(org_id, ""), users.get(user_id, "")

    return names
