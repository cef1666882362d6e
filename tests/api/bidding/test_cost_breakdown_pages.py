"""The manufacturer's cost breakdown pages in Chinese (to-do home, the form with errors beside
the fields, the bid form's commitment) and the public results' breakdowns (page and API).
Numbers: tests/service/award/test_cost_disclosure.py (A bids 0.2000, threshold 0.2200)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from procurement.auth.services import actor_of
from procurement.award import services as award
from procurement.bidding import services as bidding
from procurement.contracts import services as contracts

FORM = {"manufacturing_cost": "0.1500", "period_expenses": "0.0300", "profit": "0.0200"}


@pytest.fixture
def setup(award_setup, db_session, clock):
    setup = award_setup(rules_overrides={"cost_disclosure": True, "cost_disclosure_ratio": "1.1"})
    db_session.expire_all()
    award.start_award_run(db_session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor)
    return setup


def _chinese(client):
    client.set_cookie("lang", "zh")
    return client


def test_the_to_do_home_lists_the_breakdown_due_with_its_date(setup, login):
    client = _chinese(login(setup.bidders["A"]))
    page = client.get("/manufacturer/bidding").get_data(as_text=True)
    assert "待提交的成本构成" in page
    url = f"/manufacturer/bidding/bids/{setup.bids['A'].id}/cost-breakdown"
    assert url in page
    assert "须于 2026年1月17日 前提交" in page


def test_a_bidder_with_nothing_due_sees_no_such_section(setup, login):
    page = _chinese(login(setup.bidders["B"])).get("/manufacturer/bidding").get_data(as_text=True)
    assert "待提交的成本构成" not in page


def test_figures_that_do_not_sum_are_shown_beside_the_profit_in_chinese(setup, login):
    client = _chinese(login(setup.bidders["A"]))
    url = f"/manufacturer/bidding/bids/{setup.bids['A'].id}/cost-breakdown"
    response = client.post(url, data=FORM | {"profit": "0.0300"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'id="in-profit-error">([^<]*)<', page)
    assert error is not None
    assert error.group(1) == "三项合计为 0.2100，不等于投标单位价格 0.2000"
    assert 'value="0.0300"' in page


def test_filing_through_the_page_stores_the_breakdown(setup, login, db_session):
    client = _chinese(login(setup.bidders["A"]))
    url = f"/manufacturer/bidding/bids/{setup.bids['A'].id}/cost-breakdown"
    response = client.post(url, data=FORM | {"note": "自产原料药"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "成本构成已提交。" in page
    assert 'value="0.1500"' in page
    filed = bidding.get_cost_breakdown(
        db_session, bid_id=setup.bids["A"].id, actor=actor_of(setup.bidders["A"])
    )
    assert (str(filed.profit), filed.note) == ("0.0200", "自产原料药")


def test_another_manufacturer_gets_a_404_page(setup, login):
    client = _chinese(login(setup.bidders["B"]))
    url = f"/manufacturer/bidding/bids/{setup.bids['A'].id}/cost-breakdown"
    assert client.get(url).status_code == 404


def test_the_bid_form_refuses_a_bid_without_the_commitment_beside_the_checkbox(
    make_tender, bidder, login
):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    client = _chinese(login(user))
    form = {"product_id": str(product.id), "price_per_pack": "5.60", "capacity": "100000"}
    url = f"/manufacturer/bidding/lots/{tender.lots[0].id}/bid"
    response = client.post(url, data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        '<span class="field-error" id="in-cost_commitment-error">请确认不低于成本报价</span>'
        in page
    )
    assert "我方承诺本次报价不低于生产成本" in page
    assert client.post(url, data=form | {"cost_commitment": "on"}).status_code == 302


def test_public_results_show_the_breakdown_on_the_page_and_in_the_api(
    setup, client, db_session, clock
):
    bidding.file_cost_breakdown(
        db_session,
        bid_id=setup.bids["A"].id,
        data={k: Decimal(v) for k, v in FORM.items()},
        now=clock.now(),
        actor=actor_of(setup.bidders["A"]),
    )
    run = award.start_award_run(
        db_session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor
    )
    contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=setup.actor)
    api = client.get(f"/api/v1/tenders/{setup.tender.id}/results").get_json()
    assert api["lots"][0]["cost_breakdowns"] == [
        {
            "manufacturer": setup.bids["A"].manufacturer.name,
            "status": "filed",
            "unit_price": "0.2000",
            "manufacturing_cost": "0.1500",
            "period_expenses": "0.0300",
            "profit": "0.0200",
            "note": None,
        }
    ]
    page = _chinese(client).get(f"/public/results/{setup.tender.id}").get_data(as_text=True)
    assert "单位成本构成" in page
    assert "¥0.1500" in page
