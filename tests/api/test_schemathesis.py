"""Schemathesis drives every operation of the OpenAPI document through the WSGI app (no
server), as each organization kind and anonymously, and finds no server error.

The examples are bounded (``MAX_EXAMPLES`` per operation, derandomized so CI is repeatable);
both valid and invalid inputs are generated. The run uses the ``app`` fixture, so it talks to the
test database of the run (SQLite, or PostgreSQL with TEST_DATABASE_URL) inside one rolled-back
transaction per organization kind.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

MAX_EXAMPLES = 8
KINDS = ["anonymous", "regulator", "fund", "hospital", "manufacturer", "distributor"]


@pytest.fixture(params=KINDS)
def org_kind(request):
    return request.param


@pytest.fixture
def bearer(org_kind, make_user, auth_headers):
    """Headers of an admin of a new organization of the kind (none for anonymous)."""
    if org_kind == "anonymous":
        return {}
    return auth_headers(make_user(kind=org_kind, role="admin"))


@pytest.fixture
def api_schema(app, org_kind):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(case, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
