"""Alerts are cases: the check never rewrites a case's history, closes a case only when its
condition no longer holds, and running it twice changes nothing; a person closes a case only
with a note, and who did is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from procurement.compliance.alerts.models import (
    Alert,
    AlertEscalation,
    AlertKind,
    AlertStatus,
    EscalationStep,
    Severity,
)
from procurement.compliance.alerts.queries import StepKind, alert_case, open_by_step
from procurement.compliance.services import (
    escalate_alert,
    evaluate_alerts,
    resolve_alert,
    respond_to_alert,
)
from procurement.core.errors import Conflict, ValidationFailed
from tests.fixtures.supply_shortage import file_owed_reports


def _rows(session) -> dict:
    """Every alert and every escalation step, as the database holds them."""
    session.expire_all()
    alerts = {
        a.id: (
            a.status,
            a.step,
            a.open_key,
            a.resolution,
            a.resolved_at,
            a.updated_at,
            a.detail,
            dict(a.facts),
            a.severity,
        )
        for a in session.scalars(select(Alert))
    }
    steps = [
        (e.id, e.alert_id, e.step, e.at, e.note, e.by_org_id)
        for e in session.scalars(select(AlertEscalation).order_by(AlertEscalation.id))
    ]
    return {"alerts": alerts, "steps": steps}


@pytest.fixture
def behind(db_session, clock, comp_world, deliver):
    """One hospital 60 days into its year with 50 of 1,000 accepted: behind (0.05 < 0.8 x
    61/365 = 0.1337), its alert raised by the check."""
    world = comp_world(hospitals=1, agreed=1000)
    deliver(world, world.contract(0), 50)
    clock.advance(days=60)
    file_owed_reports(db_session, clock.now())  # no missing shortage report in these cases
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = db_session.scalars(select(Alert).where(Alert.kind == AlertKind.HOSPITAL_BEHIND))
    return world, alert


def _escalate_to_summons(session, clock, world, alert):
    for note in ("提醒", "通报", "约谈"):
        escalate_alert(session, alert_id=alert.id, note=note, now=clock.now(), actor=world.reg)


def test_escalate_then_check_then_check_again_changes_nothing(db_session, clock, behind):
    world, alert = behind
    _escalate_to_summons(db_session, clock, world, alert)
    before = _rows(db_session)
    clock.advance(minutes=1)  # "a minute later"
    first = evaluate_alerts(db_session, now=clock.now(), actor=world.reg)
    after_first = _rows(db_session)
    second = evaluate_alerts(db_session, now=clock.now(), actor=world.reg)
    after_second = _rows(db_session)
    assert (first.raised, first.resolved) == (0, 0)
    assert (second.raised, second.updated, second.resolved) == (0, 0, 0)
    assert after_first["steps"] == before["steps"]
    assert after_second == after_first
    status, step = after_second["alerts"][alert.id][:2]
    assert (status, step) == (AlertStatus.OPEN, EscalationStep.SUMMONS)
    assert [s[2] for s in after_second["steps"]] == [
        EscalationStep.REMINDER,
        EscalationStep.PUBLIC_NOTICE,
        EscalationStep.SUMMONS,
    ]


def test_a_day_later_the_check_refreshes_the_figures_but_keeps_the_steps(db_session, clock, behind):
    world, alert = behind
    _escalate_to_summons(db_session, clock, world, alert)
    steps = _rows(db_session)["steps"]
    clock.advance(days=1)  # time progress 62/365: the figures move, the condition holds
    result = evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(alert)
    assert (result.updated, result.resolved) == (1, 0)
    assert alert.facts["time_progress"] == "0.1699"  # 62 / 365 rounded to 4 places
    assert (alert.status, alert.step) == (AlertStatus.OPEN, EscalationStep.SUMMONS)
    assert _rows(db_session)["steps"] == steps


def test_a_case_the_check_closes_keeps_its_steps_and_replies(db_session, clock, behind, deliver):
    world, alert = behind
    escalate_alert(db_session, alert_id=alert.id, note="请说明", now=clock.now(), actor=world.reg)
    respond_to_alert(
        db_session, alert_id=alert.id, note="已加大采购", now=clock.now(), actor=world.h(0)
    )
    clock.advance(hours=1)
    deliver(world, world.contract(0), 100)  # 150 / 1,000 = 0.15 >= 0.1337: on track
    result = evaluate_alerts(db_session, now=clock.now())
    case = alert_case(db_session, alert_id=alert.id, actor=world.reg)
    assert result.resolved == 1
    assert (case.alert.status, case.alert.step) == (AlertStatus.RESOLVED, EscalationStep.REMINDER)
    assert case.alert.resolved_by_org_id is None  # the check closed it, not a person
    assert [s.kind for s in case.history] == [
        StepKind.RAISED,
        StepKind.ESCALATED,
        StepKind.REPLIED,
        StepKind.CLEARED,
    ]
    escalated, replied = case.history[1], case.history[2]
    assert (escalated.step, escalated.note) == (EscalationStep.REMINDER, "请说明")
    assert escalated.organization == world.regulator.organization.name
    assert (replied.note, replied.organization) == (
        "已加大采购",
        world.hospitals[0].organization.name,
    )
    assert evaluate_alerts(db_session, now=clock.now()).resolved == 0


def test_a_person_closes_a_case_only_with_a_note_and_is_recorded(db_session, clock, behind):
    world, alert = behind
    escalate_alert(db_session, alert_id=alert.id, now=clock.now(), actor=world.reg)
    with pytest.raises(ValidationFailed) as refused:
        resolve_alert(db_session, alert_id=alert.id, note="  ", now=clock.now(), actor=world.reg)
    assert "note" in refused.value.extra["errors"]
    db_session.refresh(alert)
    assert alert.status == AlertStatus.OPEN
    resolve_alert(
        db_session, alert_id=alert.id, note="约谈后已整改", now=clock.now(), actor=world.reg
    )
    case = alert_case(db_session, alert_id=alert.id, actor=world.h(0))
    assert (case.alert.status, case.alert.resolution) == (AlertStatus.RESOLVED, "约谈后已整改")
    assert case.alert.resolved_by_org_id == world.regulator.organization.id
    assert case.alert.resolved_by_user_id == world.regulator.id
    closing = case.history[-1]
    assert (closing.kind, closing.note) == (StepKind.RESOLVED, "约谈后已整改")
    assert closing.organization == world.regulator.organization.name
    with pytest.raises(Conflict):
        escalate_alert(db_session, alert_id=alert.id, now=clock.now(), actor=world.reg)
    # the condition still holds: the next check opens a new case; the closed one keeps its step
    assert evaluate_alerts(db_session, now=clock.now()).raised == 1
    cases = list(db_session.scalars(select(Alert).order_by(Alert.id)))
    assert [(a.status, a.step) for a in cases] == [
        (AlertStatus.RESOLVED, EscalationStep.REMINDER),
        (AlertStatus.OPEN, EscalationStep.NONE),
    ]


def _hand_built(session, clock, **fields) -> Alert:
    now = clock.now()
    alert = Alert(
        severity=Severity.WARNING,
        detail="hand-built",
        facts={},
        raised_at=now,
        updated_at=now,
        status=AlertStatus.OPEN,
        step=EscalationStep.NONE,
        **fields,
    )
    session.add(alert)
    session.flush()
    return alert


def test_hand_built_cases_close_only_where_the_check_looked(
    db_session, clock, comp_world, make_actor
):
    world = comp_world(hospitals=1, agreed=1000)
    hospital = world.hospitals[0].organization.id
    # a late delivery of an order that is not late (any more): the check looks at every order
    gone = _hand_built(
        db_session,
        clock,
        kind=AlertKind.LATE_DELIVERY,
        dedup_key="late_delivery:o999999",
        open_key="late_delivery:o999999",
        subject_org_id=world.manufacturer.organization.id,
    )
    # a hospital behind in a contract year that no longer runs: nobody re-checks it
    past = _hand_built(
        db_session,
        clock,
        kind=AlertKind.HOSPITAL_BEHIND,
        dedup_key="hospital_behind:past",
        open_key="hospital_behind:past",
        subject_org_id=hospital,
        tender_id=world.tender.id,
        contract_year=9,
    )
    regulator = world.regulator.organization.id
    db_session.add(
        AlertEscalation(
            alert_id=gone.id,
            step=EscalationStep.REMINDER,
            by_org_id=regulator,
            note="hand-built step",
            at=clock.now() - timedelta(days=1),
        )
    )
    gone.step = EscalationStep.REMINDER
    db_session.commit()
    result = evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(gone)
    db_session.refresh(past)
    assert result.resolved == 1
    assert (gone.status, gone.step, gone.open_key) == (
        AlertStatus.RESOLVED,
        EscalationStep.REMINDER,
        None,
    )
    assert [e.note for e in gone.escalations] == ["hand-built step"]
    assert past.status == AlertStatus.OPEN
    assert open_by_step(db_session) == {
        EscalationStep.NONE: 1 + result.raised,  # the past case and any raised now
        EscalationStep.REMINDER: 0,
        EscalationStep.PUBLIC_NOTICE: 0,
        EscalationStep.SUMMONS: 0,
    }
