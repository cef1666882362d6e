"""The webhooks API and pages: subscribe (secret shown once), refusals as problems with field
errors, deliveries with their attempts, replay, the notice after disabling."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from procurement.events import rules

pytestmark = pytest.mark.usefixtures("webhooks")


@pytest.fixture
def admin(make_user):
    return make_user(kind="manufacturer", role="admin", region_code="320000")


def _subscribe(client, headers, url, types=("order.placed",)):
    return client.post(
        "/api/v1/webhooks/subscriptions",
        json={"url": url, "event_types": list(types), "description": "ERP"},
        headers=headers,
    )


def test_an_admin_subscribes_and_sees_the_secret_only_once(client, auth_headers, admin, receiver):
    headers = auth_headers(admin)
    created = _subscribe(client, headers, receiver.url())
    assert created.status_code == 201
    body = created.get_json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["order.placed"]
    listed = client.get("/api/v1/webhooks/subscriptions", headers=headers).get_json()
    assert [s["id"] for s in listed] == [body["id"]]
    assert "secret" not in listed[0]
    one = client.get(f"/api/v1/webhooks/subscriptions/{body['id']}", headers=headers)
    assert "secret" not in one.get_json()
    rotated = client.post(f"/api/v1/webhooks/subscriptions/{body['id']}/secret", headers=headers)
    assert rotated.status_code == 200
    assert rotated.get_json()["secret"] not in (body["secret"], None)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://erp.example.com/hook", True),  # plain http off this machine: never
        ("http://127.0.0.1:9/hook", False),  # plain http to this machine: only if allowed
        ("ftp://erp.example.com/hook", True),
        ("https://user:pw@erp.example.com/hook", True),
    ],
)
def test_an_endpoint_that_is_not_https_is_refused_beside_the_url_field(
    app, client, auth_headers, admin, db_session, url, loopback
):
    app.config["WEBHOOKS_ALLOW_LOOPBACK_HTTP"] = loopback
    refused = _subscribe(client, auth_headers(admin), url)
    assert refused.status_code == 422
    assert refused.content_type == "application/problem+json"
    problem = refused.get_json()
    assert problem["type"].endswith("/bad-webhook-subscription")
    assert list(problem["errors"]) == ["url"]
    assert (
        client.get("/api/v1/webhooks/subscriptions", headers=auth_headers(admin)).get_json() == []
    )


def test_a_staff_user_may_not_manage_webhooks(client, auth_headers, make_user, receiver):
    staff = make_user(kind="hospital", role="staff")
    refused = _subscribe(client, auth_headers(staff), receiver.url())
    assert refused.status_code == 403
    assert refused.get_json()["type"].endswith("/webhooks-admin-only")


def test_another_organizations_subscription_is_not_found(
    client, auth_headers, admin, make_user, receiver
):
    created = _subscribe(client, auth_headers(admin), receiver.url()).get_json()
    other = make_user(kind="manufacturer", role="admin")
    got = client.get(f"/api/v1/webhooks/subscriptions/{created['id']}", headers=auth_headers(other))
    assert got.status_code == 404
    assert got.get_json()["type"].endswith("/webhook-subscription-not-found")


def test_deliveries_show_each_attempt_and_replay_through_the_api(
    client, auth_headers, make_contract, make_user, place, receiver
):
    world = make_contract(manufacturer=make_user(kind="manufacturer", role="admin"))
    headers = auth_headers(world.manufacturer)
    created = _subscribe(client, headers, receiver.url()).get_json()
    receiver.plan["/hook"] = [502]
    place(world, packs=1)
    url = f"/api/v1/webhooks/subscriptions/{created['id']}/deliveries"
    [delivery] = client.get(url, headers=headers).get_json()
    assert delivery["status"] == "pending"
    assert delivery["event_type"] == "order.placed"
    [attempt] = delivery["log"]
    assert (attempt["number"], attempt["status_code"], attempt["succeeded"]) == (1, 502, False)
    assert attempt["next_attempt_at"] is not None
    pending = client.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/replay", headers=headers)
    assert pending.status_code == 409

    client.patch(
        f"/api/v1/webhooks/subscriptions/{created['id']}", json={"active": False}, headers=headers
    )
    client.patch(
        f"/api/v1/webhooks/subscriptions/{created['id']}", json={"active": True}, headers=headers
    )
    got = client.get(f"/api/v1/webhooks/deliveries/{delivery['id']}", headers=headers).get_json()
    assert got["status"] == "failed"  # disabling failed what was pending
    replayed = client.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/replay", headers=headers)
    assert replayed.status_code == 200
    assert replayed.get_json()["status"] == "delivered"
    assert [a["status_code"] for a in replayed.get_json()["log"]] == [502, 200]
    Webhook(created["secret"]).verify(receiver.hits[-1].body, receiver.hits[-1].headers)


def test_the_pages_subscribe_show_the_secret_once_and_the_notice_after_disabling(
    db_session, clock, login, admin, receiver, make_contract, place
):
    client = login(admin)
    page = client.get("/account/webhooks")
    assert page.status_code == 200
    refused = client.post("/account/webhooks", data={"url": "http://erp.example.com/x"})
    assert refused.status_code == 422
    assert "https://" in refused.get_data(as_text=True)
    saved = client.post(
        "/account/webhooks",
        data={"url": receiver.url(), "event_types.0": "order.placed", "description": "ERP"},
    )
    assert saved.status_code == 201
    html = saved.get_data(as_text=True)
    assert 'data-testid="new-secret"' in html
    assert "whsec_" in html
    assert saved.headers["Cache-Control"] == "no-store"
    again = client.get("/account/webhooks").get_data(as_text=True)
    assert "whsec_" not in again

    world = make_contract(manufacturer=admin)
    receiver.always["/hook"] = 500
    for _ in range(rules.DISABLE_AFTER_CONSECUTIVE_FAILURES):
        place(world, packs=1)
    assert 'data-testid="webhook-notice"' in client.get("/account").get_data(as_text=True)
    listing = client.get("/account/webhooks").get_data(as_text=True)
    assert "disabled after failures" in listing
