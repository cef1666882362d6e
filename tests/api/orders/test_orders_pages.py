"""Order pages through the test client: quick order, supplier confirm and ship, receiving, the
order and shipment pages of both sides, and who may see them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from procurement.orders.models import OrderStatus, PurchaseOrder, Receipt


def _text(response) -> str:
    return response.get_data(as_text=True)


def _order(world, packs="5", **extra):
    return {
        f"lines.{world.contract.id}.contract_id": str(world.contract.id),
        f"lines.{world.contract.id}.packs": packs,
        "delivery_address": "1 号库",
        **extra,
    }


def _ship_form(order, batch="P-1", quantity=None):
    data = {}
    for i, line in enumerate(order.lines):
        data |= {
            f"lines.{i}.order_line_id": str(line.id),
            f"lines.{i}.quantity": str(line.open_quantity if quantity is None else quantity),
            f"lines.{i}.batch_no": batch,
            f"lines.{i}.production_date": "2025-10-01",
            f"lines.{i}.expiry_date": "2027-09-30",
        }
    return data


def test_a_hospital_orders_the_supplier_ships_and_the_hospital_receives(
    make_contract, as_user, db_session
):
    world = make_contract(agreed=2800)
    hospital = as_user(world.hospital)
    page = hospital.get("/hospital/orders/new?q=氨氯")
    assert page.status_code == 200
    assert "<progress" in _text(page)
    response = hospital.post("/hospital/orders", data=_order(world))
    assert response.status_code == 302
    order = db_session.scalar(select(PurchaseOrder))
    assert response.location.endswith(f"/hospital/orders/{order.id}")
    assert order.lines[0].quantity == 140
    supplier = as_user(world.manufacturer)
    assert order.number in _text(supplier.get("/supplier/orders"))
    assert supplier.post(f"/supplier/orders/{order.id}/confirm").status_code == 302
    response = supplier.post(f"/supplier/orders/{order.id}/ship", data=_ship_form(order))
    assert response.status_code == 302, _text(response)
    db_session.refresh(order)
    assert order.status == OrderStatus.SHIPPED
    shipment = order.shipments[0]
    page = hospital.get(f"/hospital/shipments/{shipment.id}/receive")
    html = _text(page)
    assert "P-1" in html
    assert 'name="lines.0.accepted_quantity" type="number" value="140"' in html  # pre-filled
    response = hospital.post(
        f"/hospital/shipments/{shipment.id}/receive",
        data={
            "lines.0.shipment_line_id": str(shipment.lines[0].id),
            "lines.0.accepted_quantity": "112",
            "lines.0.rejected_quantity": "28",
            "lines.0.rejection_reason": "外包装破损",
        },
    )
    assert response.status_code == 302, _text(response)
    db_session.refresh(order)
    assert order.status == OrderStatus.RECEIVED
    assert order.lines[0].accepted_quantity == 112
    assert order.lines[0].rejected_quantity == 28


def test_a_refused_quick_order_keeps_what_was_typed_shows_the_error_beside_it_and_writes_nothing(
    make_contract, as_user, db_session
):
    world = make_contract()
    hospital = as_user(world.hospital)
    data = _order(world, packs="abc", delivery_address="药剂科 3 号库")
    response = hospital.post("/hospital/orders?lang=zh", data=data)
    assert response.status_code == 422
    html = _text(response)
    field = f'id="packs-{world.contract.id}" name="lines.{world.contract.id}.packs"'
    assert f'{field} type="number" value="abc"' in html
    error = re.search(rf'<span class="field-error" id="packs-{world.contract.id}-error">', html)
    assert error is not None
    assert 'value="药剂科 3 号库"' in html
    assert "lines.0" not in html  # no field path shown to people
    assert db_session.scalar(select(func.count(PurchaseOrder.id))) == 0


def test_an_order_with_no_packs_is_refused_above_the_form(make_contract, as_user, db_session):
    world = make_contract()
    response = as_user(world.hospital).post("/hospital/orders?lang=en", data=_order(world, "0"))
    assert response.status_code == 422
    assert "Enter the number of packs for at least one drug." in _text(response)
    assert db_session.scalar(select(func.count(PurchaseOrder.id))) == 0


def test_a_rejection_without_a_reason_is_refused_beside_the_reason_and_keeps_the_rest(
    make_contract, as_user, place, ship, db_session
):
    world = make_contract()
    order_id = place(world, packs=5).order_id
    supplier = as_user(world.manufacturer)
    supplier.post(f"/supplier/orders/{order_id}/confirm")
    shipment = ship(world, order_id)
    hospital = as_user(world.hospital)
    line = shipment.lines[0]
    response = hospital.post(
        f"/hospital/shipments/{shipment.id}/receive?lang=en",
        data={
            "lines.0.shipment_line_id": str(line.id),
            "lines.0.accepted_quantity": "112",
            "lines.0.rejected_quantity": "28",
            "lines.0.rejection_reason": "",
        },
    )
    assert response.status_code == 422
    html = _text(response)
    assert f'id="reason-{line.id}-error"' in html
    kept = 'name="lines.0.{}_quantity" type="number" value="{}"'
    assert f'id="accepted-{line.id}" ' + kept.format("accepted", 112) in html
    assert f'id="rejected-{line.id}" ' + kept.format("rejected", 28) in html
    assert db_session.scalar(select(func.count(Receipt.id))) == 0


def test_the_order_page_names_each_drug_and_shows_shipments_receipts_and_a_timeline(
    make_contract, as_user, place, ship, db_session, clock
):
    world = make_contract(unit_price="0.2000", pack_size=28)
    order_id = place(world, packs=5).order_id
    supplier = as_user(world.manufacturer)
    supplier.post(f"/supplier/orders/{order_id}/confirm")
    shipment = ship(world, order_id, batch="B-77")
    html = _text(as_user(world.hospital).get(f"/hospital/orders/{order_id}?lang=zh"))
    lines = re.search(r'data-testid="order-lines".*?</table>', html, re.S).group(0)
    assert world.contract.product.generic_name in lines
    assert "¥0.2000" in lines  # unit price as agreed, 4 places
    assert "¥5.6000" in lines  # pack price: 28 x 0.2000
    assert "¥28.00" in lines  # amount: 140 x 0.2000
    assert " x " not in lines
    assert shipment.number in html
    assert "B-77" in html
    timeline = re.search(r'data-testid="timeline".*?</ol>', html, re.S).group(0)
    assert timeline.count("<li>") == 3  # placed, confirmed, shipped
    # 09:00 UTC on the clock's day is 17:00 China Standard Time
    assert "17:00" in timeline


def test_another_hospitals_order_and_shipment_are_not_found(
    make_contract, make_user, as_user, place, ship
):
    world = make_contract()
    order_id = place(world).order_id
    as_user(world.manufacturer).post(f"/supplier/orders/{order_id}/confirm")
    shipment = ship(world, order_id)
    other = as_user(make_user(kind="hospital", region_code="310101"))
    for path in (
        f"/hospital/orders/{order_id}",
        f"/hospital/shipments/{shipment.id}",
        f"/hospital/shipments/{shipment.id}/receive",
        f"/shipments/{shipment.id}/delivery-note",
        f"/orders/{order_id}/documents",
    ):
        assert other.get(path).status_code == 404, path
    stranger = as_user(make_user(kind="manufacturer", region_code="320000"))
    assert stranger.get(f"/supplier/orders/{order_id}").status_code == 404
    assert stranger.get(f"/supplier/shipments/{shipment.id}").status_code == 404
    assert stranger.post(f"/supplier/orders/{order_id}/confirm").status_code == 404


def test_a_manufacturer_cannot_open_the_hospital_portal(make_contract, as_user):
    world = make_contract()
    response = as_user(world.manufacturer).get("/hospital/orders")
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
