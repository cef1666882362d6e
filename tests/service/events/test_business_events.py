"""Each business service writes its event in its own transaction: a payment made per
manufacturer paid, an alert raised and escalated, an award's results published."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from procurement.award import services as award
from procurement.compliance.alerts.models import Alert, AlertKind
from procurement.compliance.services import escalate_alert, evaluate_alerts
from procurement.contracts import services as contracts
from procurement.contracts.models import Contract
from procurement.events.models import Event
from procurement.events.types import EventType
from procurement.settlement import services as settlement


def _events(session, event_type):
    return session.scalars(select(Event).where(Event.type == event_type).order_by(Event.id)).all()


def _audience(event):
    return {a.organization_id for a in event.audience}


def test_a_settlement_run_writes_a_payment_made_per_manufacturer(
    make_contract, accept, fund_actor, db_session, clock
):
    world = make_contract(agreed=700, unit_price="1.2345", pack_size=1)
    accept(world, packs=400)  # 400 x 1.2345 = 493.80
    run = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="r1",
        now=clock.now(),
        actor=fund_actor,
    )
    [event] = _events(db_session, EventType.PAYMENT_MADE)
    assert event.payload["amount"] == "493.80"
    assert Decimal(event.payload["amount"]) == run.total_amount
    assert event.payload["run_id"] == run.id
    assert event.payload["links"]["run"] == f"/api/v1/settlement/runs/{run.id}"
    assert _audience(event) == {world.manufacturer.organization_id, world.hospital.organization_id}


def test_an_alert_raised_and_escalated_writes_two_events_for_its_subject(
    db_session, clock, comp_world, deliver
):
    world = comp_world(hospitals=1, agreed=1000)
    deliver(world, world.contract(0), 50)
    clock.advance(days=60)
    evaluate_alerts(db_session, now=clock.now())
    (alert,) = db_session.scalars(select(Alert).where(Alert.kind == AlertKind.HOSPITAL_BEHIND))
    escalate_alert(db_session, alert_id=alert.id, note="提醒", now=clock.now(), actor=world.reg)

    raised = [e for e in _events(db_session, EventType.ALERT_RAISED) if e.subject_id == alert.id]
    [escalated] = _events(db_session, EventType.ALERT_ESCALATED)
    assert len(raised) == 1
    assert escalated.subject_id == alert.id
    assert escalated.payload["step"] == "reminder"
    assert _audience(escalated) == {alert.subject_org_id}


def test_confirming_an_award_run_publishes_the_award(award_setup, db_session, clock):
    setup = award_setup()
    run = award.start_award_run(
        db_session,
        tender_id=setup.tender.id,
        options=award.RunOptions(),
        now=clock.now(),
        actor=setup.actor,
    )
    assert _events(db_session, EventType.AWARD_PUBLISHED) == []
    contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=setup.actor)
    [event] = _events(db_session, EventType.AWARD_PUBLISHED)
    assert event.payload["tender_id"] == setup.tender.id
    assert event.payload["award_run_id"] == run.id
    made = db_session.scalars(select(Contract).where(Contract.tender_id == setup.tender.id)).all()
    assert event.payload["contracts"] == len(made) > 0
    assert event.payload["winner_ids"] == sorted({c.manufacturer_id for c in made})
    assert _audience(event) >= {c.hospital_id for c in made}
