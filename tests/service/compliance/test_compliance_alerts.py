"""Alerts driven by the clock: a condition appears, the alert is raised once, escalated up the
ladder, answered by its subject and resolved when the condition clears."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from procurement.compliance.alerts.models import Alert, AlertEscalation, AlertKind
from procurement.compliance.services import (
    escalate_alert,
    evaluate_alerts,
    list_alerts,
    resolve_alert,
    respond_to_alert,
)
from procurement.core.errors import Conflict, Forbidden, NotFound
from procurement.orders import services as orders
from tests.fixtures.supply_shortage import file_owed_reports


def _alerts(session, kind):
    return list(session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))


def test_hospital_behind_is_raised_once_escalated_and_resolved_when_it_catches_up(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=1, agreed=1000)
    deliver(world, world.contract(0), 50)
    evaluate_alerts(db_session, now=clock.now())
    assert _alerts(db_session, AlertKind.HOSPITAL_BEHIND) == []
    clock.advance(days=60)  # time progress 61/365 = 0.1671; 0.05 < 0.8 x 0.1671
    file_owed_reports(db_session, clock.now())  # no missing shortage report here
    first = evaluate_alerts(db_session, now=clock.now())
    again = evaluate_alerts(db_session, now=clock.now())
    (alert,) = _alerts(db_session, AlertKind.HOSPITAL_BEHIND)
    assert (first.raised, again.raised) == (1, 0)
    assert alert.subject_org_id == world.hospitals[0].organization.id
    for step in ("reminder", "public_notice", "summons"):
        assert (
            escalate_alert(
                db_session, alert_id=alert.id, note=step, now=clock.now(), actor=world.reg
            ).step.value
            == step
        )
    with pytest.raises(Conflict):
        escalate_alert(db_session, alert_id=alert.id, now=clock.now(), actor=world.reg)
    steps = db_session.scalars(
        select(AlertEscalation.step)
        .where(AlertEscalation.alert_id == alert.id)
        .order_by(AlertEscalation.id)
    ).all()
    assert [s.value for s in steps] == ["reminder", "public_notice", "summons"]
    respond_to_alert(
        db_session, alert_id=alert.id, note="ordering more", now=clock.now(), actor=world.h(0)
    )
    deliver(world, world.contract(0), 150)  # 0.20 >= 0.1337
    result = evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(alert)
    assert result.resolved == 1
    assert (alert.status.value, alert.open_key) == ("resolved", None)


def test_zero_purchase_alert_comes_only_after_the_third_month(db_session, clock, comp_world):
    comp_world(hospitals=1, agreed=1000)
    clock.advance(days=88)  # start was yesterday: 89 days, still inside month 3
    evaluate_alerts(db_session, now=clock.now())
    assert _alerts(db_session, AlertKind.ZERO_PURCHASE) == []
    clock.advance(days=5)
    evaluate_alerts(db_session, now=clock.now())
    assert len(_alerts(db_session, AlertKind.ZERO_PURCHASE)) == 1


def test_unconfirmed_order_raises_shortage_risk_until_the_supplier_confirms(
    db_session, clock, comp_world
):
    world = comp_world(hospitals=1)
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=5, contract_id=world.contract(0).id)]
        ),
        now=clock.now(),
        actor=world.h(0),
    )
    clock.advance(hours=25)
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _alerts(db_session, AlertKind.SUPPLIER_UNCONFIRMED)
    assert alert.subject_org_id == world.manufacturer.organization.id
    orders.confirm_order(db_session, order_id=placed.order_id, now=clock.now(), actor=world.m)
    evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(alert)
    assert alert.status.value == "resolved"


def test_subject_sees_and_answers_only_its_own_alerts(db_session, clock, comp_world, make_actor):
    world = comp_world(hospitals=2, agreed=1000)
    clock.advance(days=100)
    evaluate_alerts(db_session, now=clock.now())
    mine = list_alerts(db_session, actor=world.h(0))
    assert mine
    assert {a.subject_org_id for a in mine} == {world.hospitals[0].organization.id}
    theirs = list_alerts(db_session, actor=world.h(1))[0]
    with pytest.raises(NotFound):
        respond_to_alert(
            db_session, alert_id=theirs.id, note="x", now=clock.now(), actor=world.h(0)
        )
    with pytest.raises(Forbidden):
        escalate_alert(db_session, alert_id=theirs.id, now=clock.now(), actor=world.h(1))
    resolve_alert(db_session, alert_id=theirs.id, note="handled", now=clock.now(), actor=world.reg)
    with pytest.raises(Conflict):
        resolve_alert(db_session, alert_id=theirs.id, now=clock.now(), actor=world.reg)


def test_when_the_contract_year_ends_an_escalated_behind_alert_stays_open_with_its_steps(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=1, agreed=1000)
    deliver(world, world.contract(0), 50)
    clock.advance(days=60)
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = _alerts(db_session, AlertKind.HOSPITAL_BEHIND)
    escalate_alert(db_session, alert_id=alert.id, note="说明原因", now=clock.now(), actor=world.reg)
    escalate_alert(db_session, alert_id=alert.id, note="通报", now=clock.now(), actor=world.reg)
    clock.advance(days=400)  # the contract year is over: its progress is no longer checked
    first = evaluate_alerts(db_session, now=clock.now())
    second = evaluate_alerts(db_session, now=clock.now())
    db_session.refresh(alert)
    assert (first.resolved, second.resolved, second.raised) == (0, 0, 0)
    assert (alert.status.value, alert.step.value) == ("open", "public_notice")
    # only a person closes the case, with a note; its steps stay on it
    resolve_alert(
        db_session, alert_id=alert.id, note="年度考核已扣减", now=clock.now(), actor=world.reg
    )
    db_session.refresh(alert)
    assert (alert.status.value, alert.resolution) == ("resolved", "年度考核已扣减")
    assert [e.step.value for e in alert.escalations] == ["reminder", "public_notice"]
    assert evaluate_alerts(db_session, now=clock.now()).raised == 0
