"""Order and shipment lists that scale (50 a page with the total, filters, search, sorting),
the portal homes' to-do lists, the scan field, printable documents and forms sent twice."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.compliance.models import Alert, AlertKind, AlertResponse, Severity
from procurement.orders.models import OrderLine, OrderStatus, PurchaseOrder

# 827 orders as in the issue (16 full pages of 50 and 27 on the 17th), by status:
MIX = {
    OrderStatus.PLACED: 300,
    OrderStatus.CONFIRMED: 200,
    OrderStatus.PARTLY_SHIPPED: 100,
    OrderStatus.RECEIVED: 200,
    OrderStatus.REJECTED: 27,
}


def bulk_orders(session, world, now, mix, *, prefix="PO-BULK", hospital=None):
    """Orders written straight into the tables (one line each), ``mix`` {status: count}, one
    minute apart, newest last: a list of realistic size without placing each one."""
    contract = world.contract
    product = contract.product
    hospital_id = hospital.organization_id if hospital else contract.hospital_id
    n = 0
    for status, count in mix.items():
        for _ in range(count):
            placed = now - timedelta(minutes=10_000 - n)
            order = PurchaseOrder(
                number=f"{prefix}-{n:05d}",
                hospital_id=hospital_id,
                manufacturer_id=contract.manufacturer_id,
                region_code="310101",
                province_code="310000",
                status=status,
                placed_at=placed,
                confirm_due_at=placed + timedelta(hours=24),
                deliver_due_at=placed + timedelta(hours=48),
                total_amount=Decimal("5.60"),
                currency="CNY",
                updated_at=placed,
            )
            order.lines.append(
                OrderLine(
                    line_no=1,
                    contract_id=contract.id,
                    lot_id=contract.lot_id,
                    product_id=product.id,
                    manufacturer_id=contract.manufacturer_id,
                    packs=1,
                    pack_size=product.pack_size,
                    quantity=product.pack_size,
                    unit_price=contract.unit_price,
                    amount=Decimal("5.60"),
                    currency="CNY",
                    within_agreed_quantity=product.pack_size,
                )
            )
            session.add(order)
            n += 1
    session.commit()


def _numbers(html: str, prefix="PO-BULK") -> list[str]:
    return re.findall(rf'data-testid="incoming-({prefix}-\d+)"', html)


def _count(html: str) -> int:
    return int(re.search(r'data-testid="pager" data-total="(\d+)"', html).group(1))


def test_the_supplier_sees_all_827_orders_50_a_page_with_the_total(
    make_contract, as_user, db_session, clock
):
    world = make_contract()
    bulk_orders(db_session, world, clock.now(), MIX)
    supplier = as_user(world.manufacturer)
    seen = []
    for page in range(1, 18):
        html = supplier.get(f"/supplier/orders?page={page}").get_data(as_text=True)
        assert _count(html) == 827
        rows = _numbers(html)
        assert len(rows) == (50 if page < 17 else 27)
        seen += rows
    assert len(set(seen)) == 827  # no row twice, none skipped
    assert seen[0] == "PO-BULK-00826"  # newest first
    first = supplier.get("/supplier/orders?lang=en").get_data(as_text=True)
    assert "1–50 of 827" in first


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", 600),  # placed 300 + confirmed 200 + partly shipped 100
        ("status=to_ship", 300),
        ("status=placed", 300),
        ("status=received", 200),
        ("q=PO-BULK-0082", 7),  # 00820..00826
        ("q=氨氯", 827),  # the drug's generic name, in Chinese
        ("q=阿莫西林", 0),
        ("drug=氨氯地平", 827),
        ("region=310000", 827),
        ("region=320000", 827),  # not a region of these orders: ignored, said beside it
        ("status=nonsense", 827),
        ("from=2030-01-01", 0),
    ],
)
def test_the_supplier_filters_orders(make_contract, as_user, db_session, clock, query, expected):
    world = make_contract()
    bulk_orders(db_session, world, clock.now(), MIX)
    html = as_user(world.manufacturer).get(f"/supplier/orders?{query}").get_data(as_text=True)
    assert _count(html) == expected


def test_pending_never_lists_finished_orders(make_contract, as_user, db_session, clock):
    world = make_contract()
    bulk_orders(db_session, world, clock.now(), MIX)
    client = as_user(world.hospital)
    statuses = []
    for page in range(1, 13):
        html = client.get(f"/hospital/orders?status=pending&page={page}").get_data(as_text=True)
        statuses += re.findall(r'data-testid="status" data-status="(\w+)"', html)
    assert len(statuses) == 600
    assert set(statuses) == {"placed", "confirmed", "partly_shipped"}


def test_orders_sort_by_number_both_ways(make_contract, as_user, db_session, clock):
    world = make_contract()
    bulk_orders(db_session, world, clock.now(), {OrderStatus.PLACED: 60})
    client = as_user(world.manufacturer)
    up = _numbers(client.get("/supplier/orders?sort=number").get_data(as_text=True))
    down = _numbers(client.get("/supplier/orders?sort=-number").get_data(as_text=True))
    assert up[:2] == ["PO-BULK-00000", "PO-BULK-00001"]
    assert down[:2] == ["PO-BULK-00059", "PO-BULK-00058"]


def test_the_hospital_filter_finds_orders_by_hospital_name(
    make_contract, make_user, as_user, db_session, clock, regulator
):
    world = make_contract()
    other = make_user(kind="hospital", region_code="310101")
    bulk_orders(db_session, world, clock.now(), {OrderStatus.PLACED: 3})
    bulk_orders(
        db_session, world, clock.now(), {OrderStatus.PLACED: 2}, prefix="PO-OTHR", hospital=other
    )
    name = other.organization.name
    html = (
        as_user(world.manufacturer).get(f"/supplier/orders?hospital={name}").get_data(as_text=True)
    )
    assert _count(html) == 2
    assert _numbers(html, "PO-OTHR") == ["PO-OTHR-00001", "PO-OTHR-00000"]


def test_a_hospital_sees_only_its_own_orders_in_its_list(
    make_contract, make_user, as_user, db_session, clock
):
    world = make_contract()
    other = make_user(kind="hospital", region_code="310101")
    bulk_orders(db_session, world, clock.now(), {OrderStatus.PLACED: 4})
    html = as_user(other).get("/hospital/orders").get_data(as_text=True)
    assert _count(html) == 0


def _shipped(world, place, ship, as_user, batch="B-1", packs=5):
    order_id = place(world, packs=packs).order_id
    as_user(world.manufacturer).post(f"/supplier/orders/{order_id}/confirm")
    return ship(world, order_id, batch=batch)


def test_a_scanned_shipment_or_batch_number_opens_its_receiving(
    make_contract, as_user, place, ship
):
    world = make_contract()
    shipment = _shipped(world, place, ship, as_user, batch="6901234567892")
    hospital = as_user(world.hospital)
    for code in (shipment.number, "6901234567892"):
        response = hospital.get(f"/hospital/shipments?scan={code}")
        assert response.status_code == 302
        assert response.location.endswith(f"/hospital/shipments/{shipment.id}/receive")
    html = hospital.get("/hospital/shipments?scan=0000&lang=en").get_data(as_text=True)
    assert "No delivery of yours has this number." in html
    page = hospital.get(f"/hospital/shipments/{shipment.id}/receive").get_data(as_text=True)
    assert 'data-batch="6901234567892"' in page
    assert f'data-product-code="{world.contract.product.approval_number}"' in page
    assert "js/orders-scan.js" in page


def test_another_hospital_cannot_find_a_shipment_by_scanning(
    make_contract, make_user, as_user, place, ship
):
    world = make_contract()
    shipment = _shipped(world, place, ship, as_user)
    other = as_user(make_user(kind="hospital", region_code="310101"))
    response = other.get(f"/hospital/shipments?scan={shipment.number}&lang=en")
    assert response.status_code == 200
    assert "No delivery of yours has this number." in response.get_data(as_text=True)


def test_the_hospital_home_counts_what_waits_and_links_to_the_filtered_lists(
    make_contract, as_user, place, ship, db_session, clock
):
    world = make_contract()
    _shipped(world, place, ship, as_user)
    _shipped(world, place, ship, as_user)
    place(world, packs=1)  # placed, waiting for the supplier
    client = as_user(world.hospital)
    home = client.get("/")
    assert home.location.endswith("/hospital")
    html = client.get("/hospital").get_data(as_text=True)
    receive = re.search(
        r'data-testid="todo-receive" data-count="(\d+)">\s*<a class="item" '
        r'href="([^"]+)"',
        html,
    )
    assert receive.group(1) == "2"
    listed = client.get(receive.group(2).replace("&amp;", "&")).get_data(as_text=True)
    assert _count(listed) == 2
    pending = re.search(r'data-testid="todo-pending" data-count="(\d+)"', html)
    assert pending.group(1) == "1"  # shipped orders are not pending


def test_the_supplier_home_lists_orders_to_confirm_most_urgent_first(
    make_contract, as_user, place, db_session, clock
):
    world = make_contract()
    first = place(world, packs=1).body["number"]
    clock.advance(hours=1)
    second = place(world, packs=1).body["number"]
    client = as_user(world.manufacturer)
    assert client.get("/").location.endswith("/supplier")
    html = client.get("/supplier").get_data(as_text=True)
    card = re.search(r'data-testid="todo-confirm".*?</li>\s*</ul>', html, re.S).group(0)
    assert 'data-count="2"' in card
    assert card.index(first) < card.index(second)
    link = re.search(r'href="(/supplier/orders\?[^"]+)"', card).group(1).replace("&amp;", "&")
    assert _count(client.get(link).get_data(as_text=True)) == 2


def test_rejected_lines_show_on_the_supplier_home_and_in_its_shipments(
    make_contract, as_user, place, ship, db_session
):
    world = make_contract()
    shipment = _shipped(world, place, ship, as_user)
    line = shipment.lines[0]
    as_user(world.hospital).post(
        f"/hospital/shipments/{shipment.id}/receive",
        data={
            "lines.0.shipment_line_id": str(line.id),
            "lines.0.accepted_quantity": "112",
            "lines.0.rejected_quantity": "28",
            "lines.0.rejection_reason": "破损",
        },
    )
    client = as_user(world.manufacturer)
    html = client.get("/supplier").get_data(as_text=True)
    assert re.search(r'data-testid="todo-rejected" data-count="1"', html)
    listed = client.get("/supplier/shipments?state=rejections").get_data(as_text=True)
    assert _count(listed) == 1
    page = client.get(f"/supplier/shipments/{shipment.id}").get_data(as_text=True)
    assert "破损" in page


def test_the_delivery_and_receipt_notes_print_the_shipment(
    make_contract, as_user, place, ship, db_session
):
    world = make_contract(unit_price="0.2000", pack_size=28)
    shipment = _shipped(world, place, ship, as_user, batch="B-PRINT")
    hospital = as_user(world.hospital)
    assert hospital.get(f"/shipments/{shipment.id}/receipt-note").status_code == 404
    html = hospital.get(f"/shipments/{shipment.id}/delivery-note?lang=zh").get_data(as_text=True)
    assert "配送单" in html
    assert "B-PRINT" in html
    assert "¥28.00" in html  # 140 x 0.2000
    assert "orders.css" in html
    line = shipment.lines[0]
    hospital.post(
        f"/hospital/shipments/{shipment.id}/receive",
        data={
            "lines.0.shipment_line_id": str(line.id),
            "lines.0.accepted_quantity": "140",
            "lines.0.rejected_quantity": "0",
        },
    )
    html = hospital.get(f"/shipments/{shipment.id}/receipt-note?lang=zh").get_data(as_text=True)
    assert "验收单" in html
    both = as_user(world.manufacturer).get(f"/orders/{shipment.order_id}/documents")
    assert both.get_data(as_text=True).count('class="document"') == 2


def test_a_quick_order_sent_twice_is_placed_once(make_contract, as_user, db_session):
    world = make_contract()
    client = as_user(world.hospital)
    data = {
        f"lines.{world.contract.id}.contract_id": str(world.contract.id),
        f"lines.{world.contract.id}.packs": "2",
        "form_key": "k" * 32,
    }
    first = client.post("/hospital/orders", data=data)
    second = client.post("/hospital/orders", data=data)
    assert first.status_code == 302
    assert second.status_code == 303
    assert second.location == first.location
    assert db_session.scalar(select(func.count(PurchaseOrder.id))) == 1


def test_a_shipment_with_a_past_expiry_keeps_the_input_and_ships_nothing(
    make_contract, as_user, place, db_session
):
    world = make_contract()
    order_id = place(world, packs=5).order_id
    client = as_user(world.manufacturer)
    client.post(f"/supplier/orders/{order_id}/confirm")
    line = db_session.get(PurchaseOrder, order_id).lines[0]
    response = client.post(
        f"/supplier/orders/{order_id}/ship?lang=en",
        data={
            "lines.0.order_line_id": str(line.id),
            "lines.0.quantity": "140",
            "lines.0.batch_no": "B-OLD",
            "lines.0.production_date": "2020-01-01",
            "lines.0.expiry_date": "2021-01-01",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="in-lines-0-expiry_date-error"' in html
    assert 'name="lines.0.batch_no" type="text" value="B-OLD"' in html
    db_session.refresh(line)
    assert line.shipped_quantity == 0


def test_cancelling_asks_first_and_a_cancelled_order_shows_in_the_timeline(
    make_contract, as_user, place, db_session
):
    world = make_contract()
    order_id = place(world, packs=1).order_id
    client = as_user(world.hospital)
    page = client.get(f"/hospital/orders/{order_id}?lang=en").get_data(as_text=True)
    assert re.search(r'data-confirm="Cancel order PO-[^"]+\? This cannot be undone\."', page)
    response = client.post(f"/hospital/orders/{order_id}/cancel", data={"reason": "重复下单"})
    assert response.status_code == 302
    page = client.get(f"/hospital/orders/{order_id}?lang=en").get_data(as_text=True)
    assert "Cancelled by the hospital: 重复下单" in page
    assert db_session.get(PurchaseOrder, order_id).status == OrderStatus.CANCELLED


def test_a_rejection_needs_a_reason_beside_its_field(make_contract, as_user, place, db_session):
    world = make_contract()
    order_id = place(world, packs=1).order_id
    client = as_user(world.manufacturer)
    response = client.post(f"/supplier/orders/{order_id}/reject", data={"reason": " "})
    assert response.status_code == 422
    assert 'id="reject-reason-error"' in response.get_data(as_text=True)
    assert db_session.get(PurchaseOrder, order_id).status == OrderStatus.PLACED


def _todo(client, key: str) -> int:
    html = client.get("/hospital").get_data(as_text=True)
    return int(re.search(rf'data-testid="todo-{key}" data-count="(\d+)"', html).group(1))


def test_an_open_alert_waits_on_the_hospital_home_until_it_answers(
    make_contract, as_user, db_session, clock
):
    world = make_contract()
    alert = Alert(
        kind=AlertKind.HOSPITAL_BEHIND,
        severity=Severity.WARNING,
        dedup_key="t",
        detail="behind",
        subject_org_id=world.contract.hospital_id,
        raised_at=clock.now(),
        updated_at=clock.now(),
    )
    db_session.add(alert)
    db_session.commit()
    client = as_user(world.hospital)
    assert _todo(client, "alerts") == 1
    db_session.add(
        AlertResponse(
            alert_id=alert.id,
            by_org_id=world.contract.hospital_id,
            note="已安排采购",
            at=clock.now(),
        )
    )
    db_session.commit()
    assert _todo(client, "alerts") == 0


def test_a_contract_is_behind_until_accepted_volume_keeps_up_with_time(
    make_contract, as_user, place, ship, db_session
):
    # The contract began yesterday: time progress 1/365. Nothing accepted is behind
    # (0 < 0.8 x 1/365); 140 of 2,800 accepted (0.05) is on track.
    world = make_contract(agreed=2800)
    client = as_user(world.hospital)
    assert _todo(client, "behind") == 1
    shipment = _shipped(world, place, ship, as_user)
    client.post(
        f"/hospital/shipments/{shipment.id}/receive",
        data={
            "lines.0.shipment_line_id": str(shipment.lines[0].id),
            "lines.0.accepted_quantity": "140",
            "lines.0.rejected_quantity": "0",
        },
    )
    assert _todo(client, "behind") == 0


def test_a_long_order_shows_its_lines_in_tables_of_at_most_100_rows(
    make_contract, as_user, db_session, clock
):
    world = make_contract()
    bulk_orders(db_session, world, clock.now(), {OrderStatus.PLACED: 1})
    order = db_session.scalar(select(PurchaseOrder))
    first = order.lines[0]
    for n in range(2, 151):
        order.lines.append(
            OrderLine(
                line_no=n,
                contract_id=first.contract_id,
                lot_id=first.lot_id,
                product_id=first.product_id,
                manufacturer_id=first.manufacturer_id,
                packs=1,
                pack_size=first.pack_size,
                quantity=first.quantity,
                unit_price=first.unit_price,
                amount=first.amount,
                currency="CNY",
                within_agreed_quantity=first.quantity,
            )
        )
    db_session.commit()
    html = as_user(world.hospital).get(f"/hospital/orders/{order.id}").get_data(as_text=True)
    tables = re.findall(r'data-testid="order-lines">(.*?)</table>', html, re.S)
    rows = [len(re.findall(r'<tr data-testid="line-', table)) for table in tables]
    assert rows == [100, 50]
