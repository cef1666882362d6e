"""The reconciliation and invoice pages, in Chinese: the hospital disputes a line (an empty
reason is shown beside that line's field and changes nothing), the manufacturer sees the
dispute and corrects it; the fund sees every reconciliation's status; an invoice form error
sits beside its field.

World: line 1 = 10 packs = 280 x 0.20 = 56.00, line 2 = 5 packs = 28.00, January issued
2026-02-01 09:00 UTC."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from procurement.auth.services import actor_of
from procurement.settlement.monthly_models import LineStatus
from procurement.settlement.services import monthly_reconciliation as recon
from tests.fixtures.reconciliation import FEBRUARY_1


@pytest.fixture
def month(reconciled, deliver_accepted, fund, db_session, clock):
    world = reconciled()
    deliver_accepted(world, 10)
    deliver_accepted(world, 5)
    clock.set(FEBRUARY_1)
    (rec,) = recon.issue_month(
        db_session, month=date(2026, 1, 1), now=clock.now(), actor=actor_of(fund)
    )
    return world, rec


def _zh(client):
    client.set_cookie("lang", "zh")
    return client


def _line_cell(html: str, line_id: int) -> str:
    return re.search(rf'<tr data-line="{line_id}".*?</tr>', html, re.S).group(0)


def test_the_hospital_disputes_a_line_and_the_manufacturer_sees_and_corrects_it(
    month, as_user, fund, db_session
):
    world, rec = month
    second = rec.lines[1]
    hospital = _zh(as_user(world.hospital))
    url = f"/settlement/reconciliations/{rec.id}"
    page = hospital.get(url).get_data(as_text=True)
    assert "对此明细提出异议" in page
    assert "确认对账单" in page
    empty = hospital.post(
        f"{url}/lines/{second.id}/dispute", data={"reason": " ", "form_key": "e1"}
    )
    assert empty.status_code == 422
    cell = _line_cell(empty.get_data(as_text=True), second.id)
    assert 'class="field-error"' in cell
    assert 'id="reason-' in cell
    db_session.expire_all()
    assert db_session.get(type(second), second.id).status == LineStatus.OPEN
    done = hospital.post(
        f"{url}/lines/{second.id}/dispute",
        data={"reason": "两盒破损", "form_key": "d1"},
        follow_redirects=True,
    )
    cell = _line_cell(done.get_data(as_text=True), second.id)
    assert "两盒破损" in cell
    assert "暂缓：有异议" in cell
    fund_page = _zh(as_user(fund)).get("/settlement/reconciliations").get_data(as_text=True)
    held = re.search(r'data-testid="held-summary".*?</section>', fund_page, re.S).group(0)
    assert re.findall(r'data-reason="(\w+)">([^<]*)', held) == [
        ("unconfirmed", "暂缓：对账未确认: ¥56.00"),
        ("disputed", "暂缓：有异议: ¥28.00"),
    ]
    maker = _zh(as_user(world.manufacturer))
    seen = maker.get(url).get_data(as_text=True)
    cell = _line_cell(seen, second.id)
    assert "两盒破损" in cell
    assert "标记为已更正" in cell
    fixed = maker.post(
        f"{url}/lines/{second.id}/resolve",
        data={"resolution": "corrected", "note": "补发两盒", "form_key": "r1"},
        follow_redirects=True,
    )
    assert "生产企业已更正" in _line_cell(fixed.get_data(as_text=True), second.id)
    listing = _zh(as_user(fund)).get("/settlement/reconciliations").get_data(as_text=True)
    assert f'data-reconciliation="{rec.id}" data-status="open"' in listing
    assert "待确认" in listing
    held = re.search(r'data-testid="held-summary".*?</section>', listing, re.S).group(0)
    # corrected, line 2 waits for the confirmation again: 56.00 + 28.00 unconfirmed
    assert re.findall(r'data-reason="(\w+)">([^<]*)', held) == [
        ("unconfirmed", "暂缓：对账未确认: ¥84.00")
    ]
    assert "¥84.00" in listing.replace("￥", "¥")


def test_each_line_names_its_lot_and_counts_in_its_smallest_unit(month, as_user):
    world, rec = month
    html = _zh(as_user(world.hospital)).get(f"/settlement/reconciliations/{rec.id}")
    first = _line_cell(html.get_data(as_text=True), rec.lines[0].id)
    lot = world.contract.lot
    assert f"{lot.code} {lot.generic_name}" in first
    quantity = re.search(r'data-testid="line-quantity">([^<]*)<', first).group(1)
    assert quantity == "280 片"  # 10 packs x 28 tablets


def test_both_confirm_on_the_pages(month, as_user):
    world, rec = month
    url = f"/settlement/reconciliations/{rec.id}"
    _zh(as_user(world.hospital)).post(f"{url}/confirm", data={"form_key": "c1"})
    done = _zh(as_user(world.manufacturer)).post(
        f"{url}/confirm", data={"form_key": "c2"}, follow_redirects=True
    )
    html = done.get_data(as_text=True)
    assert 'data-status="confirmed"' in html
    assert "您的确认已记录" in html


def test_an_invoice_form_error_sits_beside_its_field(month, as_user):
    world, rec = month
    maker = _zh(as_user(world.manufacturer))
    form = {
        "number": "INV-9",
        "issued_on": "2026-01-06",
        "recipient_id": str(world.hospital.organization.id),
        "lines.0.receipt_line_id": str(rec.lines[0].receipt_line_id),
        "lines.0.quantity": "280",
        "lines.0.amount": "56.00",
        "amount": "50.00",
        "form_key": "i1",
    }
    refused = maker.post("/settlement/invoices", data=form)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert re.search(
        r'id="in-amount".*?class="field-error"[^>]*>金额须等于各明细金额之和', html, re.S
    )
    ok = maker.post(
        "/settlement/invoices",
        data={**form, "amount": "56.00", "form_key": "i2"},
        follow_redirects=True,
    )
    assert "发票 INV-9 已登记" in ok.get_data(as_text=True)


def test_the_manufacturer_voids_its_invoice_on_the_page(month, as_user, db_session, clock):
    from procurement.settlement.services import invoices

    world, rec = month
    invoice = invoices.record_invoice(
        db_session,
        number="INV-V",
        issued_on=date(2026, 1, 6),
        amount=Decimal("56.00"),
        recipient_id=world.hospital.organization.id,
        lines=[
            {
                "receipt_line_id": rec.lines[0].receipt_line_id,
                "quantity": 280,
                "amount": Decimal("56.00"),
            }
        ],
        now=clock.now(),
        actor=world.m,
    )
    maker = _zh(as_user(world.manufacturer))
    done = maker.post(
        f"/settlement/invoices/{invoice.id}/void", data={"form_key": "v1"}, follow_redirects=True
    )
    html = done.get_data(as_text=True)
    assert "发票 INV-V 已红冲" in html
    row = re.search(rf'<tr data-invoice="{invoice.id}".*?</tr>', html, re.S).group(0)
    assert 'data-testid="voided"' in row
