"""The platform's limits (procurement/core/limits.py) are rules: each refusal is a 413 or 422
problem that names the limit, and a refused request changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from procurement.auth.models import ApiToken
from procurement.catalog.models import Tender
from procurement.core import limits
from procurement.orders.models import PurchaseOrder as Order

TOO_BIG = 2**63  # one past PostgreSQL's BIGINT


def _problem(response, status, *names):
    """The response is a problem with ``status`` whose body mentions every name."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    text = response.get_data(as_text=True)
    for name in names:
        assert name in text, text
    return response.get_json()


def _count(db_session, column):
    return db_session.scalar(select(func.count(column)))


@pytest.fixture
def hospital(make_contract, auth_headers):
    world = make_contract(agreed=10**6)
    return world, auth_headers(world.hospital)


# ---- integers beyond the database's range ----------------------------------------------


def test_the_verify_endpoint_answers_an_overflowing_id_anonymously_with_404(client):
    _problem(client.get(f"/api/v1/bids/{TOO_BIG}/verify?digest=ab"), 404)
    page = client.get(f"/public/results/{TOO_BIG}", headers={"Accept": "text/html"})
    assert page.status_code == 404


def test_the_largest_bigint_id_is_routed_and_simply_not_found(client):
    _problem(client.get(f"/api/v1/tenders/{limits.DB_INT_MAX}/results"), 404)


def test_an_integer_beyond_bigint_in_a_body_is_a_422_naming_the_field(client, hospital):
    _world, h = hospital
    body = {"lines": [{"contract_id": TOO_BIG, "packs": 1}]}
    problem = _problem(client.post("/api/v1/orders", json=body, headers=h), 422, "DB_INT_MAX")
    assert list(problem["errors"]) == ["lines.0.contract_id"]


def test_an_integer_beyond_bigint_in_a_query_is_a_422(client, make_user, auth_headers):
    headers = auth_headers(make_user(kind="hospital"))
    response = client.get(f"/api/v1/contracts?tender_id={TOO_BIG}", headers=headers)
    problem = _problem(response, 422, "DB_INT_MAX")
    assert list(problem["errors"]) == ["tender_id"]


# ---- strings no column can store -------------------------------------------------------


@pytest.mark.parametrize("raw", ["a\\u0000b", "\\ud800", "ok\\udfffok"])
def test_nul_and_lone_surrogates_are_422_in_every_string_field(
    client, make_user, auth_headers, db_session, raw
):
    headers = auth_headers(make_user(kind="hospital"))
    tokens = _count(db_session, ApiToken.id)
    data = '{"name": "' + raw + '"}'
    response = client.post(
        "/api/v1/tokens", data=data, content_type="application/json", headers=headers
    )
    problem = _problem(response, 422)
    assert list(problem["errors"]) == ["name"]
    assert _count(db_session, ApiToken.id) == tokens


def test_a_nul_in_a_nested_key_or_a_query_is_422(client, regulator, auth_headers):
    headers = auth_headers(regulator)
    tender = {**_TENDER, "rules_overrides": {"win\u0000": "2"}}
    assert client.post("/api/v1/tenders", json=tender, headers=headers).status_code == 422
    response = client.get("/api/v1/tenders?status=%00", headers=headers)
    _problem(response, 422)


def test_a_nul_in_a_path_segment_is_422(client, make_user, auth_headers):
    headers = auth_headers(make_user(kind="hospital"))
    _problem(client.get("/api/v1/batches/B%0001/trace", headers=headers), 422, "NUL")


def test_a_nul_in_a_page_form_is_refused_not_a_500(client, login, make_user):
    user = make_user(kind="hospital")
    login(user)
    response = client.post(
        "/account/tokens", data={"name": "x\x00y"}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)


def test_a_multipart_field_with_an_unreadable_name_is_no_500(client, make_user, auth_headers):
    """A line break in a field's name makes werkzeug read it as None (schemathesis found it)."""
    boundary = "b0undary"
    part = 'Content-Disposition: form-data; name="a\nb"\r\n\r\nx'
    body = f"--{boundary}\r\n{part}\r\n--{boundary}--\r\n"
    response = client.post(
        "/api/v1/shipments/import",
        data=body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=auth_headers(make_user(kind="manufacturer")),
    )
    assert _problem(response, 422, "file")["errors"] == {"file": ["missing"]}


# ---- JSON depth and body size --------------------------------------------------------


def test_json_nested_10000_deep_is_a_413_naming_the_depth_limit(client):
    deep = "[" * 10_000 + "]" * 10_000
    response = client.post("/api/v1/tokens", data=deep, content_type="application/json")
    problem = _problem(response, 413, "MAX_JSON_DEPTH")
    assert problem["limit"] == "MAX_JSON_DEPTH"


def test_json_just_beyond_the_depth_limit_is_refused_and_at_it_parsed(client, hospital):
    _world, h = hospital
    at_limit = {
        "name": "n",
        "x": json.loads("[" * (limits.MAX_JSON_DEPTH - 1) + "]" * (limits.MAX_JSON_DEPTH - 1)),
    }
    beyond = {
        "name": "n",
        "x": json.loads("[" * limits.MAX_JSON_DEPTH + "]" * limits.MAX_JSON_DEPTH),
    }
    ok = client.post("/api/v1/tokens", json=at_limit, headers=h)
    problem = _problem(ok, 422)  # parsed, then 'x' is an unknown field
    assert list(problem["errors"]) == ["x"]
    _problem(client.post("/api/v1/tokens", json=beyond, headers=h), 413, "MAX_JSON_DEPTH")


def test_a_json_body_over_its_size_limit_is_a_413_problem(client, app, hospital, db_session):
    _world, h = hospital
    limit = app.config["MAX_JSON_CONTENT_LENGTH"]
    body = json.dumps({"name": "x" * limit})
    response = client.post("/api/v1/tokens", data=body, content_type="application/json", headers=h)
    problem = _problem(response, 413, "MAX_JSON_CONTENT_LENGTH")
    assert problem["maximum"] == limit


def test_an_upload_over_its_size_limit_is_a_413_problem(
    client, app, make_tender, regulator, auth_headers
):
    tender = make_tender("draft", lots=0)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    data = {"file": (io.BytesIO(b"code\n" + b"L01\n" * 500), "lots.csv")}
    response = client.post(
        f"/api/v1/tenders/{tender.id}/lots/import",
        data=data,
        content_type="multipart/form-data",
        headers=auth_headers(regulator),
    )
    _problem(response, 413, "MAX_CONTENT_LENGTH")


def test_an_upload_over_its_size_limit_on_a_page_is_a_413_page(
    client, app, make_tender, regulator, login
):
    tender = make_tender("draft", lots=0)
    login(regulator)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    data = {"file": (io.BytesIO(b"code\n" + b"L01\n" * 500), "lots.csv")}
    response = client.post(
        f"/regulator/tenders/{tender.id}/lots/import",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 413
    assert "MAX_CONTENT_LENGTH" in response.get_data(as_text=True)


# ---- money --------------------------------------------------------------------------


def _off_contract(product, price):
    return {"lines": [{"product_id": product.id, "packs": 1, "unit_price": price}]}


@pytest.mark.parametrize(
    ("price", "name"),
    [
        ("1" * 40, "MAX_MONEY"),
        ("1E-30", "PRICE_PLACES"),
        ("0.00001", "PRICE_PLACES"),
        ("1E+40", "MAX_MONEY"),
    ],
)
def test_a_price_beyond_the_money_limits_is_a_422(
    client, hospital, make_product, db_session, price, name
):
    _world, h = hospital
    orders = _count(db_session, Order.id)
    response = client.post("/api/v1/orders", json=_off_contract(make_product(), price), headers=h)
    problem = _problem(response, 422, name)
    assert list(problem["errors"]) == ["lines.0.unit_price"]
    assert _count(db_session, Order.id) == orders


def test_an_amount_keeps_two_places(client, hospital):
    world, h = hospital
    body = {"lot_id": world.contract.lot_id, "month": "2026-01", "quantity": 1, "amount": "1.001"}
    problem = _problem(
        client.post("/api/v1/off-platform-purchases", json=body, headers=h), 422, "AMOUNT_PLACES"
    )
    assert list(problem["errors"]) == ["amount"]


@pytest.mark.parametrize("month", ["0000-00", "2026-13", "9999-01", "2026-1"])
def test_a_month_outside_the_calendar_or_the_date_window_is_a_422(client, hospital, month):
    world, h = hospital
    body = {"lot_id": world.contract.lot_id, "month": month, "quantity": 1, "amount": "1.00"}
    problem = _problem(client.post("/api/v1/off-platform-purchases", json=body, headers=h), 422)
    assert list(problem["errors"]) == ["month"]


# ---- quantities and lines -------------------------------------------------------------


@pytest.mark.parametrize("packs", [2**31, 2**62, 2**63 - 1])
def test_packs_beyond_the_line_maximum_are_a_422(client, hospital, db_session, packs):
    world, h = hospital
    orders = _count(db_session, Order.id)
    body = {"lines": [{"contract_id": world.contract.id, "packs": packs}]}
    problem = _problem(
        client.post("/api/v1/orders", json=body, headers=h), 422, "MAX_PACKS_PER_LINE"
    )
    assert list(problem["errors"]) == ["lines.0.packs"]
    assert _count(db_session, Order.id) == orders


def test_an_order_of_more_lines_than_the_limit_is_a_422_and_writes_nothing(
    client, hospital, db_session
):
    world, h = hospital
    orders = _count(db_session, Order.id)
    line = {"contract_id": world.contract.id, "packs": 1}
    body = {"lines": [line] * (limits.MAX_ORDER_LINES + 1)}
    response = client.post("/api/v1/orders", json=body, headers=h)
    problem = _problem(response, 422, "MAX_ORDER_LINES")
    assert (problem["limit"], problem["maximum"]) == ("MAX_ORDER_LINES", limits.MAX_ORDER_LINES)
    assert _count(db_session, Order.id) == orders


def test_an_order_of_exactly_the_line_limit_is_placed(client, hospital):
    world, h = hospital
    body = {"lines": [{"contract_id": world.contract.id, "packs": 1}] * limits.MAX_ORDER_LINES}
    response = client.post("/api/v1/orders", json=body, headers=h)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    assert len(response.get_json()["lines"]) == limits.MAX_ORDER_LINES


# ---- dates -----------------------------------------------------------------------------

_TENDER = {
    "code": "SH-2026-09",
    "name": "上海 2026 第九批",
    "category": "drug",
    "region_scope": ["310000"],
    "demand_deadline": "2026-01-20T09:00:00+00:00",
    "bid_deadline": "2026-02-01T09:00:00+00:00",
    "opening_at": "2026-02-01T10:00:00+00:00",
    "contract_start": "2026-03-01",
    "contract_years": 2,
}


def test_a_tender_in_9999_is_a_422_naming_the_date_window(
    client, regulator, auth_headers, db_session
):
    tenders = _count(db_session, Tender.id)
    late = {**_TENDER, "opening_at": "9999-02-01T10:00:00+00:00", "contract_start": "9999-03-01"}
    response = client.post("/api/v1/tenders", json=late, headers=auth_headers(regulator))
    problem = _problem(response, 422, "MAX_DATE")
    assert set(problem["errors"]) == {"opening_at", "contract_start"}
    assert _count(db_session, Tender.id) == tenders


def test_a_tender_beyond_the_planning_horizon_is_a_422(client, clock, regulator, auth_headers):
    year = clock.now().year + 4
    late = {**_TENDER, "contract_start": f"{year}-03-01"}
    response = client.post("/api/v1/tenders", json=late, headers=auth_headers(regulator))
    problem = _problem(response, 422, "TENDER_HORIZON_DAYS")
    assert list(problem["errors"]) == ["contract_start"]


# ---- tokens --------------------------------------------------------------------------


@pytest.mark.parametrize("days", [42_813_006, limits.MAX_TOKEN_VALID_DAYS + 1, TOO_BIG - 1])
def test_a_token_lifetime_beyond_the_limit_is_a_422(
    client, make_user, auth_headers, db_session, days
):
    headers = auth_headers(make_user(kind="hospital"))
    tokens = _count(db_session, ApiToken.id)
    response = client.post(
        "/api/v1/tokens", json={"name": "ci", "valid_days": days}, headers=headers
    )
    problem = _problem(response, 422, "MAX_TOKEN_VALID_DAYS")
    assert list(problem["errors"]) == ["valid_days"]
    assert _count(db_session, ApiToken.id) == tokens


def test_a_token_of_the_longest_lifetime_is_issued(client, make_user, auth_headers):
    headers = auth_headers(make_user(kind="hospital"))
    body = {"name": "ci", "valid_days": limits.MAX_TOKEN_VALID_DAYS}
    assert client.post("/api/v1/tokens", json=body, headers=headers).status_code == 201


# ---- uploads ---------------------------------------------------------------------------


def test_an_upload_beyond_the_row_limit_is_a_422_naming_it(
    client, make_tender, regulator, auth_headers
):
    tender = make_tender("draft", lots=0)
    header = (
        "code,generic_name,dosage_form,dosage_class,reference_strength,strength_unit,"
        "smallest_unit,ceiling_unit_price,reference_unit_price\n"
    )
    rows = "x\n" * (limits.MAX_UPLOAD_ROWS + 1)  # short rows keep the upload in memory
    data = {"file": (io.BytesIO((header + rows).encode()), "lots.csv")}
    response = client.post(
        f"/api/v1/tenders/{tender.id}/lots/import",
        data=data,
        content_type="multipart/form-data",
        headers=auth_headers(regulator),
    )
    _problem(response, 422, "MAX_UPLOAD_ROWS")


# ---- quantities and amounts together -------------------------------------------------


def test_a_pack_size_beyond_its_limit_is_a_422(client, make_user, auth_headers):
    headers = auth_headers(make_user(kind="manufacturer"))
    body = {
        "approval_number": "国药准字H20209999",
        "generic_name": "氨氯地平",
        "dosage_form": "片剂",
        "dosage_class": "oral_solid",
        "strength": "5",
        "strength_unit": "mg",
        "smallest_unit": "tablet",
        "pack_size": limits.MAX_PACK_SIZE + 1,
        "approval_date": "2020-06-01",
    }
    problem = _problem(
        client.post("/api/v1/products", json=body, headers=headers), 422, "MAX_PACK_SIZE"
    )
    assert list(problem["errors"]) == ["pack_size"]
    body["pack_size"] = limits.MAX_PACK_SIZE
    assert client.post("/api/v1/products", json=body, headers=headers).status_code == 201


def test_a_line_whose_amount_passes_the_money_limit_is_a_422(
    client, hospital, make_product, db_session
):
    _world, h = hospital
    orders = _count(db_session, Order.id)
    product = make_product(pack_size=limits.MAX_PACK_SIZE)
    line = {"product_id": product.id, "packs": limits.MAX_PACKS_PER_LINE, "unit_price": "1000"}
    response = client.post("/api/v1/orders", json={"lines": [line]}, headers=h)
    problem = _problem(response, 422, "MAX_MONEY")
    assert list(problem["errors"]) == ["lines.0"]
    assert _count(db_session, Order.id) == orders
