"""Settlement API: problems for bad input, idempotent runs, statements as JSON, CSV and XLSX,
the bank's payment file, reversal; hand-computed amounts from the ``settled`` world."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

R = "/api/v1/settlement"


@pytest.fixture
def fund_h(settled, auth_headers):
    return auth_headers(settled["fund"])


def _problem(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    if code is not None:
        assert body["type"].endswith("/" + code), body
    return body


def test_a_run_without_an_idempotency_key_is_refused_with_a_field_error(client, fund_h):
    body = _problem(
        client.post(f"{R}/runs", json={"cut_off": "2026-02-13"}, headers=fund_h),
        422,
        "idempotency-key-required",
    )
    assert "Idempotency-Key" in body["errors"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/statements", {"party_id": "x"}, "party_id"),
        ("/statements", {}, "party_id"),
        ("/statements", {"party_id": 1, "from": "2026-02-30"}, "from"),
        ("/payables", {"status": "lost"}, "status"),
        ("/payables", {"accepted_from": "yesterday"}, "accepted_from"),
    ],
)
def test_bad_query_parameters_are_422_problems_naming_the_field(
    client, fund_h, path, params, field
):
    body = _problem(client.get(R + path, query_string=params, headers=fund_h), 422)
    assert field in body["errors"]


def test_a_bad_cut_off_date_is_a_422_problem_naming_cut_off(client, fund_h):
    response = client.post(
        f"{R}/runs", json={"cut_off": "2026-13-01"}, headers={**fund_h, "Idempotency-Key": "k"}
    )
    assert "cut_off" in _problem(response, 422)["errors"]


def test_a_period_ending_before_it_starts_is_refused(client, fund_h, settled):
    params = {
        "party_id": settled["hospital"].organization.id,
        "from": "2026-02-01",
        "to": "2026-01-01",
    }
    body = _problem(client.get(f"{R}/statements", query_string=params, headers=fund_h), 422)
    assert "to" in body["errors"]


def test_an_unknown_party_or_a_fund_office_has_no_statement(client, fund_h, settled):
    _problem(client.get(f"{R}/statements?party_id=999999", headers=fund_h), 404)
    fund_org = settled["fund"].organization.id
    _problem(client.get(f"{R}/statements?party_id={fund_org}", headers=fund_h), 404)


def test_advances_of_an_unknown_tender_or_year_are_refused(client, fund_h, settled):
    _problem(client.post(f"{R}/advances", json={"tender_id": 999999}, headers=fund_h), 404)
    body = _problem(
        client.post(
            f"{R}/advances",
            json={"tender_id": settled["tender_id"], "contract_year": 3},
            headers=fund_h,
        ),
        422,
    )
    assert "contract_year" in body["errors"]


def test_a_hospital_starting_a_run_gets_a_wrong_organization_kind_problem(
    client, settled, auth_headers
):
    headers = {**auth_headers(settled["hospital"]), "Idempotency-Key": "h"}
    _problem(
        client.post(f"{R}/runs", json={"cut_off": "2026-02-13"}, headers=headers),
        403,
        "wrong-organization-kind",
    )


def test_a_run_pays_the_open_payable_and_its_retry_returns_it_with_200(client, fund_h):
    headers = {**fund_h, "Idempotency-Key": "feb"}
    first = client.post(f"{R}/runs", json={"cut_off": "2026-02-13"}, headers=headers)
    assert first.status_code == 201
    run = first.get_json()
    # receipt B: 5 packs x 28 x 0.2000 = 28.00
    assert (run["status"], run["total_amount"], run["payables_count"]) == ("completed", "28.00", 1)
    assert (run["batches_done"], run["batches_total"], run["progress"]) == (1, 1, 1.0)
    again = client.post(f"{R}/runs", json={"cut_off": "2026-02-13"}, headers=headers)
    assert (again.status_code, again.get_json()["id"]) == (200, run["id"])
    other_cut_off = client.post(f"{R}/runs", json={"cut_off": "2026-02-12"}, headers=headers)
    _problem(other_cut_off, 409, "idempotency-key-reused")
    assert client.get(f"{R}/overdue", headers=fund_h).get_json() == []


def test_a_run_with_nothing_due_says_so_and_records_nothing(client, fund_h):
    paid = client.post(
        f"{R}/runs", json={"cut_off": "2026-02-13"}, headers={**fund_h, "Idempotency-Key": "a"}
    )
    assert paid.status_code == 201
    runs = client.get(f"{R}/runs", headers=fund_h).get_json()
    again = client.post(
        f"{R}/runs", json={"cut_off": "2026-02-13"}, headers={**fund_h, "Idempotency-Key": "b"}
    )
    body = _problem(again, 409, "nothing-due")
    assert "Nothing is due up to 2026-02-13" in body["detail"]
    assert client.get(f"{R}/runs", headers=fund_h).get_json() == runs


def test_the_payment_file_lists_each_manufacturer_once_and_is_the_same_every_time(
    client, fund_h, settled
):
    run = settled["run"]
    maker = settled["manufacturer"].organization
    url = f"{R}/runs/{run.id}/payment-file"
    first, second = client.get(url, headers=fund_h), client.get(url, headers=fund_h)
    assert first.status_code == 200
    assert first.mimetype == "text/csv"
    assert first.data == second.data
    assert first.data.decode() == (
        "run_reference,manufacturer_code,manufacturer_name,amount,currency,payables_count\n"
        f"{run.reference},{maker.code},{maker.name},56.00,CNY,1\n"
    )


def test_the_run_detail_shows_progress_and_payments(client, fund_h, settled):
    body = client.get(f"{R}/runs/{settled['run'].id}", headers=fund_h).get_json()
    maker = settled["manufacturer"].organization.id
    assert (body["batches_done"], body["batches_total"], body["total_amount"]) == (1, 1, "56.00")
    assert [(p["manufacturer_id"], p["amount"]) for p in body["payments"]] == [(maker, "56.00")]


def _m_params(settled):
    return {
        "party_id": settled["manufacturer"].organization.id,
        "from": "2026-01-01",
        "to": "2026-02-14",
    }


def test_the_manufacturer_statement_shows_receivables_payments_and_overdue(client, fund_h, settled):
    body = client.get(f"{R}/statements", query_string=_m_params(settled), headers=fund_h)
    st = body.get_json()
    # accrued 56.00 (A, paid) + 28.00 (B, open and 10 days overdue on 2026-02-14)
    assert st["summary"] == {
        "receivables_accrued": "84.00",
        "payables_accrued": 2,
        "payments": "56.00",
        "outstanding_at_end": "28.00",
        "overdue": "28.00",
    }
    assert [(ln["kind"], ln["amount"], ln["days_overdue"]) for ln in st["lines"]] == [
        ("payment", "56.00", ""),
        ("overdue", "28.00", 10),
    ]


def test_the_manufacturer_statement_csv_has_the_summary_then_the_lines(client, fund_h, settled):
    response = client.get(
        f"{R}/statements", query_string={**_m_params(settled), "format": "csv"}, headers=fund_h
    )
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    maker = settled["manufacturer"].organization
    assert rows[:5] == [
        ["party_code", maker.code],
        ["party_name", maker.name],
        ["party_kind", "manufacturer"],
        ["from", "2026-01-01"],
        ["to", "2026-02-14"],
    ]
    assert ["receivables_accrued", "84.00"] in rows
    blank = rows.index([])
    assert rows[blank + 1] == ["kind", "date", "reference", "amount", "count", "days_overdue"]
    assert rows[blank + 2] == ["payment", "2026-01-05", settled["run"].reference, "56.00", "1", ""]
    assert rows[blank + 3][0::3] == ["overdue", "28.00"]
    assert rows[blank + 3][-1] == "10"


def test_the_hospital_statement_xlsx_has_a_summary_and_a_lines_sheet(client, settled, auth_headers):
    params = {
        "party_id": settled["hospital"].organization.id,
        "from": "2026-01-01",
        "to": "2026-02-14",
        "format": "xlsx",
    }
    response = client.get(
        f"{R}/statements", query_string=params, headers=auth_headers(settled["hospital"])
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["summary", "lines"]
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True)}
    # advance 30% x (2,800 x 0.2000 = 560.00) = 168.00; run A charged 56.00 to it
    assert (summary["advance_received"], summary["charged_to_advance"]) == (168, 56)
    assert (summary["charged_to_allocation"], summary["advance_remaining"]) == (0, 112)
    assert summary["accepted_value"] == 84
    lines = list(book["lines"].iter_rows(values_only=True))
    assert lines[0] == ("date", "transaction", "account", "amount")
    assert sorted(row[3] for row in lines[1:]) == [-56, 168]


def test_reversing_a_payment_reopens_its_payable_and_a_second_reversal_is_a_conflict(
    client, fund_h, settled
):
    url = f"{R}/transactions/{settled['payment_txn']}/reverse"
    response = client.post(url, json={"reason": "wrong bank account"}, headers=fund_h)
    assert response.status_code == 201
    reversal = response.get_json()
    assert reversal["kind"] == "reversal"
    assert sum(float(p["amount"]) for p in reversal["postings"]) == 0
    _problem(client.post(url, json={"reason": "again"}, headers=fund_h), 409, "already-reversed")
    _problem(
        client.post(f"{R}/transactions/999999/reverse", json={"reason": "x"}, headers=fund_h), 404
    )
    unpaid = client.get(f"{R}/payables?status=unpaid", headers=fund_h).get_json()
    assert sorted(p["amount"] for p in unpaid) == ["28.00", "56.00"]
    report = client.get(f"{R}/reconciliation", headers=fund_h).get_json()
    assert report["ok"] is True
    assert report["payments_total"] == "0.00"


def test_reconciliation_proves_every_payable_against_its_receipt_line(client, fund_h):
    report = client.get(f"{R}/reconciliation", headers=fund_h).get_json()
    assert report["ok"] is True
    assert (
        report["payables_checked"],
        report["payables_without_receipt_line"],
        report["payables_amount_mismatch"],
    ) == (2, [], [])
    assert report["payments_total"] == report["paid_payables_total"] == "56.00"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", f"{R}/statements?party_id=99999999999999999999999", 422),
        ("GET", f"{R}/payables?hospital_id=99999999999999999999999", 422),
        ("GET", f"{R}/runs/99999999999999999999999", 404),
        ("POST", f"{R}/transactions/99999999999999999999999/reverse", 404),
        ("GET", f"{R}/runs/abc", 404),
    ],
)
def test_ids_too_large_for_the_database_are_problems_not_server_errors(
    client, fund_h, method, url, status
):
    response = client.open(url, method=method, json={"reason": "x"}, headers=fund_h)
    _problem(response, status)
