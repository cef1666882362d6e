"""Every CSV and XLSX export writes user text as inert text (issue 13, item 3): a product approval
number, lot names and organization names that start with =, +, -, @,
a tab or a carriage return come back quoted in CSV and as non-formula cells in XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from procurement.catalog.services.lots import REQUIRED_COLUMNS
from procurement.web.tabular_export import FORMULA_STARTS
from tests.fixtures.catalog import lot_data

HYPERLINK = '=HYPERLINK("http://e.vil","x")'


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def xlsx_cells(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)
    book = load_workbook(io.BytesIO(response.data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_csv_inert(rows: list[list[str]], texts: list[str]) -> None:
    fields = [f for row in rows for f in row]
    assert [f for f in fields if f.startswith(FORMULA_STARTS)] == []
    for text in texts:
        assert "'" + text in fields, text


def assert_xlsx_inert(cells: list, texts: list[str]) -> None:
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    # An XML parser may read a bare CR back as LF (the standard library's does; lxml's, which
    # openpyxl uses when installed, keeps it): compare with both read as LF.
    values = {c.value.replace("\r", "\n"): c for c in cells if isinstance(c.value, str)}
    for text in texts:
        cell = values[text.replace("\r", "\n")]
        assert (cell.data_type, cell.quotePrefix) == ("s", True), text


def test_lot_imports_store_formula_like_text_as_it_is(client, make_tender, regulator, auth_headers):
    tender = make_tender("draft", lots=0)
    header = list(REQUIRED_COLUMNS)
    # Lot codes must start with a letter or digit; names are free text.
    text = io.StringIO()
    csv.writer(text).writerows(
        [header]
        + [
            [f"L0{i}", name, "片剂", "oral_solid", "5", "mg", "tablet", "0.3000", "0.9000"]
            for i, name in enumerate(["=1+1", "+1", "-1+2", "@SUM(A1)", HYPERLINK])
        ]
    )
    reply = client.post(
        f"/api/v1/tenders/{tender.id}/lots/import",
        data={"file": (io.BytesIO(text.getvalue().encode()), "lots.csv")},
        headers=auth_headers(regulator),
        content_type="multipart/form-data",
    )
    assert reply.status_code == 201, reply.get_json()
    lots = client.get(f"/api/v1/tenders/{tender.id}/lots", headers=auth_headers(regulator))
    assert [lot["generic_name"] for lot in lots.get_json()] == [
        "=1+1",
        "+1",
        "-1+2",
        "@SUM(A1)",
        HYPERLINK,
    ]


@pytest.fixture
def opened_evil_tender(
    client, make_tender, make_user, make_product, make_bid, regulator, auth_headers, clock
):
    # Free text from lot imports (names, stripped of surrounding blanks) and product registration
    # (approval numbers, no blanks at all); a leading tab or CR is tested with names below.
    names = ["=1+1", "+1", "-1+2", "@SUM(A1)", "=cmd|' /C calc'!A0"]
    approvals = [HYPERLINK, "=1+1x", "+1x1", "-1+2x", "@SUM(A1)"]
    tender = make_tender(
        "bidding_open", lots=[lot_data(f"L{i:02d}", generic_name=t) for i, t in enumerate(names)]
    )
    texts = []
    for lot, approval in zip(tender.lots, approvals, strict=True):
        user = make_user(kind="manufacturer", region_code="320500")
        product = make_product(user, generic_name=lot.generic_name, approval_number=approval)
        make_bid(user, lot, product, price_per_pack=Decimal("5.6000"))
        texts += [lot.generic_name, product.approval_number]
    assert all(t.startswith(FORMULA_STARTS) for t in texts), texts
    clock.set(tender.opening_at)
    opened = client.post(f"/api/v1/tenders/{tender.id}/open", headers=auth_headers(regulator))
    assert opened.status_code == 200, opened.get_json()
    return tender, texts


def test_the_opened_bids_csv_quotes_every_formula_like_text(
    client, opened_evil_tender, regulator, auth_headers
):
    tender, texts = opened_evil_tender
    url = f"/api/v1/tenders/{tender.id}/bids/export?format=csv"
    rows = csv_rows(client.get(url, headers=auth_headers(regulator)))
    assert_csv_inert(rows, texts)
    assert {row[rows[0].index("price_per_pack")] for row in rows[1:]} == {"5.6000"}


def test_the_opened_bids_xlsx_has_no_formula_cell(
    client, opened_evil_tender, regulator, auth_headers
):
    tender, texts = opened_evil_tender
    url = f"/api/v1/tenders/{tender.id}/bids/export?format=xlsx"
    assert_xlsx_inert(xlsx_cells(client.get(url, headers=auth_headers(regulator))), texts)


def test_the_regulator_pages_bid_exports_are_inert_too(
    client, opened_evil_tender, regulator, login
):
    tender, texts = opened_evil_tender
    login(regulator)
    base = f"/regulator/bidding/tenders/{tender.id}/export"
    assert_csv_inert(csv_rows(client.get(base + ".csv")), texts)
    assert_xlsx_inert(xlsx_cells(client.get(base + ".xlsx")), texts)


def rename(db_session, org, name: str) -> None:
    org.name = name
    db_session.flush()


def test_settlement_statements_and_the_payment_file_quote_a_formula_like_name(
    client, settled, auth_headers, db_session
):
    maker = settled["manufacturer"].organization
    rename(db_session, maker, HYPERLINK)
    fund = auth_headers(settled["fund"])
    params = {"party_id": maker.id, "from": "2026-01-01", "to": "2026-02-14"}
    url = "/api/v1/settlement/statements"
    rows = csv_rows(client.get(url, query_string=params | {"format": "csv"}, headers=fund))
    assert_csv_inert(rows, [HYPERLINK])
    assert ["receivables_accrued", "84.00"] in rows
    cells = xlsx_cells(client.get(url, query_string=params | {"format": "xlsx"}, headers=fund))
    assert_xlsx_inert(cells, [HYPERLINK])
    assert 84 in [c.value for c in cells if c.data_type == "n"]  # amounts stay numbers
    payment_file = f"/api/v1/settlement/runs/{settled['run'].id}/payment-file"
    rows = csv_rows(client.get(payment_file, headers=fund))
    assert rows[1][2:4] == ["'" + HYPERLINK, "56.00"]


def test_compliance_tables_quote_names_starting_with_a_tab_or_a_carriage_return(
    client, comp_world, deliver, auth_headers, db_session
):
    world = comp_world(hospitals=2, agreed=1000)
    deliver(world, world.contract(0), 300)
    rename(db_session, world.hospitals[0].organization, "\t=1")
    rename(db_session, world.hospitals[1].organization, "\r=1")
    headers = auth_headers(world.regulator)
    url = f"/api/v1/compliance/progress?tender={world.tender.id}&group_by=hospital"
    texts = ["\t=1", "\r=1"]
    assert_csv_inert(csv_rows(client.get(url + "&format=csv", headers=headers)), texts)
    assert_xlsx_inert(xlsx_cells(client.get(url + "&format=xlsx", headers=headers)), texts)
