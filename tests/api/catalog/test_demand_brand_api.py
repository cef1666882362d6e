"""Demand by brand and the demand floor through the API (problem+json refusals that change
nothing) and the pages (brand lines added and removed as typed, errors beside the box, the
floor beside the quantity, the regulator's confirmation button, the upload template)."""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from procurement.catalog.models import DemandBrandLine, DemandReport, DemandRevision

BRANDS = {"brand_reporting": True}


@pytest.fixture
def world(make_tender, make_product, make_user):
    tender = make_tender("demand_open", rules_overrides={**BRANDS, "floor_mode": "reason"})
    first = make_product(approval_number="国药准字H20200001")
    other = make_product(approval_number="国药准字H20200009", generic_name="二甲双胍")
    return tender, first, other, make_user(kind="hospital")


def counts(session):
    return tuple(
        session.scalar(select(func.count(m.id)))
        for m in (DemandReport, DemandBrandLine, DemandRevision)
    )


def put(client, tender, headers, *rows):
    return client.put(
        f"/api/v1/tenders/{tender.id}/demand", json={"rows": list(rows)}, headers=headers
    )


def test_brand_lines_go_in_and_come_back_in_the_list_and_the_report(
    client, db_session, auth_headers, world, regulator
):
    tender, first, _, hospital = world
    headers = auth_headers(hospital)
    saved = put(
        client,
        tender,
        headers,
        {
            "lot_code": "L01",
            "quantity": 1000,
            "last_year_usage": 1000,
            "brand_lines": [{"approval_number": "国药准字H20200001", "quantity": 700}],
        },
    )
    assert saved.status_code == 200, saved.get_json()
    [report] = saved.get_json()
    assert report["brand_lines"] == [
        {
            "product_id": first.id,
            "approval_number": "国药准字H20200001",
            "manufacturer": first.manufacturer.name,
            "quantity": 700,
        }
    ]
    assert report["brand_quantity"] == 700
    listing = client.get(f"/api/v1/tenders/{tender.id}/demand", headers=auth_headers(regulator))
    body = listing.get_json()
    assert [r["brand_quantity"] for r in body["reports"]] == [700]
    l01 = next(t for t in body["totals"]["lots"] if t["lot_code"] == "L01")
    assert (l01["brand_quantity"], l01["brand_share"]) == (700, "0.7000")
    detail = client.get(f"/api/v1/demand-reports/{report['id']}", headers=headers).get_json()
    assert detail["revisions"][0]["brand_lines"][0]["quantity"] == 700


@pytest.mark.parametrize(
    ("brand_lines", "quantity", "code", "key"),
    [
        (
            [{"approval_number": "国药准字H2999", "quantity": 1}],
            100,
            "brand-product-unknown",
            "rows.0.brand_lines.0.product",
        ),
        (
            [{"approval_number": "国药准字H20200009", "quantity": 1}],
            100,
            "brand-product-wrong-generic",
            "rows.0.brand_lines.0.product",
        ),
        (
            [
                {"approval_number": "国药准字H20200001", "quantity": 1},
                {"approval_number": "国药准字H20200001", "quantity": 2},
            ],
            100,
            "brand-product-duplicate",
            "rows.0.brand_lines.1.product",
        ),
        (
            [{"approval_number": "国药准字H20200001", "quantity": 101}],
            100,
            "brand-lines-above-quantity",
            "rows.0.quantity",
        ),
    ],
)
def test_each_refusal_is_a_problem_naming_the_line_and_changes_nothing(
    client, db_session, auth_headers, world, brand_lines, quantity, code, key
):
    tender, _, _, hospital = world
    before = counts(db_session)
    response = put(
        client,
        tender,
        auth_headers(hospital),
        {"lot_code": "L01", "quantity": quantity, "last_year_usage": 0, "brand_lines": brand_lines},
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith(code)
    assert list(body["errors"]) == [key]
    assert counts(db_session) == before


def test_brand_lines_on_a_names_only_tender_are_a_problem(
    client, db_session, auth_headers, make_tender, make_product, make_user
):
    tender = make_tender("demand_open")
    make_product(approval_number="国药准字H20200001")
    response = put(
        client,
        tender,
        auth_headers(make_user(kind="hospital")),
        {
            "lot_code": "L01",
            "quantity": 5,
            "last_year_usage": 0,
            "brand_lines": [{"approval_number": "国药准字H20200001", "quantity": 5}],
        },
    )
    assert response.status_code == 422
    assert response.get_json()["type"].endswith("brand-reporting-off")


def test_a_low_report_needs_a_reason_and_the_regulators_confirmation(
    client, db_session, clock, auth_headers, world, regulator
):
    tender, _, _, hospital = world
    headers = auth_headers(hospital)
    low = {"lot_code": "L01", "quantity": 799, "last_year_usage": 1000}
    refused = put(client, tender, headers, low)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["type"].endswith("demand-below-floor")
    assert (body["floor"], body["average"], body["lot_code"]) == (800, "1000", "L01")
    [report] = put(client, tender, headers, {**low, "floor_reason": "病区关闭"}).get_json()
    assert (report["floor_quantity"], report["floor_reason"]) == (800, "病区关闭")
    clock.advance(days=8)
    boss = auth_headers(regulator)
    blocked = client.post(f"/api/v1/tenders/{tender.id}/demand/confirm", json={}, headers=boss)
    assert blocked.status_code == 409
    assert blocked.get_json()["type"].endswith("demand-floor-not-confirmed")
    ok = client.post(f"/api/v1/demand-reports/{report['id']}/floor-confirmation", headers=boss)
    assert ok.status_code == 200
    assert ok.get_json()["floor_confirmed_at"] is not None
    again = client.post(f"/api/v1/tenders/{tender.id}/demand/confirm", json={}, headers=boss)
    assert again.status_code == 200
    by_hospital = client.post(
        f"/api/v1/demand-reports/{report['id']}/floor-confirmation", headers=headers
    )
    assert by_hospital.status_code == 403


# ---- pages ---------------------------------------------------------------------------------


def _input(page: str, name: str) -> str:
    match = re.search(
        rf'<input[^>]*name="{re.escape(name)}"[^>]*>(\s*<span class="field-error"[^<]*</span>)?',
        page,
    )
    assert match, name
    return match.group(0)


def test_the_hospital_adds_and_removes_brand_lines_and_keeps_what_it_typed(
    client, db_session, login, world
):
    tender, first, _, hospital = world
    login(hospital)
    url = f"/hospital/demand/{tender.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="add-brand-L01"' in page
    assert 'data-testid="floor-L01"' in page
    typed = {"quantity_L01": "1000", "usage_L01": "1000", "brand_count_L01": "0"}
    added = client.post(url, data={**typed, "add_brand": "L01"}).get_data(as_text=True)
    assert 'value="1000"' in _input(added, "quantity_L01")
    assert 'name="brand_L01_0_product"' in added
    assert '<option value="国药准字H20200001">' in added  # the lot's products are suggested
    assert counts(db_session) == (0, 0, 0)  # adding a box saves nothing
    two = {
        **typed,
        "brand_count_L01": "2",
        "brand_L01_0_product": "国药准字H20200009",
        "brand_L01_0_quantity": "10",
        "brand_L01_1_product": "国药准字H20200001",
        "brand_L01_1_quantity": "600",
    }
    removed = client.post(url, data={**two, "remove_brand": "L01:0"}).get_data(as_text=True)
    assert 'value="国药准字H20200001"' in _input(removed, "brand_L01_0_product")
    assert "brand_L01_1_product" not in removed
    refused = client.post(url, data=two)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    bad = _input(page, "brand_L01_0_product")
    assert 'value="国药准字H20200009"' in bad
    assert "field-error" in bad
    assert 'value="600"' in _input(page, "brand_L01_1_quantity")
    assert counts(db_session) == (0, 0, 0)
    saved = client.post(url, data={**two, "brand_L01_0_product": "", "brand_L01_0_quantity": ""})
    assert saved.status_code == 302
    report = db_session.scalars(select(DemandReport)).one()
    assert [(b.product_id, b.quantity) for b in report.brand_lines] == [(first.id, 600)]
    assert report.revisions[0].source == "page"


def test_the_floor_shows_beside_the_quantity_and_a_low_one_is_marked(
    client, db_session, login, world
):
    tender, _, _, hospital = world
    login(hospital)
    url = f"/hospital/demand/{tender.id}"
    refused = client.post(url, data={"quantity_L01": "799", "usage_L01": "1000"})
    assert refused.status_code == 422
    box = _input(refused.get_data(as_text=True), "quantity_L01")
    assert 'value="799"' in box
    assert "at least 800" in box
    saved = client.post(
        url, data={"quantity_L01": "799", "usage_L01": "1000", "reason_L01": "ward closed"}
    )
    assert saved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "at least 800 (80 % of 1,000 a year, reported usage)" in page
    assert "awaiting the regulator" in page


def test_the_regulator_confirms_a_low_report_on_its_page(
    client, db_session, login, world, make_demand, regulator, clock
):
    tender, _, _, hospital = world
    login(hospital)
    client.post(
        f"/hospital/demand/{tender.id}",
        data={"quantity_L01": "500", "usage_L01": "1000", "reason_L01": "ward closed"},
    )
    client.get("/logout")
    login(regulator)
    page = client.get(f"/regulator/tenders/{tender.id}/demand").get_data(as_text=True)
    report = db_session.scalars(select(DemandReport)).one()
    assert f'data-testid="confirm-floor-{report.id}"' in page
    assert "ward closed" in page
    moved = client.post(f"/regulator/demand-reports/{report.id}/floor-confirmation")
    assert moved.status_code == 302
    db_session.expire_all()
    assert db_session.get(DemandReport, report.id).floor_confirmed_at == clock.now()
    assert f'data-testid="confirm-floor-{report.id}"' not in client.get(
        f"/regulator/tenders/{tender.id}/demand"
    ).get_data(as_text=True)


def test_the_template_lists_the_lots_products_and_how_to_fill_it_in(client, login, world):
    tender, _, _, hospital = world
    login(hospital)
    response = client.get(f"/hospital/demand/{tender.id}/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    demand, products, notes = book.worksheets
    assert [c.value for c in demand[1]] == [
        "lot_code",
        "quantity",
        "last_year_usage",
        "brand_approval_number",
        "brand_quantity",
        "floor_reason",
    ]
    assert [demand.cell(row=r, column=1).value for r in (2, 3)] == ["L01", "L02"]
    assert [products.cell(row=2, column=c).value for c in (1, 3)] == ["L01", "国药准字H20200001"]
    assert "brand_approval_number" in notes.cell(row=2, column=1).value
