"""Receiving by scan without JavaScript (a form per code, the scanned list kept), refusals
beside the field, dispensing, the stock page with no-code stock, the regulator's alerts."""

from __future__ import annotations

from tests.api.trace.conftest import CASE


def test_receive_by_scan_pages_dispense_and_stock(coded, as_user, regulator):
    shipped = coded
    client = as_user(shipped.world.hospital)
    sid, lid = shipped.shipment.id, shipped.line.id
    receive = client.get(f"/hospital/shipments/{sid}/receive")
    assert receive.status_code == 303
    assert receive.headers["Location"].endswith(f"/hospital/shipments/{sid}/scan")
    url = f"/hospital/shipments/{sid}/scan"
    assert client.post(url, data={"code": CASE}).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "2 of 3 boxes" in page
    assert CASE in page
    twice = client.post(f"{url}?lang=zh", data={"code": CASE})
    assert twice.status_code == 422
    assert 'data-testid="code-error"' in twice.get_data(as_text=True)
    refused = client.post(f"{url}/accept", data={})
    assert refused.status_code == 422
    assert f'data-testid="reject-error-{lid}"' in refused.get_data(as_text=True)
    done = client.post(f"{url}/accept", data={f"lines.{lid}.rejection_reason": "damaged"})
    assert done.status_code == 303
    result = client.post(
        "/trace/dispensing", data={"codes": shipped.mashang(1), "movement": "dispense"}
    )
    assert result.status_code == 200
    assert "已记录 1 盒。" in result.get_data(as_text=True)  # the session chose Chinese above
    stock = client.get("/trace/stock").get_data(as_text=True)
    assert '<td data-label="结存">1</td>' in stock  # received 2, dispensed 1
    declared = client.post(
        "/trace/stock/no-code",
        data={
            "product_id": shipped.world.contract.product_id,
            "batch_no": "OLD",
            "expiry_date": "2027-01-01",
            "quantity": "4",
            "reason": "",
        },
    )
    assert declared.status_code == 422
    client.post(f"{url}", data={"code": CASE})  # received already: now an alert
    alerts = as_user(regulator).get("/trace/alerts").get_data(as_text=True)
    assert CASE not in alerts  # the shipment was received: the scan is refused as such
    assert client.get("/trace/alerts").status_code in (302, 403)


def test_the_quantity_form_of_a_coded_delivery_sends_the_hospital_to_scan_it(
    coded, make_shipped, as_user, db_session
):
    """GET and POST of the orders area's receiving form for a coded delivery go to the scan
    page with a notice, and nothing is received; a delivery without codes keeps the form."""
    shipped = coded
    client = as_user(shipped.world.hospital)
    sid, lid = shipped.shipment.id, shipped.line.id
    form = {
        "lines.0.shipment_line_id": lid,
        "lines.0.accepted_quantity": shipped.line.quantity,
        "lines.0.rejected_quantity": 0,
    }
    posted = client.post(f"/hospital/shipments/{sid}/receive?lang=zh", data=form)
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith(f"/hospital/shipments/{sid}/scan")
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "此批配送带有追溯码：请扫码验收。" in page
    db_session.refresh(shipped.shipment)
    assert shipped.shipment.received_at is None
    plain = make_shipped(packs=1, world=shipped.world)
    assert client.get(f"/hospital/shipments/{plain.shipment.id}/receive").status_code == 200
