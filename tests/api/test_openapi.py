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
