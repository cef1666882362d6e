"""Authorization matrix: every orders endpoint x every kind of caller, on one hospital's and
one manufacturer's objects. Expected statuses are written out per endpoint."""

from __future__ import annotations

import io

import pytest

from procurement.orders import services as orders

ROLES = (
    "hospital",
    "other_hospital",
    "viewer",
    "manufacturer",
    "other_manufacturer",
    "distributor",
    "regulator",
    "fund",
    "anonymous",
)


@pytest.fixture
def matrix(make_contract, make_user, place, ship, db_session, clock, auth_headers):
    world = make_contract(agreed=28 * 100)
    placed = place(world, packs=2).order_id
    confirmed = place(world, packs=2).order_id
    orders.confirm_order(db_session, order_id=confirmed, now=clock.now(), actor=world.m)
    shipped = place(world, packs=2).order_id
    orders.confirm_order(db_session, order_id=shipped, now=clock.now(), actor=world.m)
    shipment = ship(world, shipped, batch="MX-1")
    users = {
        "hospital": world.hospital,
        "other_hospital": make_contract().hospital,
        "viewer": make_user(world.hospital.organization, role="viewer"),
        "manufacturer": world.manufacturer,
        "other_manufacturer": make_contract().manufacturer,
        "distributor": make_user(kind="distributor"),
        "regulator": make_user(kind="regulator", region_code="310000"),
        "fund": make_user(kind="fund", region_code="310000"),
    }
    headers = {role: auth_headers(user) for role, user in users.items()}
    headers["anonymous"] = {}
    confirmed_order = orders.get_order(
        db_session, order_id=confirmed, now=clock.now(), actor=world.h
    )
    return {
        "world": world,
        "headers": headers,
        "placed": placed,
        "confirmed": confirmed,
        "confirmed_number": confirmed_order.number,
        "shipment": shipment,
        "confirmed_line": confirmed_order.lines[0].id,
        "shipment_line": shipment.lines[0].id,
        "distributor_code": make_user(kind="distributor").organization.code,
    }


def _ship_body(m, today):
    return {
        "lines": [
            {
                "order_line_id": m["confirmed_line"],
                "quantity": 28,
                "batch_no": "B9",
                "production_date": "2025-12-01",
                "expiry_date": "2027-12-01",
            }
        ]
    }


def _csv(m):
    text = (
        "order_number,line_no,quantity,batch_no,production_date,expiry_date\n"
        f"{m['confirmed_number']},1,28,B10,2025-12-01,2027-12-01\n"
    )
    return {"file": (io.BytesIO(text.encode()), "lines.csv")}


#            hospital other_h viewer manuf other_m distrib regulat fund anon
CASES = [
    ("GET", "/orders", None,
     (200, 200, 200, 200, 200, 200, 200, 200, 401)),
    ("POST", "/orders", lambda m: {"lines": [{"contract_id": m["world"].contract.id, "packs": 1}]},
     (201, 403, 403, 403, 403, 403, 403, 403, 401)),
    ("GET", "/orders/{placed}", None,
     (200, 404, 200, 200, 404, 404, 200, 200, 401)),
    ("POST", "/orders/{placed}/confirm", None,
     (403, 404, 403, 200, 404, 404, 403, 403, 401)),
    ("POST", "/orders/{placed}/reject", lambda m: {"reason": "no stock"},
     (403, 404, 403, 200, 404, 404, 403, 403, 401)),
    ("POST", "/orders/{placed}/cancel", lambda m: {},
     (200, 404, 403, 403, 404, 404, 403, 403, 401)),
    ("POST", "/orders/{placed}/close", None,
     (409, 404, 403, 403, 404, 404, 403, 403, 401)),
    ("GET", "/orders/{confirmed}/shipments", None,
     (200, 404, 200, 200, 404, 404, 200, 200, 401)),
    ("POST", "/orders/{confirmed}/shipments", _ship_body,
     (403, 404, 403, 201, 404, 404, 403, 403, 401)),
    ("GET", "/shipments/{shipment}", None,
     (200, 404, 200, 200, 404, 404, 200, 200, 401)),
    ("POST", "/shipments/{shipment}/receipt",
     lambda m: {"lines": [{"shipment_line_id": m["shipment_line"], "accepted_quantity": 56}]},
     (201, 404, 403, 403, 404, 404, 403, 403, 401)),
    ("POST", "/shipments/import", _csv,
     (403, 403, 403, 201, 404, 404, 403, 403, 401)),
    ("GET", "/contracts/{contract}/volume", None,
     (200, 404, 200, 200, 404, 404, 200, 200, 401)),
    ("GET", "/batches/MX-1/trace", None,
     (403, 403, 403, 200, 404, 403, 200, 403, 401)),
    ("POST", "/distributor-appointments",
     lambda m: {"distributor_code": m["distributor_code"], "region_code": "310000",
                "contract_id": m["world"].contract.id},
     (403, 403, 403, 201, 422, 403, 403, 403, 401)),
    ("GET", "/distributor-appointments", None,
     (200, 200, 200, 200, 200, 200, 200, 200, 401)),
    ("POST", "/off-platform-purchases",
     lambda m: {"lot_id": m["world"].contract.lot_id, "month": "2025-12", "quantity": 280,
                "amount": "120.50"},
     (201, 201, 403, 403, 403, 403, 403, 403, 401)),
    ("GET", "/off-platform-purchases", None,
     (200, 200, 200, 403, 403, 403, 200, 200, 401)),
    ("POST", "/orders/sla-check", None,
     (403, 403, 403, 403, 403, 403, 200, 403, 401)),
]  # fmt: skip # table: one row per endpoint, one column per role (ROLES)


def _order_roles(expected):
    """Refused callers first, then the ones that succeed (a success may change the state)."""
    return sorted(ROLES, key=lambda role: expected[ROLES.index(role)] < 300)


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES]
)
def test_every_endpoint_answers_every_caller_as_the_matrix_says(
    client, matrix, clock, method, path, body, expected
):
    url = "/api/v1" + path.format(
        placed=matrix["placed"],
        confirmed=matrix["confirmed"],
        shipment=matrix["shipment"].id,
        contract=matrix["world"].contract.id,
    )
    got = {}
    for role in _order_roles(expected):
        kwargs = {"headers": matrix["headers"][role]}
        if body is not None:
            payload = body(matrix) if body is not _ship_body else body(matrix, clock.now().date())
            if path == "/shipments/import":
                kwargs["data"], kwargs["content_type"] = payload, "multipart/form-data"
            else:
                kwargs["json"] = payload
        response = client.open(url, method=method, **kwargs)
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (role, response.data)
    assert got == dict(zip(ROLES, expected, strict=True))
