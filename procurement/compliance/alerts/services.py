"""Alerts (RULES.md 6) are cases: raised once per condition, escalated by the regulator up the
ladder reminder (提醒) -> public notice (通报) -> summons (约谈), answered by the subject
organization, and closed only when the check finds the condition no longer holds or when a
person resolves the case with a note. A closed case keeps its steps and replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.auth.services.scope import buyer_clause
from procurement.compliance.alerts.conditions_queries import (
    Condition,
    ContractYear,
    all_conditions,
    running_years,
)
from procurement.compliance.alerts.models import (
    LADDER,
    NOTE_LIMIT,
    Alert,
    AlertEscalation,
    AlertKind,
    AlertLevelChange,
    AlertResponse,
    AlertStatus,
    EscalationStep,
)
from procurement.compliance.alerts.outbox_services import record_alert_event
from procurement.compliance.common_services import OVERSIGHT
from procurement.compliance.errors import (
    AlertAtLastStep,
    AlertNotFound,
    AlertResolved,
    ClosingNoteLength,
    ResolvedAlertNotEscalated,
    ResponseLength,
    UnknownFilterValue,
)
from procurement.compliance.shortage.rules import overdue_periods
from procurement.core.clock import business_date
from procurement.core.errors import ValidationFailed
from procurement.core.messages import Message
from procurement.events.types import EventType
from procurement.orders.models import SupplyAlert


@dataclass
class Evaluation:
    raised: int = 0
    updated: int = 0
    resolved: int = 0
    open: int = 0


CLEARED = "condition cleared"  # the resolution of a case the check closed

PROGRESS_KINDS = frozenset(
    {AlertKind.HOSPITAL_BEHIND, AlertKind.ZERO_PURCHASE, AlertKind.HIGH_NON_WINNING_SHARE}
)


def evaluate_alerts(session: Session, *, now: datetime, actor: Actor | None = None) -> Evaluation:
    """Raise alerts for new conditions (once), refresh open ones, resolve those that cleared.

    Only what the check looked at can clear: a progress alert of a contract year that is no
    longer running (its year over) stays open as a case until a person resolves it with a
    note. A closed alert keeps its escalation steps and replies. Running the check twice
    changes no alert."""
    if actor is not None:
        actor.require(OrgKind.REGULATOR, action="run the compliance check")
    found = all_conditions(session, now)
    running = set(running_years(session, now))
    periods = set(overdue_periods(business_date(now)))
    result = Evaluation()
    open_alerts = {
        a.dedup_key: a
        for a in session.scalars(select(Alert).where(Alert.status == AlertStatus.OPEN))
    }
    for key, condition in found.items():
        alert = open_alerts.get(key)
        if alert is None:
            _raise(session, condition, now)
            result.raised += 1
        elif _refresh(session, alert, condition, now):
            result.updated += 1
    for key, alert in open_alerts.items():
        if key not in found and _was_checked(alert, running, periods):
            _close(session, alert, CLEARED, now, None)
            result.resolved += 1
    _consume_supply_alerts(session, now)
    result.open = len(found)
    record(
        session,
        action="compliance.checked",
        subject_type="compliance",
        subject_id="alerts",
        now=now,
        actor=actor,
        payload=vars(result),
    )
    session.commit()
    return result


def _was_checked(alert: Alert, running: set[ContractYear], periods: set[str]) -> bool:
    """Whether this check evaluated the alert's condition (progress: only running years; a
    missing shortage report: only months within the look-back, so an old one stays open)."""
    if alert.kind == AlertKind.SHORTAGE_REPORT_MISSING:
        return (alert.facts or {}).get("period") in periods
    if alert.kind not in PROGRESS_KINDS:
        return True
    return (alert.tender_id, alert.contract_year) in running


def _raise(session: Session, condition: Condition, now: datetime) -> Alert:
    alert = Alert(
        kind=condition.kind,
        severity=condition.severity,
        dedup_key=condition.key,
        open_key=condition.key,
        subject_org_id=condition.subject_org_id,
        region_code=condition.region_code,
        tender_id=condition.tender_id,
        lot_id=condition.lot_id,
        order_id=condition.order_id,
        contract_year=condition.contract_year,
        detail=condition.detail,
        facts=condition.facts,
        status=AlertStatus.OPEN,
        step=EscalationStep.NONE,
        raised_at=now,
        updated_at=now,
        level=condition.level,
    )
    session.add(alert)
    session.flush()
    _record_level(session, alert, condition, now)
    record_alert_event(session, EventType.ALERT_RAISED, alert, now)
    record(
        session,
        action="compliance.alert_raised",
        subject_type="alert",
        subject_id=alert.id,
        now=now,
        payload={
            "kind": condition.kind.value,
            "key": condition.key,
            "severity": condition.severity.value,
        },
    )
    return alert


def _record_level(session: Session, alert: Alert, condition: Condition, now: datetime) -> None:
    """A graded alert's level, kept in its history (raised at it, or changed to it)."""
    if condition.level is not None:
        alert.levels.append(
            AlertLevelChange(
                level=condition.level,
                region_code=condition.level_region,
                detail=condition.detail,
                at=now,
            )
        )


def _refresh(session: Session, alert: Alert, condition: Condition, now: datetime) -> bool:
    if alert.level != condition.level:
        alert.level = condition.level
        _record_level(session, alert, condition, now)
    elif (alert.severity, alert.detail, alert.facts) == (
        condition.severity,
        condition.detail,
        condition.facts,
    ):
        return False
    alert.severity, alert.detail, alert.facts, alert.updated_at = (
        condition.severity,
        condition.detail,
        condition.facts,
        now,
    )
    return True


def _close(session: Session, alert: Alert, why: str, now: datetime, actor: Actor | None) -> None:
    """Close the case: by the check (``actor`` None: its condition no longer holds) or by a
    person with a note."""
    alert.status, alert.open_key = AlertStatus.RESOLVED, None
    alert.resolved_at, alert.resolution, alert.updated_at = now, why, now
    if actor is not None:
        alert.resolved_by_org_id, alert.resolved_by_user_id = actor.org_id, actor.user_id
    record(
        session,
        action="compliance.alert_resolved",
        subject_type="alert",
        subject_id=alert.id,
        now=now,
        actor=actor,
        payload={"why": why},
    )


def _consume_supply_alerts(session: Session, now: datetime) -> None:
    for signal in session.scalars(select(SupplyAlert).where(SupplyAlert.consumed_at.is_(None))):
        signal.consumed_at = now


def list_alerts(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    kind: str | None = None,
    step: str | None = None,
) -> list[Alert]:
    """Alerts: the regulator and the fund see all; an organization sees its own."""
    actor.require(write=False, action="see compliance alerts")
    query = select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc())
    if actor.org_kind not in OVERSIGHT:
        query = query.where(buyer_clause(Alert.subject_org_id, actor))
    for column, value, enum in (
        (Alert.status, status, AlertStatus),
        (Alert.kind, kind, AlertKind),
        (Alert.step, step, EscalationStep),
    ):
        if value:
            if value not in {m.value for m in enum}:
                raise UnknownFilterValue(
                    errors={column.key: [Message("'{value}' is not known", value=value)]},
                    value=value,
                )
            query = query.where(column == value)
    return list(session.scalars(query))


def get_alert(session: Session, *, alert_id: int, actor: Actor) -> Alert:
    """One alert (404 when it is not the actor's to see)."""
    actor.require(write=False, action="see compliance alerts")
    alert = session.get(Alert, alert_id)
    if alert is None or (
        actor.org_kind not in OVERSIGHT and not actor.acts_for(alert.subject_org_id)
    ):
        raise AlertNotFound(alert_id=alert_id)
    return alert


def escalate_alert(
    session: Session, *, alert_id: int, note: str = "", now: datetime, actor: Actor
) -> Alert:
    """Move an open alert one step up the ladder (regulator), recording who and when."""
    actor.require(OrgKind.REGULATOR, action="escalate alerts")
    alert = get_alert(session, alert_id=alert_id, actor=actor)
    if alert.status != AlertStatus.OPEN:
        raise ResolvedAlertNotEscalated(alert_id=alert.id)
    position = LADDER.index(alert.step)
    if position == len(LADDER) - 1:
        raise AlertAtLastStep(alert_id=alert.id)
    alert.step = LADDER[position + 1]
    alert.updated_at = now
    session.add(
        AlertEscalation(
            alert_id=alert.id,
            step=alert.step,
            by_org_id=actor.org_id,
            by_user_id=actor.user_id,
            note=(note or "").strip(),
            at=now,
        )
    )
    record_alert_event(session, EventType.ALERT_ESCALATED, alert, now)
    record(
        session,
        action="compliance.alert_escalated",
        subject_type="alert",
        subject_id=alert.id,
        now=now,
        actor=actor,
        payload={"step": alert.step.value},
    )
    session.commit()
    return alert


def respond_to_alert(
    session: Session, *, alert_id: int, note: str, now: datetime, actor: Actor
) -> AlertResponse:
    """The subject organization answers its alert."""
    actor.require(action="respond to alerts")
    alert = get_alert(session, alert_id=alert_id, actor=actor)
    if not actor.acts_for(alert.subject_org_id):
        raise AlertNotFound(alert_id=alert_id)
    note = _note(note, ResponseLength)
    response = AlertResponse(
        alert_id=alert.id, by_org_id=actor.org_id, by_user_id=actor.user_id, note=note, at=now
    )
    session.add(response)
    session.flush()
    record(
        session,
        action="compliance.alert_answered",
        subject_type="alert",
        subject_id=alert.id,
        now=now,
        actor=actor,
        payload={"response": response.id},
    )
    session.commit()
    return response


def resolve_alert(
    session: Session, *, alert_id: int, note: str = "", now: datetime, actor: Actor
) -> Alert:
    """Close an open case by hand with a note saying why (regulator); its steps and replies
    stay on it. If the condition still holds, the next check raises a new case."""
    actor.require(OrgKind.REGULATOR, action="resolve alerts")
    alert = get_alert(session, alert_id=alert_id, actor=actor)
    if alert.status != AlertStatus.OPEN:
        raise AlertResolved(alert_id=alert.id)
    note = _note(note, ClosingNoteLength)
    _close(session, alert, note, now, actor)
    session.commit()
    return alert


def _note(note: str | None, refusal: type[ValidationFailed]) -> str:
    text = (note or "").strip()
    if not text or len(text) > NOTE_LIMIT:
        required = Message("required, at most {limit} characters", limit=NOTE_LIMIT)
        raise refusal(errors={"note": [required]})
    return text
