"""Award and contract pages: the regulator runs and confirms, the public sees results without a
losing price, the hospital sees why it got its supplier."""

from __future__ import annotations

import re


def test_regulator_runs_and_confirms_on_the_award_page(client, award_setup, login):
    setup = award_setup()
    login(setup.regulator)
    page = client.get(f"/regulator/award/tenders/{setup.tender.id}")
    assert page.status_code == 200
    assert "start-run" in page.get_data(as_text=True)
    started = client.post(
        f"/regulator/award/tenders/{setup.tender.id}/runs",
        data={"granularity": "region", "fallback": "none"},
        follow_redirects=True,
    )
    html = started.get_data(as_text=True)
    assert 'data-testid="lot-status-L02"' in html
    assert "流标" in html
    run_id = re.search(r"/regulator/award/runs/(\d+)/confirm", html).group(1)
    confirmed = client.post(f"/regulator/award/runs/{run_id}/confirm", follow_redirects=True)
    assert "the tender is awarded" in confirmed.get_data(as_text=True)
    assert 'data-testid="in-force"' in confirmed.get_data(as_text=True)


def test_public_results_page_needs_no_login_and_hides_losing_prices(
    client, award_setup, clock, db_session
):
    from procurement.award import services
    from procurement.contracts import services as contracts

    setup = award_setup()
    session = db_session
    run = services.start_award_run(
        session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor
    )
    contracts.confirm_award_run(session, run_id=run.id, now=clock.now(), actor=setup.actor)
    index = client.get("/public/results")
    assert setup.tender.code in index.get_data(as_text=True)
    page = client.get(f"/public/results/{setup.tender.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "0.2200" in html
    assert '<td class="num">6.16</td>' in html  # the pack price as bid
    assert "0.2900" not in html
    assert "8.1200" not in html


def test_hospital_contract_page_explains_the_supplier(
    client, award_setup, clock, login, db_session
):
    from procurement.award import services
    from procurement.contracts import services as contracts

    setup = award_setup()
    session = db_session
    run = services.start_award_run(
        session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor
    )
    contracts.confirm_award_run(session, run_id=run.id, now=clock.now(), actor=setup.actor)
    login(setup.hospitals["H4"])
    listing = client.get("/hospital/contracts").get_data(as_text=True)
    contract_id = re.search(r'href="/contracts/(\d+)"', listing).group(1)
    html = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert "a cheaper winner had no capacity left" in html
    assert "0.2000" in html
    assert "0.2500" in html


def test_public_results_show_each_winners_volume_and_why_it_is_less(
    client, award_setup, clock, db_session
):
    """Region sourcing, agreed volume 70% of demand: 310000 = (1,000 + 2,000 + 1,500) x 0.7 =
    3,150 and 320000 = (1,000 + 500) x 0.7 = 1,050. A (cheapest, capacity 3,500) cannot take
    both regions whole (4,200), so it takes 310000 and dearer B gets 320000."""
    from procurement.award import services
    from procurement.contracts import services as contracts

    setup = award_setup()
    run = services.start_award_run(
        db_session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor
    )
    contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=setup.actor)
    client.set_cookie("lang", "en")
    html = client.get(f"/public/results/{setup.tender.id}").get_data(as_text=True)
    lot = html[html.index('data-testid="public-lot-L01"') :]
    volumes = re.findall(r'data-testid="volume">([\d,]+) ', lot)
    assert volumes[:2] == ["3,150", "1,050"]
    assert lot.count('data-limit="granularity"') == 1
    assert re.search(r"each region is supplied whole by one winner: 1,050 \w+ did not fit", lot)
    assert "¥0.2000" in lot  # the unit price as bid, 4 places
    zh = client.get(f"/public/results/{setup.tender.id}?lang=zh").get_data(as_text=True)
    assert "每个地区" in zh
