"""Through the job queue on PostgreSQL: a real ``procurement worker`` process attempts a
delivery, and when the receiver fails twice the queue retries it after the policy's waits
(2 s, then 4 s) until the third attempt succeeds; each attempt is logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from standardwebhooks.webhooks import Webhook

from procurement.auth.services import actor_of
from procurement.events import rules
from procurement.events.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery
from procurement.events.services import record_event, subscriptions
from procurement.events.types import EventType
from tests.service.jobs.test_jobs_worker import pytestmark, wait_for  # noqa: F401  (marks: PostgreSQL only)


def _delivery(engine) -> WebhookDelivery | None:
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        found = session.scalars(select(WebhookDelivery)).first()
        return found if found is not None and found.status != DeliveryStatus.PENDING else None


def test_a_worker_retries_a_failing_receiver_with_backoff_until_it_accepts(
    queued, db_session, clock, workers, queue_engine, receiver, make_user
):
    clock.set(datetime.now(UTC))
    admin = make_user(kind="manufacturer", role="admin", region_code="320000")
    issued = subscriptions.create_subscription(
        db_session,
        url=receiver.url(),
        event_types=[EventType.ORDER_PLACED.value],
        allow_loopback_http=True,
        now=clock.now(),
        actor=actor_of(admin),
    )
    receiver.plan["/hook"] = [500, 500]
    record_event(
        db_session,
        EventType.ORDER_PLACED,
        "purchase_order",
        1,
        audience=[admin.organization_id],
        payload={"order_id": 1},
        now=clock.now(),
    )
    db_session.commit()
    assert receiver.hits == []  # nothing runs inline: the job waits for a worker
    workers()

    delivery = wait_for(lambda: _delivery(queue_engine), "the delivery to end")
    assert delivery.status == DeliveryStatus.DELIVERED
    with sessionmaker(bind=queue_engine)() as session:
        log = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.number)).all()
        assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 500), (3, 200)]
        assert log[0].next_attempt_at == log[0].attempted_at + rules.backoff(1)
        assert log[1].next_attempt_at == log[1].attempted_at + rules.backoff(2)
        assert log[1].attempted_at - log[0].attempted_at >= timedelta(seconds=2)
        assert log[2].attempted_at - log[1].attempted_at >= timedelta(seconds=4)
    assert len(receiver.hits) == 3
    last = receiver.hits[-1]
    assert Webhook(issued.secret).verify(last.body, last.headers)["type"] == "order.placed"
