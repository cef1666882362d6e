"""The catalog's pages: right portal renders, other portals get 403, anonymous is redirected."""

import io

import pytest
from sqlalchemy import func, select

from procurement.catalog.models import DemandReport, Lot, Product, Tender


def test_the_regulator_reaches_its_tender_list_from_its_dashboard(
    client, login, regulator, make_tender
):
    tender = make_tender("draft")
    login(regulator)
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"].endswith("/regulator/compliance")  # the dashboard is home
    page = client.get("/regulator/tenders").get_data(as_text=True)
    assert tender.code in page
    assert 'href="/regulator/tenders"' in page  # nav link


def test_the_regulator_creates_a_tender_through_the_form(client, db_session, login, regulator):
    login(regulator)
    form = {
        "code": "WEB-01",
        "name": "Web tender",
        "category": "drug",
        "region_scope": "310000, 320000",
        "demand_deadline": "2026-01-20T17:00",
        "bid_deadline": "2026-02-01T17:00",
        "opening_at": "2026-02-01T18:00",
        "contract_start": "2026-03-01",
        "contract_years": "2",
        "rules_preset": "national-2024",
    }
    response = client.post("/regulator/tenders/new", data=form)
    assert response.status_code == 302
    tender = db_session.scalar(select(Tender).where(Tender.code == "WEB-01"))
    assert tender.region_scope == ["310000", "320000"]
    assert tender.demand_deadline.isoformat() == "2026-01-20T09:00:00+00:00"  # 17:00 CST


def test_a_bad_tender_form_is_shown_again_with_field_errors(client, db_session, login, regulator):
    login(regulator)
    response = client.post("/regulator/tenders/new", data={"code": "X", "contract_years": "two"})
    assert response.status_code == 422
    assert "a whole number" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Tender.id)).where(Tender.code == "X")) == 0


def test_the_detail_page_imports_lots_and_opens_demand(
    client, db_session, login, regulator, make_tender
):
    tender = make_tender("draft", lots=0)
    login(regulator)
    csv = (
        "code,generic_name,dosage_form,dosage_class,reference_strength,strength_unit,"
        "smallest_unit,ceiling_unit_price,reference_unit_price\n"
        "L01,阿莫西林,胶囊,oral_solid,250,mg,capsule,0.1500,0.4000\n"
    )
    data = {"file": (io.BytesIO(csv.encode()), "lots.csv")}
    client.post(
        f"/regulator/tenders/{tender.id}/lots/import", data=data, content_type="multipart/form-data"
    )
    page = client.get(f"/regulator/tenders/{tender.id}").get_data(as_text=True)
    assert "阿莫西林" in page
    assert 'data-testid="move-demand_open"' in page
    client.post(f"/regulator/tenders/{tender.id}/transition", data={"to": "demand_open"})
    db_session.refresh(tender)
    assert tender.status == "demand_open"


def test_a_broken_lot_file_flashes_the_row_and_column(
    client, db_session, login, regulator, make_tender
):
    tender = make_tender("draft", lots=0)
    login(regulator)
    data = {"file": (io.BytesIO(b"code,generic_name\nL01,x\n"), "lots.csv")}
    client.post(
        f"/regulator/tenders/{tender.id}/lots/import", data=data, content_type="multipart/form-data"
    )
    page = client.get(f"/regulator/tenders/{tender.id}").get_data(as_text=True)
    assert "missing column(s)" in page
    assert db_session.scalar(select(func.count(Lot.id)).where(Lot.tender_id == tender.id)) == 0


def test_demand_totals_page_confirms_after_the_deadline(
    client, clock, login, regulator, make_tender
):
    tender = make_tender("demand_open", demand=[(None, {"L01": 1200, "L02": 300})])
    login(regulator)
    page = client.get(f"/regulator/tenders/{tender.id}/demand").get_data(as_text=True)
    assert "1,200" in page
    assert "310000" in page
    clock.set(tender.demand_deadline)
    client.post(f"/regulator/tenders/{tender.id}/demand/confirm")
    assert tender.lots[0].confirmation.total_confirmed == 1200


def test_the_hospital_reports_demand_on_its_page(client, db_session, login, make_user, make_tender):
    tender = make_tender("demand_open")
    hospital = make_user(kind="hospital")
    login(hospital)
    assert client.get("/").headers["Location"].endswith("/hospital/demand")
    listing = client.get("/hospital/demand").get_data(as_text=True)
    assert tender.code in listing
    client.post(
        f"/hospital/demand/{tender.id}", data={"quantity_L01": "5,000", "usage_L01": "4800"}
    )
    report = db_session.scalar(
        select(DemandReport).where(DemandReport.hospital_id == hospital.organization_id)
    )
    assert (report.quantity, report.last_year_usage, report.revisions[0].source) == (
        5000,
        4800,
        "page",
    )
    page = client.get(f"/hospital/demand/{tender.id}").get_data(as_text=True)
    assert 'value="5000"' in page


def test_the_hospital_uploads_demand_on_its_page(client, db_session, login, make_user, make_tender):
    tender = make_tender("demand_open")
    login(make_user(kind="hospital"))
    data = {"file": (io.BytesIO(b"lot_code,quantity,last_year_usage\nL02,70,60\n"), "d.csv")}
    client.post(
        f"/hospital/demand/{tender.id}/upload", data=data, content_type="multipart/form-data"
    )
    assert db_session.scalar(select(DemandReport.quantity)) == 70


def test_the_manufacturer_registers_a_product_on_its_page(client, db_session, login, make_user):
    maker = make_user(kind="manufacturer")
    login(maker)
    assert client.get("/").headers["Location"].endswith("/manufacturer/bidding")  # the to-do
    form = {
        "approval_number": "国药准字H20200001",
        "generic_name": "氨氯地平",
        "dosage_form": "片剂",
        "dosage_class": "oral_solid",
        "strength": "150",
        "strength_unit": "mg",
        "smallest_unit": "tablet",
        "pack_size": "28",
        "approval_date": "2020-05-01",
        "consistency_evaluated": "on",
    }
    assert client.post("/manufacturer/products", data=form).status_code == 302
    product = db_session.scalar(select(Product))
    assert product.manufacturer_id == maker.organization_id
    assert product.consistency_evaluated is True
    listed = client.get("/manufacturer/products").get_data(as_text=True)
    assert "国药准字H20200001" in listed
    assert "150 mg" in listed  # not 1.5E+2


PAGES = {
    "/regulator/tenders": "regulator",
    "/regulator/tenders/new": "regulator",
    "/hospital/demand": "hospital",
    "/manufacturer/products": "manufacturer",
}


@pytest.mark.parametrize("path", sorted(PAGES))
@pytest.mark.parametrize("kind", ["regulator", "fund", "hospital", "manufacturer", "distributor"])
def test_each_page_belongs_to_one_portal(client, login, make_user, path, kind):
    login(make_user(kind=kind))
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == (200 if PAGES[path] == kind else 403)


@pytest.mark.parametrize("path", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_another_regulators_draft_is_not_found_on_the_detail_page(
    client, login, make_user, make_tender
):
    tender = make_tender("draft")
    login(make_user(kind="regulator"))
    assert (
        client.get(f"/regulator/tenders/{tender.id}", headers={"Accept": "text/html"}).status_code
        == 404
    )
