"""POST /orders documents what it returns: the OpenAPI gives its 201 (and replay 200) body as
the PlacedOrder schema and its Idempotency-Key header, and real responses validate against
that schema with every documented property present."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from procurement.web.api import DECIMAL_PATTERN

ORDERS = "/api/v1/orders"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def hospital(make_contract, auth_headers):
    world = make_contract(agreed=2800)
    return world, auth_headers(world.hospital)


def _resolved(node: Any, spec: dict) -> Any:
    """``node`` with every ``#/components/...`` reference replaced by what it names."""
    if isinstance(node, dict):
        if "$ref" in node:
            _, *path = node["$ref"].split("/")
            target = spec
            for part in path:
                target = target[part]
            return _resolved(target, spec)
        return {key: _resolved(value, spec) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolved(item, spec) for item in node]
    return node


def _body_schema(spec: dict, status: str) -> dict:
    response = spec["paths"][ORDERS]["post"]["responses"][status]
    return _resolved(response["content"]["application/json"]["schema"], spec)


def _assert_valid(body: dict, schema: dict) -> None:
    OAS30Validator(schema, format_checker=oas30_format_checker).validate(body)
    # The dump schema marks nothing required: check every documented property is sent.
    assert set(body) == set(schema["properties"])
    line_properties = set(schema["properties"]["lines"]["items"]["properties"])
    assert all(set(line) == line_properties for line in body["lines"])


def test_the_201_and_the_replay_200_are_documented_as_the_placed_order(spec):
    responses = spec["paths"][ORDERS]["post"]["responses"]
    for status in ("201", "200"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/PlacedOrder"}
    assert "Location" in responses["201"]["headers"]
    placed = spec["components"]["schemas"]["PlacedOrder"]["properties"]
    assert {"id", "number", "status", "total_amount", "placed_at", "lines"} <= set(placed)
    assert placed["total_amount"] == {  # "728.00"
        "type": "string",
        "format": "decimal",
        "pattern": DECIMAL_PATTERN,
    }


def test_the_idempotency_key_header_is_documented_with_its_length_limit(spec):
    parameters = spec["paths"][ORDERS]["post"]["parameters"]
    key = next(p for p in parameters if p["name"] == "Idempotency-Key")
    assert (key["in"], key["required"]) == ("header", False)
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 200)
    receipt = spec["paths"]["/api/v1/shipments/{shipment_id}/receipt"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in receipt["parameters"]]


def test_a_placed_order_and_its_replay_validate_against_the_documented_schema(
    client, spec, hospital
):
    world, headers = hospital
    headers = {**headers, "Idempotency-Key": "schema-1"}
    order = {"lines": [{"contract_id": world.contract.id, "packs": 3}], "wanted_by": None}
    first = client.post(ORDERS, json=order, headers=headers)
    again = client.post(ORDERS, json=order, headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    _assert_valid(first.get_json(), _body_schema(spec, "201"))
    _assert_valid(again.get_json(), _body_schema(spec, "200"))
    line = first.get_json()["lines"][0]
    # 3 packs x 28 = 84 tablets at the fixture's 0.2000 = 16.80
    assert (line["quantity"], line["unit_price"], line["amount"]) == (84, "0.2000", "16.80")


def test_an_off_contract_line_validates_with_its_null_contract(
    client, spec, hospital, make_product
):
    _, headers = hospital
    rival = make_product(pack_size=14)  # another manufacturer's product of the same generic
    order = {"lines": [{"product_id": rival.id, "packs": 2, "unit_price": "0.3500"}]}
    response = client.post(ORDERS, json=order, headers=headers)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    _assert_valid(body, _body_schema(spec, "201"))
    line = body["lines"][0]
    # 2 packs x 14 = 28 units at 0.3500 = 9.80, all beyond any agreed volume
    assert (line["contract_id"], line["off_contract"], line["amount"]) == (None, True, "9.80")
    assert (line["within_agreed_quantity"], line["beyond_agreed_quantity"]) == (0, 28)
