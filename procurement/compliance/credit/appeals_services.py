"""Appeals against credit events and credit repair (RULES.md 8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.compliance import rules as r
from procurement.compliance.credit.models import (
    CreditAppeal,
    CreditEvent,
    CreditEventStatus,
    CreditRepair,
)
from procurement.compliance.credit.services import apply_level, standing_of
from procurement.compliance.errors import (
    AppealDecided,
    AppealNotFound,
    CreditEventNotAppealable,
    CreditEventNotFound,
    ManufacturerNotFound,
    NothingToRepair,
    TextLength,
    UnknownDecision,
)
from procurement.core.messages import Message

DECISIONS = ("upheld", "overturned")


def _text(value: str | None, field: str, limit: int = 2000) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise TextLength(
            errors={field: [Message("required, at most {limit} characters", limit=limit)]},
            field=field,
            limit=limit,
        )
    return text


def appeal_credit_event(
    session: Session, *, event_id: int, reason: str, now: datetime, actor: Actor
) -> CreditAppeal:
    """A manufacturer appeals one of its own active events (once)."""
    actor.require(OrgKind.MANUFACTURER, action="appeal credit events")
    event = session.get(CreditEvent, event_id)
    if event is None or event.manufacturer_id != actor.org_id:
        raise CreditEventNotFound(event_id=event_id)
    reason = _text(reason, "reason")
    if event.status != CreditEventStatus.ACTIVE:
        raise CreditEventNotAppealable(event_status=event.status.value, event_id=event.id)
    appeal = CreditAppeal(
        event_id=event.id,
        by_org_id=actor.org_id,
        by_user_id=actor.user_id,
        reason=reason,
        filed_at=now,
    )
    event.status = CreditEventStatus.APPEALED
    session.add(appeal)
    session.flush()
    record(
        session,
        action="compliance.credit_appealed",
        subject_type="credit_event",
        subject_id=event.id,
        now=now,
        actor=actor,
        payload={"appeal": appeal.id},
    )
    session.commit()
    return appeal


def decide_appeal(
    session: Session, *, appeal_id: int, decision: str, note: str, now: datetime, actor: Actor
) -> CreditAppeal:
    """The regulator upholds or overturns an appeal; an overturned event stops counting and
    the level (and its bans) follow at once."""
    actor.require(OrgKind.REGULATOR, action="decide credit appeals")
    appeal = session.get(CreditAppeal, appeal_id)
    if appeal is None:
        raise AppealNotFound(appeal_id=appeal_id)
    if decision not in DECISIONS:
        raise UnknownDecision(
            errors={"decision": [Message("'{decision}' is not a decision", decision=decision)]}
        )
    note = _text(note, "note")
    if appeal.decision is not None:
        raise AppealDecided(decision=appeal.decision, appeal_id=appeal.id)
    appeal.decision, appeal.decision_note = decision, note
    appeal.decided_by_org_id, appeal.decided_at = actor.org_id, now
    appeal.event.status = CreditEventStatus(decision)
    record(
        session,
        action="compliance.credit_appeal_decided",
        subject_type="credit_event",
        subject_id=appeal.event_id,
        now=now,
        actor=actor,
        payload={"decision": decision},
    )
    apply_level(session, appeal.event.manufacturer_id, now, actor, r.ComplianceRules())
    session.commit()
    return appeal


def repair_credit(
    session: Session, *, manufacturer_id: int, note: str, now: datetime, actor: Actor
) -> CreditRepair:
    """Credit repair after remediation (regulator): the events so far stop counting; the
    level drops and credit bans are lifted, with a record of before and after."""
    actor.require(OrgKind.REGULATOR, action="repair credit")
    org = session.get(Organization, manufacturer_id)
    if org is None or org.kind != OrgKind.MANUFACTURER:
        raise ManufacturerNotFound(manufacturer_id=manufacturer_id)
    note = _text(note, "note")
    rules = r.ComplianceRules()
    before = standing_of(session, manufacturer_id, now, rules)
    if before.level == r.CreditLevel.NONE:
        raise NothingToRepair(org_name=org.name)
    repair = CreditRepair(
        manufacturer_id=manufacturer_id,
        level_before=before.level.value,
        level_after="",
        note=note,
        by_org_id=actor.org_id,
        by_user_id=actor.user_id,
        repaired_at=now,
    )
    session.add(repair)
    session.flush()
    after = apply_level(session, manufacturer_id, now, actor, rules)
    repair.level_after = after.level.value
    record(
        session,
        action="compliance.credit_repaired",
        subject_type="organization",
        subject_id=manufacturer_id,
        now=now,
        actor=actor,
        payload={"before": before.level.value, "after": after.level.value},
    )
    session.commit()
    return repair
