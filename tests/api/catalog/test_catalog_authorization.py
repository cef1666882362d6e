"""Authorization matrix: every catalog endpoint x every kind of organization (and anonymous),
including another organization's objects of the same kind."""

import io
import itertools

import pytest
from sqlalchemy import select

from procurement.catalog.models import DemandReport
from tests.fixtures.catalog import product_data

_n = itertools.count(1)
# The owners act last, so that a successful change does not alter what the others see.
ACTORS = [
    "anonymous",
    "fund",
    "distributor",
    "other_hospital",
    "other_manufacturer",
    "other_regulator",
    "hospital",
    "manufacturer",
    "regulator",
]


def tender_body():
    return {
        "code": f"AUTHZ-{next(_n)}",
        "name": "x",
        "category": "drug",
        "region_scope": ["310000"],
        "demand_deadline": "2026-02-01T00:00:00+00:00",
        "bid_deadline": "2026-02-10T00:00:00+00:00",
        "opening_at": "2026-02-10T00:00:00+00:00",
        "contract_start": "2026-03-01",
        "contract_years": 1,
    }


def lot_body():
    return {
        "code": f"X{next(_n)}",
        "generic_name": "x",
        "dosage_form": "片剂",
        "dosage_class": "oral_solid",
        "reference_strength": "1",
        "strength_unit": "mg",
        "smallest_unit": "tablet",
        "ceiling_unit_price": "1",
        "reference_unit_price": "2",
    }


def product_body():
    data = product_data(approval_date="2020-01-01", strength="5")
    return {k: v for k, v in data.items() if v is not None}


def lot_file():
    csv = (
        "code,generic_name,dosage_form,dosage_class,reference_strength,strength_unit,"
        "smallest_unit,ceiling_unit_price,reference_unit_price\n"
    )
    csv += f"Z{next(_n)},x,片剂,oral_solid,1,mg,tablet,1,2\n"
    return {
        "data": {"file": (io.BytesIO(csv.encode()), "lots.csv")},
        "content_type": "multipart/form-data",
    }


def demand_file():
    data = {"file": (io.BytesIO(b"lot_code,quantity,last_year_usage\nL01,5,5\n"), "d.csv")}
    return {"data": data, "content_type": "multipart/form-data"}


ALL = dict.fromkeys(ACTORS[1:], 200) | {"anonymous": 401}
NOT_OWNER_403 = dict.fromkeys(ACTORS[1:], 403) | {"anonymous": 401}
NOT_OWNER_404 = dict.fromkeys(ACTORS[1:], 404) | {"anonymous": 401}

# (method, path, body factory, expected status per actor)
MATRIX = {
    "list tenders": ("get", "/tenders", None, ALL),
    "create tender": (
        "post",
        "/tenders",
        lambda: {"json": tender_body()},
        NOT_OWNER_403 | {"regulator": 201, "other_regulator": 201},
    ),
    "read published tender": ("get", "/tenders/{open}", None, ALL),
    "read draft tender": ("get", "/tenders/{draft}", None, NOT_OWNER_404 | {"regulator": 200}),
    "edit draft tender": (
        "patch",
        "/tenders/{draft}",
        lambda: {"json": {"name": "y"}, "headers": {"If-Match": '"1"'}},
        NOT_OWNER_404 | {"regulator": 200},
    ),
    "edit published tender": (
        "patch",
        "/tenders/{open}",
        lambda: {"json": {"name": "y"}, "headers": {"If-Match": '"1"'}},
        NOT_OWNER_403 | {"regulator": 409},
    ),
    "list lots": ("get", "/tenders/{open}/lots", None, ALL),
    "add lot to draft": (
        "post",
        "/tenders/{draft}/lots",
        lambda: {"json": lot_body()},
        NOT_OWNER_404 | {"regulator": 201},
    ),
    "add lot to published": (
        "post",
        "/tenders/{open}/lots",
        lambda: {"json": lot_body()},
        NOT_OWNER_403 | {"regulator": 409},
    ),
    "import lots": (
        "post",
        "/tenders/{draft}/lots/import",
        lot_file,
        NOT_OWNER_404 | {"regulator": 201},
    ),
    "read lot": ("get", "/lots/{open_lot}", None, ALL),
    "read draft lot": ("get", "/lots/{draft_lot}", None, NOT_OWNER_404 | {"regulator": 200}),
    "edit draft lot": (
        "patch",
        "/lots/{draft_lot}",
        lambda: {"json": {"generic_name": "z"}},
        NOT_OWNER_404 | {"regulator": 200},
    ),
    "delete published lot": (
        "delete",
        "/lots/{open_lot}",
        None,
        NOT_OWNER_403 | {"regulator": 409},
    ),
    "open demand": (
        "post",
        "/tenders/{draft}/transitions",
        lambda: {"json": {"to": "demand_open"}},
        NOT_OWNER_404 | {"regulator": 200},
    ),
    "open bidding early": (
        "post",
        "/tenders/{open}/transitions",
        lambda: {"json": {"to": "bidding_open"}},
        NOT_OWNER_403 | {"regulator": 409},
    ),
    "read demand": (
        "get",
        "/tenders/{open}/demand",
        None,
        NOT_OWNER_403 | {"regulator": 200, "hospital": 200, "other_hospital": 200},
    ),
    "report demand": (
        "put",
        "/tenders/{open}/demand",
        lambda: {"json": {"rows": [{"lot_code": "L01", "quantity": 3, "last_year_usage": 1}]}},
        NOT_OWNER_403 | {"hospital": 200, "other_hospital": 200},
    ),
    "upload demand": (
        "post",
        "/tenders/{open}/demand/import",
        demand_file,
        NOT_OWNER_403 | {"hospital": 201, "other_hospital": 201},
    ),
    "demand totals": (
        "get",
        "/tenders/{open}/demand/totals",
        None,
        NOT_OWNER_403 | {"regulator": 200},
    ),
    "confirm demand early": (
        "post",
        "/tenders/{open}/demand/confirm",
        lambda: {"json": {}},
        NOT_OWNER_403 | {"regulator": 409},
    ),
    "read a demand report": (
        "get",
        "/demand-reports/{report}",
        None,
        NOT_OWNER_403
        | {"hospital": 200, "regulator": 200, "other_hospital": 404, "other_regulator": 404},
    ),
    "list products": (
        "get",
        "/products",
        None,
        NOT_OWNER_403
        | dict.fromkeys(
            ["manufacturer", "other_manufacturer", "regulator", "other_regulator"], 200
        ),
    ),
    "register product": (
        "post",
        "/products",
        lambda: {"json": product_body()},
        NOT_OWNER_403 | {"manufacturer": 201, "other_manufacturer": 201},
    ),
    "read a product": (
        "get",
        "/products/{product}",
        None,
        NOT_OWNER_403
        | {
            "manufacturer": 200,
            "other_manufacturer": 404,
            "regulator": 200,
            "other_regulator": 200,
        },
    ),
}


@pytest.fixture
def world(make_user, make_tender, make_product, regulator, auth_headers, db_session):
    hospital = make_user(kind="hospital")
    manufacturer = make_user(kind="manufacturer")
    users = {
        "regulator": regulator,
        "other_regulator": make_user(kind="regulator", region_code="320000"),
        "fund": make_user(kind="fund"),
        "hospital": hospital,
        "other_hospital": make_user(kind="hospital", region_code="310104"),
        "manufacturer": manufacturer,
        "other_manufacturer": make_user(kind="manufacturer"),
        "distributor": make_user(kind="distributor"),
    }
    draft = make_tender("draft", lots=1)
    published = make_tender("demand_open", demand=[(hospital, {"L01": 10})])
    ids = {
        "draft": draft.id,
        "open": published.id,
        "draft_lot": draft.lots[0].id,
        "open_lot": published.lots[0].id,
        "report": db_session.scalar(
            select(DemandReport.id).where(DemandReport.tender_id == published.id)
        ),
        "product": make_product(manufacturer).id,
    }
    headers = {name: auth_headers(user) for name, user in users.items()} | {"anonymous": {}}
    return ids, headers


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_each_endpoint_answers_each_kind_of_organization_as_the_matrix_says(
    client, world, endpoint
):
    ids, headers = world
    method, path, body, expected = MATRIX[endpoint]
    url = "/api/v1" + path.format(**ids)
    got = {}
    for actor in ACTORS:
        kwargs = body() if body else {}
        kwargs["headers"] = {**kwargs.get("headers", {}), **headers[actor]}
        response = getattr(client, method)(url, **kwargs)
        got[actor] = response.status_code
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (actor, response.data)
            assert response.get_json()["detail"], actor
    assert got == {a: expected[a] for a in ACTORS}
