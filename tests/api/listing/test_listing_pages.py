"""The listing pages through the test client: the manufacturer's form keeps its input with the
error beside the field, the regulator's decision needs a reason beside the reason field when a
check is flagged, who may open which page, and the export's exact figures."""

from __future__ import annotations

import csv
import io

import pytest

from procurement.listing.models import ListingRequest, RequestStatus


@pytest.fixture
def maker(listing_world):
    return listing_world.make_user(kind="manufacturer", region_code="320000")


@pytest.fixture
def product(listing_world, maker):
    return listing_world.make_product(maker)


def test_a_bad_price_comes_back_beside_its_field_with_the_input_kept(
    client, login, maker, product, db_session
):
    login(maker)
    page = client.post(
        "/manufacturer/listing-requests?lang=zh",
        data={
            "product_id": str(product.id),
            "region_code": "320000",
            "unit_price": "0.12345",
            "evidence": "某省挂网价",
        },
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'id="in-unit_price-error"' in text
    assert 'value="0.12345"' in text
    assert "某省挂网价</textarea>" in text
    assert db_session.query(ListingRequest).count() == 0


def test_a_filed_request_opens_on_its_page_with_its_checks(client, login, maker, product):
    login(maker)
    filed = client.post(
        "/manufacturer/listing-requests",
        data={"product_id": str(product.id), "unit_price": "0.5000", "evidence": "成本核算"},
    )
    assert filed.status_code == 302
    page = client.get(filed.headers["Location"], headers={"Accept-Language": "zh"})
    text = page.get_data(as_text=True)
    assert "全平台各地区" in text
    assert "该产品在各地区均无价格记录：0.5000 为首个价格。" in text


def test_a_flagged_request_needs_a_reason_beside_the_field_to_be_approved(
    client, login, listing_world, maker, product
):
    listing_world.win(
        listing_world.make_product(listing_world.make_user(kind="manufacturer")), "0.2000"
    )
    request = listing_world.file(maker, product, "0.4500")  # above 2 x 0.2000
    login(listing_world.regulator)
    url = f"/listing-requests/{request.id}/decision"
    refused = client.post(url, data={"decision": "approve", "reason": ""})
    assert refused.status_code == 422
    assert 'id="in-reason-error"' in refused.get_data(as_text=True)
    assert request.status == RequestStatus.PENDING
    done = client.post(url, data={"decision": "approve", "reason": "原研药"})
    assert done.status_code == 302
    listing_world.session.refresh(request)
    assert request.status == RequestStatus.APPROVED


@pytest.mark.parametrize(
    ("kind", "path", "status"),
    [
        ("hospital", "/regulator/listing-requests", 403),
        ("manufacturer", "/regulator/listing-requests", 403),
        ("regulator", "/manufacturer/listing-requests", 403),
        ("other_manufacturer", "/listing-requests/{id}", 404),
        ("fund", "/listing-requests/{id}", 403),
        ("manufacturer", "/listing-requests/{id}", 200),
        ("regulator", "/listing-requests/{id}", 200),
        ("manufacturer", "/listing-requests/{id}/decision", 403),
    ],
)
def test_who_may_open_which_listing_page(
    client, login, listing_world, maker, product, kind, path, status
):
    request = listing_world.file(maker, product, "0.5000")
    users = {
        "manufacturer": maker,
        "other_manufacturer": listing_world.make_user(kind="manufacturer"),
        "regulator": listing_world.regulator,
    }
    login(users.get(kind) or listing_world.make_user(kind=kind))
    url = path.format(id=request.id)
    response = (
        client.post(url, data={"decision": "approve"}) if "decision" in url else (client.get(url))
    )
    assert response.status_code == status


def test_the_export_holds_the_exact_prices_of_the_filtered_listings(
    client, listing_world, maker, product
):
    listing = listing_world.listed(maker, product, "0.1235", region="310000")
    body = client.get("/public/listings/export.csv?q=氨氯地平").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["listing_id"], r["unit_price"], r["pack_price"], r["region"]) for r in rows] == [
        (str(listing.id), "0.1235", "3.4580", "上海市")  # 0.1235 x 28 = 3.4580
    ]
    assert (
        client.get("/public/listings/export.csv?q=阿莫西林")
        .get_data()
        .decode("utf-8-sig")
        .count("\n")
        == 1
    )
    xlsx = client.get("/public/listings/export.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.data[:2] == b"PK"
