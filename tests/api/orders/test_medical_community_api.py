"""A county medical community through the API (RULES.md 12): it orders for a member with
``buyer_id`` (201, the member the buyer, ``placed_by_org_id`` the community, the member's
address), sees and receives its members' orders and reports demand for them. The matrix: every
endpoint it changes x the community, its member, another community, another community's member,
a read-only viewer of the community, the manufacturer, the regulator and no one."""

from __future__ import annotations

import pytest

from procurement.auth.services import actor_of
from procurement.catalog.models import DemandReport
from procurement.orders import services as orders


@pytest.fixture
def api(community_world, make_user, auth_headers):
    w = community_world()
    users = {
        "community": w.community,
        "member": w.clinic,
        "other_community": w.other,
        "other_member": w.other_clinic,
        "viewer": make_user(w.community.organization, role="viewer"),
        "manufacturer": w.manufacturer,
        "regulator": make_user(kind="regulator", region_code="310000"),
    }
    headers = {role: auth_headers(user) for role, user in users.items()}
    headers["anonymous"] = {}
    return w, headers


def _body(w, buyer_id):
    return {
        "lines": [{"contract_id": w.clinic_world.contract.id, "packs": 10}],
        "buyer_id": buyer_id,
    }


PLACE_FOR_MEMBER = {
    "community": 201,
    "member": 201,  # the member itself (buyer_id its own id)
    "other_community": 403,
    "other_member": 403,
    "viewer": 403,
    "manufacturer": 403,
    "regulator": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", PLACE_FOR_MEMBER)
def test_placing_for_the_member_by_role(api, client, role):
    w, headers = api
    response = client.post(
        "/api/v1/orders", json=_body(w, w.clinic.organization_id), headers=headers[role]
    )
    assert response.status_code == PLACE_FOR_MEMBER[role], response.get_json()
    if role == "community":
        body = response.get_json()
        assert body["hospital_id"] == w.clinic.organization_id
        assert body["placed_by_org_id"] == w.community.organization_id
        assert body["delivery_address"] == w.clinic.organization.address
        assert body["total_amount"] == "56.00"
    elif role == "member":
        assert response.get_json()["placed_by_org_id"] is None
    elif role in ("other_community", "other_member"):
        problem = response.get_json()
        assert problem["type"].endswith("/not-your-member")
        assert problem["errors"] == {"buyer_id": ["not a member of your medical community"]}


def test_a_member_cannot_order_for_a_sibling(api, client):
    w, headers = api
    body = {
        "lines": [{"contract_id": w.township_world.contract.id, "packs": 1}],
        "buyer_id": w.township.organization_id,
    }
    response = client.post("/api/v1/orders", json=body, headers=headers["member"])
    assert response.status_code == 403
    assert response.get_json()["type"].endswith("/not-your-member")


def test_a_bad_buyer_id_is_a_422_problem(api, client):
    w, headers = api
    response = client.post(
        "/api/v1/orders", json=_body(w, "the clinic"), headers=headers["community"]
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "buyer_id" in response.get_json()["errors"]


SEE_MEMBER_ORDER = {
    "community": 200,
    "member": 200,
    "other_community": 404,
    "other_member": 404,
    "viewer": 200,
    "manufacturer": 200,
    "regulator": 200,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", SEE_MEMBER_ORDER)
def test_the_members_order_and_its_shipment_by_role(api, client, db_session, clock, ship, role):
    w, headers = api
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=10, contract_id=w.clinic_world.contract.id)],
            buyer_id=w.clinic.organization_id,
        ),
        now=clock.now(),
        actor=w.c,
    )
    orders.confirm_order(
        db_session, order_id=placed.order_id, now=clock.now(), actor=w.clinic_world.m
    )
    shipment = ship(w.clinic_world, placed.order_id)
    response = client.get(f"/api/v1/orders/{placed.order_id}", headers=headers[role])
    assert response.status_code == SEE_MEMBER_ORDER[role]
    seen = client.get(f"/api/v1/shipments/{shipment.id}", headers=headers[role])
    assert seen.status_code == SEE_MEMBER_ORDER[role]
    if seen.status_code == 200:
        assert seen.get_json()["delivery_address"] == w.clinic.organization.address


RECEIVE_FOR_MEMBER = {
    "community": 201,
    "member": 201,
    "other_community": 404,
    "other_member": 404,
    "viewer": 403,
    "manufacturer": 403,
    "regulator": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", RECEIVE_FOR_MEMBER)
def test_receiving_the_members_shipment_by_role(api, client, db_session, clock, ship, role):
    w, headers = api
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=10, contract_id=w.clinic_world.contract.id)],
            buyer_id=w.clinic.organization_id,
        ),
        now=clock.now(),
        actor=w.c,
    )
    orders.confirm_order(
        db_session, order_id=placed.order_id, now=clock.now(), actor=w.clinic_world.m
    )
    shipment = ship(w.clinic_world, placed.order_id)
    line = shipment.lines[0]
    body = {
        "lines": [
            {
                "shipment_line_id": line.id,
                "accepted_quantity": line.quantity,
                "rejected_quantity": 0,
            }
        ]
    }
    response = client.post(
        f"/api/v1/shipments/{shipment.id}/receipt", json=body, headers=headers[role]
    )
    assert response.status_code == RECEIVE_FOR_MEMBER[role], response.get_json()
    if response.status_code == 201:
        volume = orders.contract_volume(
            db_session, contract_id=w.clinic_world.contract.id, actor=actor_of(w.clinic)
        )
        assert volume.accepted == 280


def test_the_community_lists_its_members_orders_and_contracts(api, client, db_session, clock):
    w, headers = api
    placed = orders.place_order(
        db_session,
        request=orders.OrderRequest(
            lines=[orders.LineRequest(packs=10, contract_id=w.clinic_world.contract.id)],
            buyer_id=w.clinic.organization_id,
        ),
        now=clock.now(),
        actor=w.c,
    )
    listed = client.get("/api/v1/orders", headers=headers["community"]).get_json()
    assert [o["id"] for o in listed] == [placed.order_id]
    assert client.get("/api/v1/orders", headers=headers["other_community"]).get_json() == []
    contracts = client.get("/api/v1/contracts", headers=headers["community"]).get_json()
    assert sorted(c["id"] for c in contracts) == sorted(
        [w.clinic_world.contract.id, w.township_world.contract.id]
    )
    assert client.get("/api/v1/contracts", headers=headers["other_community"]).get_json() == []


def test_the_community_picks_a_member_on_the_demand_page(
    community_world, make_tender, login, client, db_session
):
    """The picker lists the community and its members; a quantity saved for the member is the
    member's (and the page comes back on the member); another community's clinic is refused."""
    tender = make_tender("demand_open")
    w = community_world()
    login(w.community)
    client.set_cookie("lang", "zh")
    page = client.get(f"/hospital/demand/{tender.id}").get_data(as_text=True)
    assert 'data-testid="demand-member"' in page
    assert "填报单位" in page
    clinic = w.clinic.organization_id
    assert f'<option value="{clinic}">' in page
    saved = client.post(
        f"/hospital/demand/{tender.id}",
        data={"buyer": clinic, "quantity_L01": "1200", "usage_L01": "1000"},
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/hospital/demand/{tender.id}?buyer={clinic}")
    report = db_session.query(DemandReport).one()
    assert (report.hospital_id, report.quantity) == (clinic, 1200)
    shown = client.get(f"/hospital/demand/{tender.id}?buyer={clinic}").get_data(as_text=True)
    assert f'<option value="{clinic}" selected>' in shown
    assert 'value="1200"' in shown
    other = client.get(f"/hospital/demand/{tender.id}?buyer={w.other_clinic.organization_id}")
    assert other.status_code == 403
    # the community's own page has no member's figures
    own = client.get(f"/hospital/demand/{tender.id}").get_data(as_text=True)
    assert 'value="1200"' not in own
