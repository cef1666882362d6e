"""The OpenAPI document, the offline Swagger UI and the health check."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_openapi_document_describes_the_api_under_api_v1(spec):
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] == "Volume-based procurement API"
    assert {"/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{token_id}"} <= set(spec["paths"])


def test_every_operation_has_a_summary_from_its_docstring(spec):
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"} and not operation.get("summary")
    ]
    assert missing == []


def test_errors_are_documented_as_problems(spec):
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    post_tokens = spec["paths"]["/api/v1/tokens"]["post"]["responses"]
    assert "422" in post_tokens


def test_the_docs_page_loads_swagger_ui_only_from_this_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the docs page should load Swagger UI's script and stylesheet"
    assert all(a.startswith("/static/") for a in assets), assets
    assert "/static/js/swagger-init.js" in assets  # its start-up, not inline script (CSP)
    assert "/api/v1/openapi.json" in html
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        if asset.startswith("/static/swagger-ui/"):
            assert len(served.data) > 10_000, asset
        served.close()


def test_the_vendored_swagger_ui_keeps_its_licence(client):
    response = client.get("/static/swagger-ui/LICENSE")
    assert response.status_code == 200
    assert "Apache License" in response.get_data(as_text=True)
    response.close()


def test_healthz_answers_ok_after_touching_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_the_document_declares_bearer_token_authentication(spec):
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert spec["security"] == [{"bearerAuth": []}]


METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _response(spec, response):
    ref = response.get("$ref", "")
    return spec["components"]["responses"][ref.rsplit("/", 1)[-1]] if ref else response


def test_the_document_is_valid_openapi(spec):
    from openapi_spec_validator import validate

    validate(spec)  # raises on the first error


def test_every_error_an_operation_declares_is_a_problem_json(spec):
    problem = {"$ref": "#/components/schemas/Problem"}
    wrong = [
        f"{name} {status}"
        for name, operation in _operations(spec)
        for status, response in operation["responses"].items()
        if status == "default"
        or (
            int(status) >= 400
            and _response(spec, response)["content"]
            != {"application/problem+json": {"schema": problem}}
        )
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("operation", "statuses"),
    [
        ("GET /api/v1/me", {"401", "403", "429"}),
        ("GET /api/v1/orders/{order_id}", {"401", "403", "404", "429"}),
        (
            "POST /api/v1/orders",
            {"400", "401", "403", "404", "409", "413", "415", "422", "429"},
        ),
        (
            "PATCH /api/v1/tenders/{tender_id}",
            {"400", "401", "403", "404", "409", "412", "413", "415", "422", "428", "429"},
        ),
        ("GET /api/v1/settlement/statements", {"401", "403", "404", "422", "429"}),
        ("GET /api/v1/compliance/alerts", {"401", "403", "422", "429"}),
    ],
)
def test_each_operation_lists_the_problems_it_can_answer_with(spec, operation, statuses):
    method, path = operation.split(" ")
    declared = spec["paths"][path][method.lower()]["responses"]
    assert {status for status in declared if int(status) >= 400} == statuses


def test_post_orders_declares_its_idempotency_key_and_its_body(spec):
    operation = spec["paths"]["/api/v1/orders"]["post"]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert (header["name"], header["required"]) == ("Idempotency-Key", False)
    assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 200}
    placed = {"$ref": "#/components/schemas/PlacedOrder"}
    for status in ("200", "201"):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == placed
    assert "Location" in operation["responses"]["201"]["headers"]


def test_a_settlement_run_requires_an_idempotency_key(spec):
    operation = spec["paths"]["/api/v1/settlement/runs"]["post"]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert (header["name"], header["required"]) == ("Idempotency-Key", True)


def test_tender_edits_declare_if_match_and_answer_with_an_etag(spec):
    item = spec["paths"]["/api/v1/tenders/{tender_id}"]
    (header,) = [p for p in item["patch"]["parameters"] if p["in"] == "header"]
    assert (header["name"], header["required"]) == ("If-Match", True)
    for method in ("get", "patch"):
        assert "ETag" in item[method]["responses"]["200"]["headers"]


def _properties(spec):
    for name, schema in spec["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            yield f"{name}.{field}", prop


def test_money_is_a_decimal_string_with_a_pattern_never_a_json_number(spec):
    decimals = {name: prop for name, prop in _properties(spec) if prop.get("format") == "decimal"}
    assert {"PlacedOrder.total_amount", "Lot.ceiling_unit_price"} <= set(decimals)
    assert all(p["type"] == "string" and p["pattern"] for p in decimals.values())
    numbers = [name for name, prop in _properties(spec) if prop.get("type") == "number"]
    assert numbers == []


def test_quantities_are_integers_and_states_are_string_enums(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["PlacedOrderLine"]["properties"]["quantity"]["type"] == "integer"
    status = schemas["Order"]["properties"]["status"]
    assert (status["type"], "confirmed" in status["enum"]) == ("string", True)
    assert schemas["Alert"]["properties"]["severity"]["type"] == "string"


def test_token_dates_that_can_be_null_are_nullable(spec):
    token = spec["components"]["schemas"]["Token"]["properties"]
    assert token["expires_at"]["nullable"] is True
    assert token["revoked_at"]["nullable"] is True


def test_uploads_are_multipart_bodies_with_the_file_and_the_form_fields(spec):
    body = spec["paths"]["/api/v1/tenders/{tender_id}/lots/import"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert set(schema["properties"]) == {"file", "replace"}
    assert schema["required"] == ["file"]
    shipments = spec["paths"]["/api/v1/shipments/import"]["post"]["requestBody"]
    assert "multipart/form-data" in shipments["content"]
