"""Order pages through the test client: quick order, supplier confirm and ship, receiving."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from procurement.orders.models import OrderStatus, PurchaseOrder


def test_a_hospital_orders_the_supplier_ships_and_the_hospital_receives(
    app, make_contract, login, db_session
):
    world = make_contract(agreed=2800)
    hospital = login(world.hospital)
    page = hospital.get("/hospital/orders/new?q=氨氯")
    assert page.status_code == 200
    assert "<progress" in page.get_data(as_text=True)
    response = hospital.post(
        "/hospital/orders", data={f"packs_{world.contract.id}": "5", "delivery_address": "1 号库"}
    )
    assert response.status_code == 302
    order = db_session.scalar(select(PurchaseOrder))
    assert order.lines[0].quantity == 140
    supplier = app.test_client()
    supplier.post(
        "/login",
        data={"username": world.manufacturer.username, "password": "correct horse battery"},
    )
    assert order.number in supplier.get("/supplier/orders").get_data(as_text=True)
    supplier.post(f"/supplier/orders/{order.id}/confirm")
    line = order.lines[0].id
    supplier.post(
        f"/supplier/orders/{order.id}/ship",
        data={
            f"quantity_{line}": "140",
            f"batch_{line}": "P-1",
            f"produced_{line}": "2025-10-01",
            f"expires_{line}": "2027-09-30",
        },
    )
    db_session.refresh(order)
    assert order.status == OrderStatus.SHIPPED
    shipment = order.shipments[0]
    page = hospital.get(f"/hospital/shipments/{shipment.id}/receive")
    assert "P-1" in page.get_data(as_text=True)
    sl = shipment.lines[0].id
    hospital.post(
        f"/hospital/shipments/{shipment.id}/receive",
        data={f"accepted_{sl}": "140", f"rejected_{sl}": "0"},
    )
    db_session.refresh(order)
    assert order.status == OrderStatus.RECEIVED


def test_a_refused_quick_order_flashes_the_problem_and_writes_nothing(
    make_contract, login, db_session
):
    world = make_contract()
    hospital = login(world.hospital)
    response = hospital.post(
        "/hospital/orders", data={f"packs_{world.contract.id}": "-2"}, follow_redirects=True
    )
    assert "Line 1 · Packs: -2 packs" in response.get_data(as_text=True)  # as the form names it
    assert db_session.scalar(select(PurchaseOrder)) is None


def test_a_manufacturer_cannot_open_the_hospital_portal(make_contract, login):
    world = make_contract()
    response = login(world.manufacturer).get("/hospital/orders")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("path", "active"),
    [("/hospital/orders/new", "/hospital/orders/new"), ("/hospital/orders", "/hospital/orders")],
)
def test_one_menu_item_is_active_the_longest_that_holds_the_page(
    make_contract, login, path, active
):
    html = login(make_contract().hospital).get(path).get_data(as_text=True)
    current = re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', html)
    assert current == [active]
