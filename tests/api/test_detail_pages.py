"""Contract, payable and payment pages, their printable documents, the fund office's to-do list
and the lists that scale (issue 15, items 5, 6, 8 and 11), on the small settled world of
``tests/fixtures/settlement.py``: one contract (0.2000 a tablet, 28 a pack, 2,800 agreed),
receipt A of 10 packs (¥56.00) paid by a run, receipt B of 5 packs (¥28.00) 10 days overdue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from procurement.contracts.models import Contract, ContractStatus
from procurement.orders.models import OrderLine, PurchaseOrder
from procurement.settlement.models import Payable, SettlementRun
from tests.fixtures.auth import PASSWORD

HX = {"HX-Request": "true"}


@pytest.fixture
def world(settled, db_session):
    contract = settled["world"].contract
    orders = list(
        db_session.scalars(
            select(PurchaseOrder.id)
            .join(OrderLine, OrderLine.order_id == PurchaseOrder.id)
            .where(OrderLine.contract_id == contract.id)
            .order_by(PurchaseOrder.id)
        )
    )
    paid = settled["paid_line"].id
    unpaid = settled["open_line"].id
    payment = settled["run"].payments[0]
    return settled | {
        "contract": contract,
        "orders": orders,
        "paid": paid,
        "unpaid": unpaid,
        "payment": payment,
    }


@pytest.fixture
def as_user(app):
    """``as_user(user)``: a client of its own, logged in, reading English pages."""

    def make(user):
        client = app.test_client()
        client.set_cookie("lang", "en")
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return make


def test_the_contract_page_shows_parties_price_volume_and_loads_its_orders_and_progress(
    world, as_user
):
    hospital = as_user(world["hospital"])
    c = world["contract"]
    page = hospital.get(f"/contracts/{c.id}").get_data(as_text=True)
    assert "¥0.2000" in page
    assert 'data-testid="agreed">2,800' in page
    assert f'hx-get="/contracts/{c.id}/orders"' in page
    part = hospital.get(f"/contracts/{c.id}/orders", headers=HX).get_data(as_text=True)
    assert "<html" not in part  # a fragment for the page
    # ordered and accepted: 10 + 5 packs of 28 = 420 tablets of 2,800 = 15.0%
    assert 'data-testid="progress-ordered">420 ' in part
    assert 'data-testid="progress-accepted">420 ' in part
    assert 'data-testid="progress-share">15.0%' in part
    assert 'data-testid="progress-paid">¥56.00' in part
    for order_id in world["orders"]:
        assert f'href="/hospital/orders/{order_id}"' in part
    full = hospital.get(f"/contracts/{c.id}/orders").get_data(as_text=True)
    assert "<html" in full
    supplier = as_user(world["manufacturer"]).get(f"/contracts/{c.id}/orders", headers=HX)
    assert f'href="/supplier/orders/{world["orders"][0]}"' in supplier.get_data(as_text=True)


def test_another_hospitals_contract_is_not_found(world, as_user, make_user):
    other = as_user(make_user(kind="hospital"))
    c = world["contract"]
    for url in (f"/contracts/{c.id}", f"/contracts/{c.id}/orders", f"/contracts/{c.id}/print"):
        assert other.get(url).status_code == 404, url


def test_the_printed_contract_has_no_navigation_and_names_both_parties(world, as_user):
    client = as_user(world["hospital"])
    c = world["contract"]
    page = client.get(f"/contracts/{c.id}/print?lang=zh").get_data(as_text=True)
    assert "采购协议" in page
    assert 'class="portal"' not in page  # no navigation
    assert "otherpages.css" in page
    assert c.hospital.name in page
    assert c.manufacturer.name in page
    assert 'data-testid="doc-price">¥0.2000' in page


def test_contract_lists_are_paged_by_fifty_and_filtered(world, as_user, regulator, db_session):
    c = world["contract"]
    copies = {
        k: getattr(c, k)
        for k in (
            "tender_id",
            "lot_id",
            "hospital_id",
            "manufacturer_id",
            "product_id",
            "bid_id",
            "award_run_id",
            "period_start",
            "period_end",
            "unit_price",
            "currency",
            "agreed_volume",
            "region_code",
            "created_at",
            "updated_at",
        )
    }
    for year in range(2, 57):  # 55 more: 56 in all
        db_session.add(Contract(**copies, contract_year=year, status=ContractStatus.DRAFT))
    db_session.commit()
    hospital = as_user(world["hospital"])
    first = hospital.get("/hospital/contracts").get_data(as_text=True)
    assert 'data-total="56"' in first
    assert first.count("data-contract=") == 50
    second = hospital.get("/hospital/contracts?page=2").get_data(as_text=True)
    assert second.count("data-contract=") == 6
    active = hospital.get("/hospital/contracts?status=active").get_data(as_text=True)
    assert 'data-total="1"' in active
    office = as_user(regulator)
    year = office.get("/contracts?year=3").get_data(as_text=True)
    assert 'data-total="1"' in year
    none = office.get(f"/contracts?manufacturer=nobody-{c.id}").get_data(as_text=True)
    assert 'data-total="0"' in none


def test_the_fund_lists_payables_by_status(world, as_user):
    fund = as_user(world["fund"])
    overdue = fund.get("/settlement/payables?status=overdue").get_data(as_text=True)
    assert re.findall(r'data-payable="(\d+)"', overdue) == [str(world["unpaid"])]
    assert "¥28.00" in overdue
    paid = fund.get("/settlement/payables?status=paid").get_data(as_text=True)
    assert re.findall(r'data-payable="(\d+)"', paid) == [str(world["paid"])]
    everything = fund.get("/settlement/payables").get_data(as_text=True)
    assert 'data-total="2"' in everything


def test_a_payable_shows_its_order_line_amounts_and_state_to_its_parties_only(
    world, as_user, make_user
):
    maker = as_user(world["manufacturer"])
    page = maker.get(f"/settlement/payables/{world['unpaid']}").get_data(as_text=True)
    assert 'data-testid="payable-amount"><strong>¥28.00' in page
    assert "10 days overdue" in page
    assert f'href="/supplier/orders/{world["orders"][1]}"' in page
    paid = maker.get(f"/settlement/payables/{world['paid']}").get_data(as_text=True)
    assert f'href="/settlement/payments/{world["payment"].id}"' in paid
    assert (
        as_user(world["hospital"]).get(f"/settlement/payables/{world['paid']}").status_code == 200
    )
    stranger = as_user(make_user(kind="manufacturer"))
    assert stranger.get(f"/settlement/payables/{world['paid']}").status_code == 404
    assert stranger.get("/settlement/payables").get_data(as_text=True).count("data-payable=") == 0


def test_a_payment_lists_what_it_paid_and_prints_a_payment_notice(world, as_user, make_user):
    payment = world["payment"]
    fund = as_user(world["fund"])
    page = fund.get(f"/settlement/payments/{payment.id}").get_data(as_text=True)
    assert 'data-testid="payment-amount"><strong>¥56.00' in page
    assert f'href="/settlement/payables/{world["paid"]}"' in page
    notice = fund.get(f"/settlement/payments/{payment.id}/notice?lang=zh").get_data(as_text=True)
    assert "付款通知" in notice
    assert 'data-testid="notice-amount"><strong>¥56.00' in notice
    assert 'class="portal"' not in notice
    maker = as_user(world["manufacturer"])
    assert maker.get(f"/settlement/payments/{payment.id}/notice").status_code == 200
    assert (
        as_user(make_user(kind="manufacturer"))
        .get(f"/settlement/payments/{payment.id}")
        .status_code
        == 404
    )
    assert as_user(world["hospital"]).get(f"/settlement/payments/{payment.id}").status_code == 403


def test_the_fund_home_lists_what_is_due_and_a_run_with_nothing_due_records_nothing(
    world, as_user, db_session, clock
):
    fund = as_user(world["fund"])
    response = fund.get("/", follow_redirects=True)
    assert response.request.path == "/fund"
    home = response.get_data(as_text=True)
    assert 'data-testid="overdue-count">1<' in home
    assert 'data-testid="overdue-amount">¥28.00<' in home
    assert f'href="/settlement/payables/{world["unpaid"]}"' in home
    assert 'data-testid="todo-start-run"' in home
    assert "1 accepted delivery lines are waiting to be paid: ¥28.00." in home  # receipt B
    assert "data-confirm=" in home
    today = (clock.now() + timedelta(hours=8)).date().isoformat()  # Beijing date of 09:00 UTC
    fund.post("/fund/runs", data={"cut_off": today, "form_key": "first"})
    runs = db_session.scalar(select(func.count()).select_from(SettlementRun))
    assert db_session.scalar(select(func.count()).where(Payable.paid_at.is_(None))) == 0
    again = fund.post(
        "/fund/runs", data={"cut_off": today, "form_key": "second"}, follow_redirects=True
    )
    assert "Nothing is due up to" in again.get_data(as_text=True)
    assert "No run was recorded." in again.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(SettlementRun)) == runs
    calm = fund.get("/fund").get_data(as_text=True)
    assert 'data-testid="todo-start-run"' not in calm
    assert "Nothing is overdue." in calm


def test_the_regulators_tenders_and_the_manufacturers_products_are_paged_lists(
    world, as_user, regulator
):
    office = as_user(regulator)
    tenders = office.get("/regulator/tenders").get_data(as_text=True)
    assert 'data-total="1"' in tenders
    assert world["contract"].tender.code in tenders
    assert 'data-total="0"' in office.get("/regulator/tenders?status=draft").get_data(as_text=True)
    maker = as_user(world["manufacturer"])
    products = maker.get("/manufacturer/products").get_data(as_text=True)
    assert 'data-total="1"' in products
    none = maker.get("/manufacturer/products?q=no-such-drug").get_data(as_text=True)
    assert 'data-total="0"' in none


def test_a_statement_names_its_figures_and_pages_its_lines(world, as_user):
    fund = as_user(world["fund"])
    maker = world["manufacturer"].organization
    page = fund.get(
        f"/fund/statements?party_id={maker.id}&from=2026-01-01&to=2026-02-14&lang=zh"
    ).get_data(as_text=True)
    assert "<dt>期末未结</dt><dd>¥28.00</dd>" in page  # receipt B, unpaid at the end
    assert "outstanding" not in page
    assert 'data-testid="pager" data-total="2"' in page  # the payment and the overdue line


def test_the_regulator_pages_through_a_tenders_demand_reports(
    app, make_tender, make_user, regulator, as_user
):
    hospitals = [make_user(kind="hospital") for _ in range(3)]
    tender = make_tender(
        "demand_open",
        demand=[(h, {"L01": 100 * (n + 1), "L02": 5}) for n, h in enumerate(hospitals)],
    )
    office = as_user(regulator)
    page = office.get(f"/regulator/tenders/{tender.id}/demand").get_data(as_text=True)
    assert 'data-testid="pager" data-total="6"' in page
    one = office.get(
        f"/regulator/tenders/{tender.id}/demand?hospital={hospitals[1].organization.code}"
    ).get_data(as_text=True)
    assert 'data-total="2"' in one
    biggest = office.get(f"/regulator/tenders/{tender.id}/demand?sort=-quantity").get_data(
        as_text=True
    )
    assert re.search(
        r'data-report="\d+"><td>L01[^<]*</td><td>[^<]*</td><td class="num">300 ', biggest
    )
