"""The receiving-by-scan, dispensing, stock and alerts API: problem+json refusals, the auth
matrix, a dispensing file, the regulator's alert list."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from procurement.trace.scan_models import ReceiptScan
from tests.api.trace.conftest import CASE


def test_scan_twice_refused_then_accept_and_dispense_by_file(
    client, coded, auth_headers, db_session
):
    h = auth_headers(coded.world.hospital)
    url = f"/api/v1/shipments/{coded.shipment.id}/scan"
    first = client.post(url, json={"code": CASE}, headers=h)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["lines"][0] | {"batch_no": None} == {
        "shipment_line_id": coded.line.id,
        "batch_no": None,
        "packs": 3,
        "scanned": 2,
    }
    again = client.post(url, json={"code": CASE}, headers=h)
    assert again.status_code == 422
    assert again.headers["Content-Type"] == "application/problem+json"
    assert again.get_json()["type"].endswith("trace-scan-refused")
    assert db_session.scalar(select(func.count()).select_from(ReceiptScan)) == 1
    client.post(url, json={"code": coded.mashang(3)}, headers=h)
    accepted = client.post(f"{url}/accept", json={"lines": []}, headers=h)
    assert accepted.status_code == 201, accepted.get_json()
    upload = client.post(
        "/api/v1/trace/dispensing/file?movement=dispense",
        data={"file": (io.BytesIO(f"{coded.mashang(1)}\n{coded.mashang(1)}\n".encode()), "d.txt")},
        headers=h,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    assert upload.get_json() == {
        "recorded": 1,
        "alerts": [],
        "refused": [{"code": coded.mashang(1), "reason": "repeated"}],
    }
    stock = client.get("/api/v1/trace/stock", headers=h).get_json()
    row = stock["rows"][0]
    assert (row["received"], row["dispensed"], row["returned"], row["on_hand"]) == (3, 1, 0, 2)


def test_auth_matrix(client, coded, auth_headers, regulator, make_user):
    url = f"/api/v1/shipments/{coded.shipment.id}/scan"
    assert client.post(url, json={"code": CASE}).status_code == 401
    maker = auth_headers(coded.world.manufacturer)
    assert client.post(url, json={"code": CASE}, headers=maker).status_code == 403
    other = auth_headers(make_user(kind="hospital", region_code="310101"))
    assert client.post(url, json={"code": CASE}, headers=other).status_code in (403, 404)
    assert (
        client.post("/api/v1/trace/dispensing", json={"codes": [CASE]}, headers=maker).status_code
        == 403
    )
    body = {
        "product_id": coded.world.contract.product_id,
        "batch_no": "X",
        "expiry_date": "2027-01-01",
        "quantity": 2,
        "reason": "old",
    }
    assert client.post("/api/v1/trace/stock/no-code", json=body, headers=maker).status_code == 403
    h = auth_headers(coded.world.hospital)
    assert client.post("/api/v1/trace/stock/no-code", json=body, headers=h).status_code == 201
    assert client.get("/api/v1/trace/stock", headers=h).get_json()["no_code_total"] == 2
    # an unknown code raises an alert the regulator sees, the manufacturer does not
    client.post(url, json={"code": "81234560000000000099"}, headers=h)
    seen = client.get("/api/v1/trace/alerts", headers=auth_headers(regulator)).get_json()
    assert [(a["kind"], a["code"], a["first_place"]) for a in seen] == [
        ("unknown_code", "81234560000000000099", None)
    ]
    assert client.get("/api/v1/trace/alerts", headers=maker).get_json() == []
