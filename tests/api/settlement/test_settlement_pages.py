"""Fund office portal, manufacturer payment statement and hospital statement pages."""

from __future__ import annotations

import pytest


def _english(client):
    """Pages default to Chinese; these tests read the English strings."""
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def fund_client(settled, login):
    return _english(login(settled["fund"]))


def test_the_advances_page_has_a_pay_button_per_unpaid_tender_year(fund_client, make_contract):
    make_contract()  # a second tender whose advances are not paid yet
    response = fund_client.get("/fund/advances")
    page = response.get_data(as_text=True)
    assert 'data-testid="advances"' in page
    assert page.count("Pay advances") == 1
    assert "¥168.00" in page


def test_paying_advances_from_the_page_flashes_the_result(fund_client, make_contract):
    world = make_contract(agreed=1000, unit_price="1.0000")
    response = fund_client.post(
        "/fund/advances",
        data={"tender_id": world.contract.tender_id, "contract_year": 1},
        follow_redirects=True,
    )
    # 30% x 1,000 x 1.0000 = 300.00
    assert "Advances paid to 1 hospitals (300.00)" in response.get_data(as_text=True)


def test_a_run_started_from_the_page_shows_its_progress_and_payment_file(fund_client):
    response = fund_client.post(
        "/fund/runs", data={"cut_off": "2026-02-13", "form_key": "k1"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert 'data-testid="status">Completed' in page
    assert "1 / 1" in page
    assert "¥28.00" in page
    link = "/payment-file"
    assert link in page
    runs = fund_client.get("/fund/runs").get_data(as_text=True)
    assert runs.count(">Completed</span>") == 2  # two runs (the filter lists it once more)


def test_a_run_without_a_cut_off_is_refused_with_a_message(fund_client):
    response = fund_client.post("/fund/runs", data={"cut_off": ""}, follow_redirects=True)
    assert "Choose a cut-off date." in response.get_data(as_text=True)


def test_the_overdue_page_lists_days_overdue(fund_client, settled):
    page = fund_client.get("/fund/overdue").get_data(as_text=True)
    assert 'data-testid="overdue"' in page
    assert ">10</span>" in page
    assert "¥28.00" in page


def test_the_reconciliation_page_says_reconciled(fund_client):
    page = fund_client.get("/fund/reconciliation").get_data(as_text=True)
    assert 'data-testid="reconciliation-ok">reconciled' in page


def test_the_fund_statement_page_downloads_csv_and_xlsx(fund_client, settled):
    maker = settled["manufacturer"].organization
    page = fund_client.get(
        f"/fund/statements?party_id={maker.id}&from=2026-01-01&to=2026-02-14"
    ).get_data(as_text=True)
    assert maker.name in page
    assert "¥84.00" in page
    csv_file = fund_client.get(
        f"/settlement/statement.csv?party_id={maker.id}&from=2026-01-01&to=2026-02-14"
    )
    assert csv_file.mimetype == "text/csv"
    assert "receivables_accrued,84.00" in csv_file.data.decode("utf-8-sig")
    xlsx = fund_client.get(f"/settlement/statement.xlsx?party_id={maker.id}")
    assert xlsx.data[:2] == b"PK"


def test_the_manufacturer_sees_its_payment_statement_and_not_another_partys(settled, login):
    client = _english(login(settled["manufacturer"]))
    page = client.get("/settlement/statement?from=2026-01-01&to=2026-02-14").get_data(as_text=True)
    assert "¥56.00" in page
    assert "overdue" in page
    hospital = settled["hospital"].organization.id
    refused = client.get(f"/settlement/statement.csv?party_id={hospital}")
    assert refused.status_code == 403


def test_the_hospital_statement_shows_its_advance_and_what_was_charged(settled, login):
    client = _english(login(settled["hospital"]))
    page = client.get("/settlement/statement?from=2026-01-01&to=2026-02-14").get_data(as_text=True)
    assert "¥168.00" in page
    assert "¥112.00" in page


def test_a_bad_date_on_the_statement_page_is_an_error_page_not_a_crash(settled, login):
    client = login(settled["hospital"])
    response = client.get("/settlement/statement?from=2026-02-30", headers={"Accept": "text/html"})
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/fund/advances", "/fund/runs", "/fund/overdue"])
def test_the_fund_portal_is_closed_to_hospitals(settled, login, path):
    client = login(settled["hospital"])
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 403
