"""The trace API: code files (text, CSV, XLSX) and lists on shipment lines, problem+json
refusals that store nothing, the auth matrix, the public lookup (no login, rate-limited, no
holder) and a package's history."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import Workbook
from sqlalchemy import func, select

from procurement.trace.models import TraceEvent, TracePackage


def _count(session, model=TracePackage) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _upload(client, shipped, headers, name, data):
    return client.post(
        f"/api/v1/shipment-lines/{shipped.line.id}/codes/file",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_the_shipper_uploads_a_text_file_of_codes(client, make_shipped, auth_headers):
    shipped = make_shipped(packs=3)
    text = "\n".join(shipped.mashang(n) for n in (1, 2, 3)) + "\n\n"
    response = _upload(
        client, shipped, auth_headers(shipped.world.manufacturer), "c.txt", text.encode()
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"shipment_line_id": shipped.line.id, "boxes": 3, "cases": 0}


def test_a_csv_declares_cases_for_boxes(client, make_shipped, auth_headers, db_session):
    shipped = make_shipped(packs=2)
    case = "81234569000000000001"
    csv = f"code,case\n{shipped.mashang(1)},{case}\n{shipped.mashang(2)},{case}\n"
    response = _upload(
        client, shipped, auth_headers(shipped.world.manufacturer), "c.csv", csv.encode()
    )
    assert response.get_json()["cases"] == 1
    assert db_session.get(TracePackage, case).boxes == 2


def test_an_xlsx_of_gs1_codes_is_read(client, make_shipped, auth_headers, db_session):
    shipped = make_shipped(packs=2)
    book = Workbook()
    sheet = book.active
    sheet.append(["code"])
    sheet.append([shipped.gs1("X1")])
    sheet.append([shipped.gs1("X2")])
    data = io.BytesIO()
    book.save(data)
    response = _upload(
        client, shipped, auth_headers(shipped.world.manufacturer), "c.xlsx", data.getvalue()
    )
    assert response.status_code == 201, response.get_json()
    assert _count(db_session) == 2


def test_a_refused_file_is_a_problem_naming_each_row_and_stores_nothing(
    client, make_shipped, auth_headers, db_session
):
    shipped = make_shipped(packs=2)
    text = f"{shipped.mashang(1)}\n9999999000000000001\n"
    response = _upload(
        client, shipped, auth_headers(shipped.world.manufacturer), "c.txt", text.encode()
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/trace-codes-refused")
    assert body["errors"] == {
        "row 2: 9999999000000000001": [
            "not a 20-digit 码上放心 code, a GS1 element string "
            "(01, 21, 10, 17) or the product's registered format"
        ]
    }
    assert f"line 1 of shipment {shipped.shipment.number}" in body["detail"]
    assert _count(db_session) == 0
    assert _count(db_session, TraceEvent) == 0


def test_an_unreadable_file_is_a_problem(client, make_shipped, auth_headers):
    shipped = make_shipped(packs=1)
    response = _upload(
        client, shipped, auth_headers(shipped.world.manufacturer), "c.txt", b"\xff\xfe\x00"
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"row 1: file": ["the file is not UTF-8 text"]}


def test_codes_as_a_json_list(client, make_shipped, auth_headers, db_session):
    shipped = make_shipped(packs=2)
    body = {"codes": [{"code": shipped.mashang(1)}, {"code": shipped.mashang(2)}]}
    response = client.post(
        f"/api/v1/shipment-lines/{shipped.line.id}/codes",
        json=body,
        headers=auth_headers(shipped.world.manufacturer),
    )
    assert response.status_code == 201
    assert _count(db_session) == 2


def test_only_the_shipper_may_send_codes(client, make_shipped, auth_headers, make_user, regulator):
    shipped = make_shipped(packs=1)
    text = shipped.mashang(1).encode()
    assert _upload(client, shipped, {}, "c.txt", text).status_code == 401
    for user, status in (
        (shipped.world.hospital, 403),
        (regulator, 403),
        (make_user(kind="manufacturer"), 403),
        (make_user(kind="distributor"), 403),
    ):
        assert _upload(client, shipped, auth_headers(user), "c.txt", text).status_code == status


def test_anyone_looks_a_code_up_without_logging_in_and_sees_no_holder(
    client, make_shipped, auth_headers
):
    shipped = make_shipped(packs=1)
    _upload(
        client,
        shipped,
        auth_headers(shipped.world.manufacturer),
        "c.txt",
        shipped.mashang(1).encode(),
    )
    response = client.get("/api/v1/trace/lookup", query_string={"code": shipped.mashang(1)})
    assert response.status_code == 200
    body = response.get_json()
    assert body["found"] is True
    assert body["dispensed"] is False
    assert body["manufacturer"] == shipped.world.manufacturer.organization.name
    assert body["batch_no"] == shipped.line.batch_no
    assert body["expiry_date"] == shipped.line.expiry_date.isoformat()
    assert set(body) == {
        "code",
        "found",
        "product",
        "approval_number",
        "manufacturer",
        "batch_no",
        "expiry_date",
        "level",
        "boxes",
        "dispensed",
    }
    unknown = client.get("/api/v1/trace/lookup", query_string={"code": "81234560000000000777"})
    assert unknown.get_json()["found"] is False


def test_the_public_lookup_is_rate_limited_per_address(app, client, clock):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    clock.set(datetime(2026, 3, 7, 11, 0, 15, tzinfo=UTC))  # a window no other test counts in
    answers = [
        client.get("/api/v1/trace/lookup", query_string={"code": "X1"}).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]


def test_the_history_is_one_call_for_the_regulator_and_a_404_for_others(
    client, make_shipped, auth_headers, regulator
):
    shipped = make_shipped(packs=1)
    code = shipped.mashang(1)
    _upload(client, shipped, auth_headers(shipped.world.manufacturer), "c.txt", code.encode())
    response = client.get(
        "/api/v1/trace/packages/history",
        query_string={"code": code},
        headers=auth_headers(regulator),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["package"]["state"] == "shipped"
    assert [e["kind"] for e in body["events"]] == ["shipped"]
    other = client.get(
        "/api/v1/trace/packages/history",
        query_string={"code": code},
        headers=auth_headers(shipped.world.hospital),
    )
    assert other.status_code == 404
    assert other.get_json()["type"].endswith("/trace-package-not-found")


def test_the_manufacturer_registers_formats_through_the_api(client, make_shipped, auth_headers):
    shipped = make_shipped(packs=1, formats=False)
    url = f"/api/v1/products/{shipped.world.contract.product_id}/code-formats"
    headers = auth_headers(shipped.world.manufacturer)
    response = client.put(url, json={"prefix": "7000001", "gtin": "7032069804988"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["gtin"] == "07032069804988"
    refused = client.put(url, json={"prefix": "70000X1"}, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"prefix": ["a 码上放心 product prefix is 7 digits"]}
