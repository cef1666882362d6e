"""Who receives what: a manufacturer's and a hospital's subscriptions get only their own events,
the regulator and the fund office what their role oversees, everyone the public award results
(a matrix over every event type), on a real receiver."""

from __future__ import annotations

import json

import pytest

from procurement.events.services import record_event
from procurement.events.types import EventType

pytestmark = pytest.mark.usefixtures("webhooks")

EVERYONE = {"H1", "H2", "M1", "M2", "REG", "FUND"}
# The event concerns H1 and M1; who else hears of it is the type's oversight (types.py).
EXPECTED = {
    EventType.ORDER_PLACED: {"H1", "M1", "REG"},
    EventType.ORDER_CONFIRMED: {"H1", "M1", "REG"},
    EventType.ORDER_SHIPPED: {"H1", "M1", "REG"},
    EventType.ORDER_RECEIVED: {"H1", "M1", "REG", "FUND"},
    EventType.PAYMENT_MADE: {"H1", "M1", "REG", "FUND"},
    EventType.ALERT_RAISED: {"H1", "M1", "REG"},
    EventType.ALERT_ESCALATED: {"H1", "M1", "REG"},
    EventType.AWARD_PUBLISHED: EVERYONE,
    EventType.RECONCILIATION_ISSUED: {"H1", "M1", "REG", "FUND"},
    EventType.WEBHOOK_DISABLED: {"H1", "M1"},
}


@pytest.fixture
def parties(make_user, subscribe):
    """Six organizations, each with an admin subscribed to every type at its own path."""
    kinds = {
        "H1": "hospital",
        "H2": "hospital",
        "M1": "manufacturer",
        "M2": "manufacturer",
        "REG": "regulator",
        "FUND": "fund",
    }
    users = {name: make_user(kind=kind, role="admin") for name, kind in kinds.items()}
    for name, user in users.items():
        subscribe(user, path=f"/{name}")
    return users


def test_every_type_has_its_expected_audience():
    assert set(EXPECTED) == set(EventType)


@pytest.mark.parametrize("event_type", list(EventType))
def test_a_subscription_receives_exactly_what_its_organization_may_see(
    db_session, clock, receiver, parties, event_type
):
    record_event(
        db_session,
        event_type,
        "test",
        1,
        audience=[parties["H1"].organization_id, parties["M1"].organization_id],
        payload={"n": 1},
        now=clock.now(),
    )
    db_session.commit()
    got = {hit.path.strip("/") for hit in receiver.hits}
    assert got == EXPECTED[event_type]
    assert all(json.loads(hit.body)["type"] == event_type.value for hit in receiver.hits)


def test_a_manufacturer_never_receives_another_manufacturers_order(
    make_contract, make_user, place, receiver, subscribe
):
    ours = make_contract(manufacturer=make_user(kind="manufacturer", role="admin"))
    theirs = make_contract(manufacturer=make_user(kind="manufacturer", role="admin"))
    subscribe(ours.manufacturer, path="/ours")
    subscribe(theirs.manufacturer, path="/theirs")

    placed = place(theirs, packs=1)

    assert receiver.at("/ours") == []
    [hit] = receiver.at("/theirs")
    assert json.loads(hit.body)["data"]["order_id"] == placed.order_id
