"""Orders over HTTP: Idempotency-Key replays, problem+json refusals, the whole flow."""

from __future__ import annotations

import pytest


@pytest.fixture
def hospital(make_contract, auth_headers):
    world = make_contract(agreed=2800)
    return world, auth_headers(world.hospital), auth_headers(world.manufacturer)


def _order(world, packs=10):
    return {
        "lines": [{"contract_id": world.contract.id, "packs": packs}],
        "delivery_address": "药剂科 1 号库",
    }


def test_a_retry_with_the_same_key_returns_the_first_order(client, hospital):
    world, h, _ = hospital
    headers = {**h, "Idempotency-Key": "order-2026-0001"}
    first = client.post("/api/v1/orders", json=_order(world), headers=headers)
    again = client.post("/api/v1/orders", json=_order(world), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    listed = client.get("/api/v1/orders", headers=h).get_json()
    assert [o["id"] for o in listed] == [first.get_json()["id"]]


def test_the_same_key_with_another_body_is_a_409_problem(client, hospital):
    world, h, _ = hospital
    headers = {**h, "Idempotency-Key": "order-2026-0002"}
    client.post("/api/v1/orders", json=_order(world, 1), headers=headers)
    response = client.post("/api/v1/orders", json=_order(world, 2), headers=headers)
    assert response.status_code == 409
    assert response.get_json()["type"].endswith("/idempotency-key-reused")


def test_a_float_price_and_a_zero_quantity_are_field_problems(client, hospital, make_product):
    world, h, _ = hospital
    rival = make_product()
    response = client.post(
        "/api/v1/orders",
        headers=h,
        json={"lines": [{"product_id": rival.id, "packs": 1, "unit_price": 0.5}]},
    )
    assert response.status_code == 422
    response = client.post("/api/v1/orders", headers=h, json=_order(world, 0))
    body = response.get_json()
    assert (response.status_code, list(body["errors"])) == (422, ["lines.0.packs"])


def test_a_step_in_the_wrong_state_is_a_409_naming_the_allowed_moves(client, hospital):
    world, h, m = hospital
    oid = client.post("/api/v1/orders", json=_order(world), headers=h).get_json()["id"]
    assert client.post(f"/api/v1/orders/{oid}/cancel", json={}, headers=h).status_code == 200
    response = client.post(f"/api/v1/orders/{oid}/confirm", headers=m)
    body = response.get_json()
    assert (response.status_code, body["state"], body["allowed_moves"]) == (409, "cancelled", [])


def test_order_ship_receive_over_the_api_updates_the_volume(client, hospital):
    world, h, m = hospital
    oid = client.post("/api/v1/orders", json=_order(world, 5), headers=h).get_json()["id"]
    assert client.post(f"/api/v1/orders/{oid}/confirm", headers=m).status_code == 200
    line = client.get(f"/api/v1/orders/{oid}", headers=m).get_json()["lines"][0]
    shipment = client.post(
        f"/api/v1/orders/{oid}/shipments",
        headers=m,
        json={
            "lines": [
                {
                    "order_line_id": line["id"],
                    "quantity": 140,
                    "batch_no": "A1",
                    "production_date": "2025-11-01",
                    "expiry_date": "2027-10-31",
                }
            ]
        },
    ).get_json()
    receipt_headers = {**h, "Idempotency-Key": "rcv-1"}
    body = {
        "lines": [
            {
                "shipment_line_id": shipment["lines"][0]["id"],
                "accepted_quantity": 112,
                "rejected_quantity": 28,
                "rejection_reason": "carton crushed",
            }
        ]
    }
    first = client.post(
        f"/api/v1/shipments/{shipment['id']}/receipt", json=body, headers=receipt_headers
    )
    again = client.post(
        f"/api/v1/shipments/{shipment['id']}/receipt", json=body, headers=receipt_headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["lines"][0]["accepted_amount"] == "22.40"  # 112 x 0.2000
    volume = client.get(f"/api/v1/contracts/{world.contract.id}/volume", headers=h).get_json()
    assert (volume["ordered"], volume["shipped"], volume["accepted"], volume["remaining"]) == (
        140,
        140,
        112,
        2660,
    )
    order = client.get(f"/api/v1/orders/{oid}", headers=h).get_json()
    assert order["status"] == "received"


def test_the_sla_check_command_reports_breaches(runner, make_contract, place, clock):
    world = make_contract()
    place(world)
    clock.advance(hours=25)
    from procurement.cli import cli

    result = runner.invoke(cli, args=["orders", "sla-check"])
    assert "new breaches 2" in result.output, result.output
