"""Schemathesis drives every operation of the OpenAPI document through the WSGI app (no
server), as each organization kind and anonymously, and checks the answers against the document:
no server error, only documented statuses, documented media types (problems are
``application/problem+json``) and bodies that match their schemas (money as decimal strings,
nulls where declared).

Each run starts from a small settled world (tests/fixtures/settlement.py ``settled``: a contract,
orders received, advances, a settlement run, an unpaid payable), so lists and reports answer
with real rows; its hospital, manufacturer and fund office call as themselves. The examples are
bounded (``MAX_EXAMPLES`` per operation in the fuzzing phase, plus the examples and the coverage
phase's boundary inputs; derandomized so CI is repeatable); valid and invalid inputs are both
generated. The run uses the ``app`` fixture, so it talks to the test database of the run
(SQLite, or PostgreSQL with TEST_DATABASE_URL) inside one rolled-back transaction per kind.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 8
KINDS = ["anonymous", "regulator", "fund", "hospital", "manufacturer", "distributor"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(params=KINDS)
def org_kind(request):
    return request.param


@pytest.fixture
def bearer(org_kind, settled, regulator, make_user, auth_headers):
    """Headers of a user of the kind (the settled world's own where it has one; none for
    anonymous)."""
    if org_kind == "anonymous":
        return {}
    users = {"regulator": regulator, **settled}
    user = users.get(org_kind) or make_user(kind=org_kind, role="admin")
    return auth_headers(user)


@pytest.fixture
def api_schema(app, org_kind):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Without a token every operation but the public ones is a 401 whatever its input: the
    # coverage phase's thousands of boundary inputs would only repeat that.
    schema.config.phases.coverage.enabled = org_kind != "anonymous"
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_document_says(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
