"""Price monitoring through the API and on the pages: the figures with their declared types
(amounts, prices and the index as decimal strings), CSV and XLSX exports, every endpoint x
role (only the regulator and the fund see prices; a hospital, a manufacturer and a distributor
get a problem+json, and so does a hospital asking for its own product's prices), bad filters
as 422 problems, and the pages in Chinese reached from the navigation and the dashboard, with
the index chart and the outlier's alert case."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from procurement.compliance.services import evaluate_alerts


@pytest.fixture
def world(price_world, db_session, clock):
    world = price_world()
    clock.set(datetime(2026, 2, 10, 2, 0, tzinfo=UTC))
    world.buy(db_session, clock, 1, 100, "0.2860")  # hospital 1: 28.60, up 10%
    return world


def _urls(world):
    q = "generic_name=氨氯地平&dosage_form=片剂"
    return [
        "/api/v1/prices/products",
        f"/api/v1/prices/products/{world.product.id}",
        f"/api/v1/prices/index?{q}",
        "/api/v1/prices/outliers",
    ]


def _pages(world):
    return ["/compliance/prices", f"/compliance/prices/products/{world.product.id}"]


def test_what_institutions_paid_as_decimal_strings(client, world, regulator, auth_headers):
    url = f"/api/v1/prices/products/{world.product.id}?region=320100&from=2026-01&to=2026-01"
    reply = client.get(url, headers=auth_headers(regulator))
    assert reply.status_code == 200, reply.get_data(as_text=True)
    body = reply.get_json()
    assert (body["first_month"], body["last_month"], body["province"]) == (
        "2026-01",
        "2026-01",
        "320000",
    )
    assert (body["quantity"], body["amount"], body["average_unit_price"]) == (
        210,
        "48.61",
        "0.2315",  # 48.61 / 210 = 0.23147...
    )
    rows = [
        (
            r["institution_id"],
            r["quantity"],
            r["amount"],
            r["average_unit_price"],
            r["region_lowest_average"],
            r["above_region_lowest"],
        )
        for r in body["institutions"]
    ]
    h = world.hospital
    assert rows == [
        (h(2).id, 10, "2.61", "0.2610", "0.2000", "0.3050"),
        (h(1).id, 100, "26.00", "0.2600", "0.2000", "0.3000"),
        (h(0).id, 100, "20.00", "0.2000", "0.2000", "0.0000"),
    ]
    assert body["product"]["specification"] == "5mg x 10"


def test_the_index_and_the_outliers(client, world, regulator, auth_headers):
    headers = auth_headers(regulator)
    q = "generic_name=氨氯地平&dosage_form=片剂&from=2026-01&to=2026-02"
    body = client.get(f"/api/v1/prices/index?{q}", headers=headers).get_json()
    assert body["base_month"] == "2026-01"
    # Jan 230 units for 58.61; Feb 100 units for 28.60 (0.286):
    # 100 x 230 x 0.286 / 58.61 = 6,578 / 58.61 = 112.2334...
    assert [(m["month"], m["index"], m["average_unit_price"]) for m in body["months"]] == [
        ("2026-01", "100.00", "0.2548"),
        ("2026-02", "112.23", "0.2860"),
    ]
    outliers = client.get("/api/v1/prices/outliers", headers=headers).get_json()
    # over the window hospital 1 paid 54.60 / 200 = 0.2730: 36.50% above 0.2000
    got = [(o["institution_id"], o["paid"], o["region_lowest"], o["excess"]) for o in outliers]
    assert got == [
        (world.hospital(1).id, "0.2730", "0.2000", "0.3650"),
        (world.hospital(2).id, "0.2610", "0.2000", "0.3050"),
    ]
    assert outliers[0]["lowest_institution"] == world.hospital(0).name
    assert outliers[0]["margin"] == "0.3000"


def test_csv_and_xlsx_exports(client, world, regulator, auth_headers):
    headers = auth_headers(regulator)
    url = f"/api/v1/prices/products/{world.product.id}?format=csv&from=2026-01&to=2026-01"
    reply = client.get(url, headers=headers)
    assert reply.mimetype == "text/csv"
    lines = reply.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("product_id,institution_id,institution,region_code,quantity")
    assert f",{world.hospital(2).id}," in lines[2]
    assert ",10,2.61,0.2610," in lines[2]
    reply = client.get("/api/v1/prices/outliers?format=xlsx", headers=headers)
    sheet = load_workbook(io.BytesIO(reply.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "institution_id"
    assert len(rows) == 3
    q = "generic_name=氨氯地平&dosage_form=片剂&from=2026-01&to=2026-02&format=csv"
    text = client.get(f"/api/v1/prices/index?{q}", headers=headers).get_data(as_text=True)
    assert "2026-02,100,28.60,0.2860,112.23,1,2026-01" in text


@pytest.mark.parametrize(
    ("kind", "region", "status"),
    [
        ("regulator", "320000", 200),  # another regulator organization
        ("fund", "310000", 200),
        ("fund", "320000", 200),
        ("hospital", "320102", 403),
        ("manufacturer", "320000", 403),
        ("distributor", "320100", 403),
    ],
)
def test_only_oversight_sees_prices_others_get_a_problem(
    client, world, make_user, auth_headers, login, kind, region, status
):
    user = make_user(kind=kind, region_code=region)
    for url in _urls(world):
        reply = client.get(url, headers=auth_headers(user))
        assert reply.status_code == status, url
        if status != 200:
            assert reply.mimetype == "application/problem+json"
    login(user)
    for url in _pages(world):
        assert client.get(url).status_code == status, url


def test_the_buyers_and_the_supplier_themselves_are_refused(client, world, auth_headers):
    """A hospital that bought the product and its manufacturer: refused like anyone else."""
    for user in (world.comp.hospitals[0], world.comp.manufacturer):
        for url in _urls(world):
            reply = client.get(url, headers=auth_headers(user))
            assert (reply.status_code, reply.mimetype) == (403, "application/problem+json")


def test_without_login_unknown_ids_and_bad_filters_are_problems(
    client, world, regulator, auth_headers
):
    for url in _urls(world):
        reply = client.get(url)
        assert (reply.status_code, reply.mimetype) == (401, "application/problem+json")
    headers = auth_headers(regulator)
    for url, status in (
        ("/api/v1/prices/products/999999", 404),
        ("/api/v1/prices/index?generic_name=无此药&dosage_form=片剂", 404),
        ("/api/v1/prices/index?generic_name=氨氯地平", 422),
        ("/api/v1/prices/products?region=999999", 422),
        ("/api/v1/prices/products?from=2026-13", 422),
        ("/api/v1/prices/products?from=2026-03&to=2026-01", 422),
        ("/api/v1/prices/products?from=2020-01&to=2026-01", 422),
        ("/api/v1/prices/products?format=pdf", 422),
        ("/api/v1/prices/index?generic_name=氨氯地平&dosage_form=片剂&base=2020-01", 422),
    ):
        reply = client.get(url, headers=headers)
        assert (reply.status_code, reply.mimetype) == (status, "application/problem+json"), url


def test_the_pages_in_chinese_from_the_navigation_and_the_dashboard(
    client, world, regulator, login, db_session, clock
):
    evaluate_alerts(db_session, now=clock.now())
    login(regulator)
    client.set_cookie("lang", "zh")
    dashboard = client.get("/regulator/compliance").get_data(as_text=True)
    assert 'href="/compliance/prices"' in dashboard
    assert 'data-testid="price-outliers-link"' in dashboard
    page = client.get("/compliance/prices?from=2026-01&to=2026-02")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "价格监测" in html
    assert "价格指数" in html
    assert 'data-testid="index-chart"' in html
    assert 'data-month="2026-02" data-value="112.23"' in html
    assert "异常价格" in html
    assert 'data-testid="outlier-alert"' in html
    assert world.hospital(0).name in html
    product = client.get(f"/compliance/prices/products/{world.product.id}").get_data(as_text=True)
    assert 'data-testid="paid-chart"' in product
    row = f'data-institution="{world.hospital(2).id}" data-average="0.2610" data-outlier="yes"'
    assert row in product
    csv = client.get("/compliance/prices?format=csv&table=outliers")
    assert csv.mimetype == "text/csv"


def test_a_bad_month_on_the_page_is_shown_beside_the_field_input_kept(
    client, world, regulator, login
):
    login(regulator)
    client.set_cookie("lang", "zh")
    page = client.get("/compliance/prices?from=2026-13&to=2026-02")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="in-from-error"' in html
    assert 'value="2026-13"' in html


def test_a_large_per_institution_export_is_made_by_a_job(
    client, world, regulator, login, db_session, monkeypatch
):
    """Over INLINE_EXPORT_LINES institutions the page asks for a job (run inline here, no
    queue); its file holds the same rows as the inline download."""
    from sqlalchemy import select

    from procurement.jobs.models import Job

    login(regulator)
    url = f"/compliance/prices/products/{world.product.id}?format=csv&region=320000"
    monkeypatch.setattr("procurement.compliance.prices.pages.INLINE_EXPORT_LINES", 1)
    asked = client.get(url)
    assert asked.status_code == 302
    job = db_session.scalars(select(Job)).one()
    assert (job.kind, job.status, job.total) == ("compliance.price_paid_export", "succeeded", 3)
    assert job.result == "3 rows exported."
    lines = client.get(f"/jobs/{job.id}/file").data.decode("utf-8-sig").strip().splitlines()
    monkeypatch.setattr("procurement.compliance.prices.pages.INLINE_EXPORT_LINES", 5_000)
    inline = client.get(url).data.decode("utf-8-sig").strip().splitlines()
    assert lines == inline
    assert len(lines) == 4  # the header and the three Jiangsu hospitals
