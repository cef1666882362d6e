"""Webhooks against a real HTTP receiver on loopback: signed deliveries a Standard Webhooks
library verifies, retries with the policy's backoff on the injectable clock, disabling after
repeated failure (with its notice), replay, and the outbox written iff the change committed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from procurement.auth.services import actor_of
from procurement.events import rules
from procurement.events.errors import DeliveryPending, SubscriptionDisabled
from procurement.events.models import (
    DeliveryAttempt,
    DeliveryStatus,
    Event,
    WebhookDelivery,
    WebhookSubscription,
)
from procurement.events.services import delivering, record_event, sending, subscriptions
from procurement.events.types import EventType
from procurement.orders import services as orders
from procurement.orders.errors import OrderState

pytestmark = pytest.mark.usefixtures("webhooks")


@pytest.fixture
def world(make_contract, make_user):
    """A contract between a hospital and a manufacturer whose users are their admins."""
    return make_contract(
        hospital=make_user(kind="hospital", role="admin"),
        manufacturer=make_user(kind="manufacturer", role="admin", region_code="320000"),
    )


def _attempts(session, delivery_id):
    return session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == delivery_id)
        .order_by(DeliveryAttempt.number)
    ).all()


def _only_delivery(session, subscription_id):
    return session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    ).one()


def test_a_delivery_arrives_signed_and_verifiable(db_session, world, place, receiver, subscribe):
    issued = subscribe(world.manufacturer, types=[EventType.ORDER_PLACED])
    assert issued.secret.startswith("whsec_")

    placed = place(world, packs=2)

    [hit] = receiver.hits
    payload = Webhook(issued.secret).verify(hit.body, hit.headers)
    assert payload["type"] == "order.placed"
    assert payload["id"] == hit.headers["webhook-id"]
    data = payload["data"]
    assert data["order_id"] == placed.order_id
    assert data["manufacturer_id"] == world.manufacturer.organization_id
    assert data["total_amount"] == placed.body["total_amount"]  # a decimal string
    assert isinstance(data["total_amount"], str)
    assert data["links"]["order"] == f"/api/v1/orders/{placed.order_id}"
    delivery = _only_delivery(db_session, issued.subscription.id)
    assert delivery.status == DeliveryStatus.DELIVERED
    [attempt] = _attempts(db_session, delivery.id)
    assert (attempt.number, attempt.status_code, attempt.succeeded) == (1, 200, True)
    assert attempt.response_ms >= 0
    assert attempt.next_attempt_at is None


def test_a_wrong_secret_does_not_verify(world, place, receiver, subscribe):
    subscribe(world.manufacturer, types=[EventType.ORDER_PLACED])
    place(world, packs=1)
    [hit] = receiver.hits
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(rules.new_secret()).verify(hit.body, hit.headers)


def test_a_receiver_failing_twice_then_succeeding_gets_three_attempts_with_backoff(
    db_session, clock, world, place, receiver, subscribe
):
    issued = subscribe(world.manufacturer, types=[EventType.ORDER_PLACED])
    receiver.plan["/hook"] = [500, 503]
    start = clock.now()

    place(world, packs=1)  # attempt 1 (inline, after the commit): 500
    delivery = _only_delivery(db_session, issued.subscription.id)
    assert delivery.next_attempt_at == start + timedelta(seconds=2)
    assert delivering.deliver_due(db_session, now=clock.now()) == 0  # not due yet

    clock.advance(seconds=2)
    assert delivering.deliver_due(db_session, now=clock.now()) == 1  # attempt 2: 503
    clock.advance(seconds=4)
    assert delivering.deliver_due(db_session, now=clock.now()) == 1  # attempt 3: 200

    log = _attempts(db_session, delivery.id)
    assert [(a.number, a.status_code, a.succeeded) for a in log] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert [a.attempted_at - start for a in log] == [timedelta(seconds=s) for s in (0, 2, 6)]
    assert [a.next_attempt_at for a in log] == [
        start + timedelta(seconds=2),
        start + timedelta(seconds=6),
        None,
    ]
    assert log[0].error.startswith("HTTP 500")
    assert len({hit.headers["webhook-id"] for hit in receiver.hits}) == 1  # one message
    for hit in receiver.hits:
        Webhook(issued.secret).verify(hit.body, hit.headers)
    db_session.refresh(delivery)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert issued.subscription.consecutive_failures == 0


def test_a_subscription_failing_again_and_again_is_disabled_with_a_notice(
    db_session, clock, world, place, receiver, subscribe
):
    failing = subscribe(world.manufacturer, path="/down", types=[EventType.ORDER_PLACED])
    notices = subscribe(world.manufacturer, path="/ops", types=[EventType.WEBHOOK_DISABLED])
    receiver.always["/down"] = 503
    place(world, packs=1)
    place(world, packs=1)

    for _ in range(40):  # two deliveries failing side by side: 5 rounds make 10 failures
        if not failing.subscription.active:
            break
        clock.advance(seconds=16)
        delivering.deliver_due(db_session, now=clock.now())

    db_session.refresh(failing.subscription)
    assert not failing.subscription.active
    assert failing.subscription.disabled_for_failures
    assert len(receiver.at("/down")) == rules.DISABLE_AFTER_CONSECUTIVE_FAILURES
    org = world.manufacturer.organization_id
    assert subscriptions.disabled_count(db_session, org_id=org) == 1
    [notice] = receiver.at("/ops")
    body = Webhook(notices.secret).verify(notice.body, notice.headers)
    assert body["type"] == "webhook.disabled"
    assert body["data"]["subscription_id"] == failing.subscription.id
    statuses = db_session.scalars(
        select(WebhookDelivery.status).where(
            WebhookDelivery.subscription_id == failing.subscription.id
        )
    ).all()
    assert statuses == [DeliveryStatus.FAILED, DeliveryStatus.FAILED]
    clock.advance(seconds=3600)
    assert delivering.deliver_due(db_session, now=clock.now()) == 0  # nothing more is tried


def test_replay_sends_a_delivered_message_again(
    db_session, clock, world, place, receiver, subscribe
):
    issued = subscribe(world.manufacturer, types=[EventType.ORDER_PLACED])
    place(world, packs=1)
    delivery = _only_delivery(db_session, issued.subscription.id)
    admin = actor_of(world.manufacturer)

    clock.advance(seconds=60)
    delivering.replay_delivery(db_session, delivery_id=delivery.id, now=clock.now(), actor=admin)

    first, again = receiver.hits
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert json.loads(again.body) == json.loads(first.body)
    assert int(again.headers["webhook-timestamp"]) == int(first.headers["webhook-timestamp"]) + 60
    assert [a.number for a in _attempts(db_session, delivery.id)] == [1, 2]


def test_replay_is_refused_while_pending_or_disabled(
    db_session, clock, world, place, receiver, subscribe
):
    issued = subscribe(world.manufacturer, types=[EventType.ORDER_PLACED])
    receiver.plan["/hook"] = [500]
    place(world, packs=1)
    delivery = _only_delivery(db_session, issued.subscription.id)
    admin = actor_of(world.manufacturer)

    def replay(delivery_id):
        delivering.replay_delivery(
            db_session, delivery_id=delivery_id, now=clock.now(), actor=admin
        )

    with pytest.raises(DeliveryPending):
        replay(delivery.id)
    subscriptions.update_subscription(
        db_session,
        subscription_id=issued.subscription.id,
        changes={"active": False},
        allow_loopback_http=True,
        now=clock.now(),
        actor=admin,
    )
    clock.advance(seconds=2)
    delivering.deliver_due(db_session, now=clock.now())
    db_session.refresh(delivery)
    assert delivery.status == DeliveryStatus.FAILED
    with pytest.raises(SubscriptionDisabled):
        replay(delivery.id)
    assert len(receiver.hits) == 1


def test_a_rotated_secret_signs_beside_the_old_one_for_the_overlap(
    db_session, clock, world, place, receiver, subscribe
):
    old = subscribe(world.manufacturer, types=[EventType.ORDER_PLACED])
    new = subscriptions.rotate_secret(
        db_session,
        subscription_id=old.subscription.id,
        now=clock.now(),
        actor=actor_of(world.manufacturer),
    )
    place(world, packs=1)
    clock.advance(rules.ROTATION_OVERLAP)
    place(world, packs=1)

    during, after = receiver.hits
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old.secret).verify(during.body, during.headers)
    Webhook(new.secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert after.headers["webhook-signature"] == Webhook(new.secret).sign(
        after.headers["webhook-id"], clock.now(), after.body
    )


def _events(session):
    return session.scalar(select(func.count(Event.id)))


def test_the_outbox_row_exists_iff_the_business_transaction_committed(
    db_session, clock, world, place, receiver, subscribe
):
    subscribe(world.manufacturer, types=[EventType.ORDER_CONFIRMED])
    placed = place(world, packs=1)
    before = _events(db_session)

    record_event(
        db_session,
        EventType.ORDER_CONFIRMED,
        "purchase_order",
        placed.order_id,
        audience=[world.manufacturer.organization_id],
        payload={},
        now=clock.now(),
    )
    db_session.rollback()
    assert _events(db_session) == before
    assert receiver.hits == []

    orders.confirm_order(db_session, order_id=placed.order_id, now=clock.now(), actor=world.m)
    assert _events(db_session) == before + 1
    with pytest.raises(OrderState):  # a refused confirmation: no change, no event
        orders.confirm_order(db_session, order_id=placed.order_id, now=clock.now(), actor=world.m)
    db_session.rollback()
    assert _events(db_session) == before + 1
    [hit] = receiver.hits
    assert json.loads(hit.body)["type"] == "order.confirmed"


def test_the_order_steps_each_write_one_event(db_session, clock, world, place, ship):
    placed = place(world, packs=1)
    orders.confirm_order(db_session, order_id=placed.order_id, now=clock.now(), actor=world.m)
    shipment = ship(world, placed.order_id)
    line = shipment.lines[0]
    orders.record_receipt(
        db_session,
        shipment_id=shipment.id,
        lines=[orders.ReceiveLine(line.id, line.quantity, 0, None)],
        now=clock.now(),
        actor=world.h,
    )
    rows = db_session.scalars(
        select(Event).where(Event.subject_id == placed.order_id).order_by(Event.id)
    ).all()
    assert [e.type for e in rows] == [
        EventType.ORDER_PLACED,
        EventType.ORDER_CONFIRMED,
        EventType.ORDER_SHIPPED,
        EventType.ORDER_RECEIVED,
    ]
    assert rows[2].payload["shipment_id"] == shipment.id
    audience = {a.organization_id for a in rows[0].audience}
    assert audience == {world.hospital.organization_id, world.manufacturer.organization_id}


def test_a_subscription_sees_its_deliveries_only_of_its_organization(
    db_session, world, place, subscribe, make_user
):
    issued = subscribe(world.manufacturer, types=[EventType.ORDER_PLACED])
    place(world, packs=1)
    other_admin = actor_of(make_user(kind="manufacturer", role="admin"))
    delivery = _only_delivery(db_session, issued.subscription.id)
    with pytest.raises(Exception, match="no webhook delivery"):
        subscriptions.load_delivery(db_session, delivery.id, other_admin)
    assert subscriptions.list_subscriptions(db_session, actor=other_admin) == []
    assert db_session.get(WebhookSubscription, issued.subscription.id) is not None


def test_a_delivery_to_a_name_resolving_into_the_private_network_never_connects(receiver):
    """localhost resolves to 127.0.0.1 (a real receiver listens there): refused unless loopback
    endpoints are allowed (testing), and then delivered."""
    url = f"https://localhost:{receiver.port}/hook"
    answer = sending.post(url, "{}", {}, timeout=2)
    assert answer.status_code is None
    assert answer.error.startswith("Refused: localhost resolves to a non-public address (")
    assert "127.0.0.1" in answer.error
    assert receiver.hits == []
    plain = f"http://localhost:{receiver.port}/hook"
    allowed = sending.post(plain, "{}", {}, timeout=2, allow_loopback_http=True)
    assert (allowed.status_code, len(receiver.hits)) == (200, 1)
    unknown = sending.post("https://no-such-host.invalid/hook", "{}", {}, timeout=2)
    assert unknown.error.startswith("Refused: no-such-host.invalid does not resolve")
