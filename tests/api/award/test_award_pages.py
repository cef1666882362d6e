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


def test_award_contract_and_public_pages_say_what_each_winner_received_in_chinese(
    client, award_setup, clock, login, db_session
):
    """H4 names C's product for 400 of its 1,000 (280 of its agreed 700, fixed); C's capacity
    200 cuts it to 200 (by 80). Region sourcing then gives Shanghai 3,150 to A and Jiangsu
    (700 - 200) + 350 = 850 to B (see tests/service/award/test_award_cost_basis_and_brands.py)."""
    from sqlalchemy import select

    from procurement.award import services
    from procurement.catalog.models import DemandBrandLine, DemandReport
    from procurement.contracts import services as contracts

    setup = award_setup(capacities={"C": 200})
    h4 = setup.hospitals["H4"].organization_id
    report = db_session.scalar(
        select(DemandReport).where(
            DemandReport.lot_id == setup.lot("L01").id, DemandReport.hospital_id == h4
        )
    )
    db_session.add(
        DemandBrandLine(
            report_id=report.id,
            lot_id=report.lot_id,
            hospital_id=h4,
            product_id=setup.bids["C"].product_id,
            quantity=400,
        )
    )
    db_session.flush()
    run = services.start_award_run(
        db_session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor
    )
    login(setup.regulator)
    award = client.get(f"/regulator/award/tenders/{setup.tender.id}?run={run.id}&lang=zh")
    html = award.get_data(as_text=True)
    brands = html[html.index('data-testid="brands-L01"') :]
    assert "共 1 项报名；全部满足 0 项，部分满足 1 项，未满足（该产品未中选）0 项" in brands
    assert "已满足 200 / 280" in brands
    cuts = brands[brands.index('data-testid="brand-cuts-L01"') :]
    assert re.search(r">280</td><td class=\"num\">200</td><td class=\"num\">80</td>", cuts)
    why_c = html[html.index(f'data-testid="why-{setup.bids["C"].id}"') :]
    assert "获得 200" in why_c
    assert "其中 200" in why_c
    assert "削减 80" in why_c
    why_b = html[html.index(f'data-testid="why-{setup.bids["B"].id}"') :]
    assert "受带量报名限制" in why_b[: why_b.index("</td>")]
    contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=setup.actor)
    public = client.get(f"/public/results/{setup.tender.id}?lang=zh").get_data(as_text=True)
    # A: 350 left, Jiangsu's 770 does not fit whole; B: C is dearer but named; C: nothing dearer
    assert public.count('data-limit="granularity"') == 1
    assert public.count('data-limit="brand_reports"') == 1
    assert public.count('data-limit="none"') == 1
    assert "未受任何限制" not in public  # C's capacity cut a brand report: that is said instead
    assert "获得 850" in public
    login(setup.hospitals["H4"])
    listing = client.get("/hospital/contracts?lang=zh").get_data(as_text=True)
    ids = re.findall(r'href="/contracts/(\d+)"', listing)
    pages = [client.get(f"/contracts/{i}?lang=zh").get_data(as_text=True) for i in ids]
    brand_page = next(p for p in pages if "带量报名：医疗机构报名了该产品" in p)
    assert "该中选企业在本品种的全部获得量" in brand_page
    assert "削减 80" in brand_page
