"""Allocation by the ranking's price (allocation.cost_basis) and brand reports fixed in the
allocation (RULES.md 10), on the small tender of tests/fixtures/award.py, through the real
award service and database. Every number is worked out by hand in the comments.

Agreed volumes (ratio 70%): Shanghai H1 700, H2 1400, H3 1050 (3150); Jiangsu H4 700, H5 350
(1050); total 4200. C serves Jiangsu only; D ranks 4th and loses.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from procurement.award import services
from procurement.award.models import LotStatus
from procurement.catalog.models import DemandBrandLine, DemandReport

NO_BRAND = {"brand": 0, "brand_cut": 0}


def _run(setup, session, clock, **options):
    run = services.start_award_run(
        session,
        tender_id=setup.tender.id,
        options=services.RunOptions(**options),
        now=clock.now(),
        actor=setup.actor,
    )
    lot = run.lots[0]
    assert lot.lot_code == "L01"
    assert lot.status == LotStatus.OK
    return run, lot


def _by_letter(setup, lot):
    ids = {b.id: letter for letter, b in setup.bids.items()}
    return {ids[o.bid_id]: o for o in lot.outcomes}


def _cost_basis(setup, session, basis: str) -> None:
    snapshot = dict(setup.tender.rules_snapshot)
    snapshot["allocation"] = {**snapshot["allocation"], "cost_basis": basis}
    setup.tender.rules_snapshot = snapshot
    session.flush()


@pytest.fixture
def l01(award_setup, db_session):
    """The L01 case: A quotes a 10 mg tablet (double the 5 mg reference) at 9.5200 per pack of
    28 = 0.3400 per tablet, comparable 0.3400 / 1.7 = 0.2000: rank 1 by the ranking, yet the
    dearest own unit price (B 0.2200, C 0.2500). B's capacity 5,000 could hold the whole lot."""
    return award_setup(
        capacities={"B": 5000},
        products={"A": {"strength": Decimal("10")}},
        prices={"A": "9.5200"},
    )


def test_rank_one_by_comparable_price_is_served_first_until_its_capacity(l01, db_session, clock):
    run, lot = _run(l01, db_session, clock, granularity="split")
    assert run.options["cost_basis"] == "comparable"
    o = _by_letter(l01, lot)
    assert (o["A"].rank, o["A"].comparable_price, o["A"].award_unit_price) == (
        1,
        Decimal("0.2000"),
        Decimal("0.3400"),
    )
    # A (0.2000) takes its whole capacity 3,500; B (0.2200) the other 700; C (0.2500) none.
    assert (o["A"].allocated, o["B"].allocated, o["C"].allocated) == (3500, 700, 0)
    # spend at own prices: 3,500 x 0.34 = 1,190.00 + 700 x 0.22 = 154.00
    assert lot.objective == Decimal("1344.00")
    assert {a.unit_price for a in lot.allocations if a.bid_id == l01.bids["A"].id} == {
        Decimal("0.3400")
    }
    assert (
        o["A"].volume_limit
        == {
            "limit": "capacity",
            "capacity": 3500,
            "received": 3500,
            "to_dearer": 700,
        }
        | NO_BRAND
    )
    assert o["B"].volume_limit == {"limit": "none", "received": 700} | NO_BRAND


def test_rank_one_gets_a_whole_region_before_rank_two(l01, db_session, clock):
    _, lot = _run(l01, db_session, clock, granularity="region")
    o = _by_letter(l01, lot)
    # Shanghai 3,150 fits A's 3,500; Jiangsu 1,050 then does not (350 left): B takes it.
    assert (o["A"].allocated, o["B"].allocated, o["C"].allocated) == (3150, 1050, 0)
    assert lot.objective == Decimal("1302.00")  # 3,150 x 0.34 + 1,050 x 0.22 = 1,071 + 231
    assert (
        o["A"].volume_limit
        == {
            "limit": "granularity",
            "granularity": "region",
            "received": 3150,
            "to_dearer": 1050,
        }
        | NO_BRAND
    )


def test_own_cost_basis_keeps_the_old_answer(l01, db_session, clock):
    _cost_basis(l01, db_session, "own")
    run, lot = _run(l01, db_session, clock, granularity="split")
    assert run.options["cost_basis"] == "own"
    o = _by_letter(l01, lot)
    # by own unit price A (0.34) is dearest: B (0.22, capacity 5,000) takes all 4,200
    assert (o["A"].allocated, o["B"].allocated, o["C"].allocated) == (0, 4200, 0)
    assert lot.objective == Decimal("924.00")  # 4,200 x 0.22
    assert o["A"].volume_limit == {"limit": "none", "received": 0} | NO_BRAND


def test_the_cost_basis_is_part_of_the_inputs_digest(l01, db_session, clock):
    first, _ = _run(l01, db_session, clock, granularity="split")
    _cost_basis(l01, db_session, "own")
    second, _ = _run(l01, db_session, clock, granularity="split")
    assert first.inputs_digest != second.inputs_digest


def _brand(session, setup, hospital: str, letter: str, quantity: int) -> None:
    """Hospital ``hospital`` names ``quantity`` of bidder ``letter``'s product in its L01 report."""
    org = setup.hospitals[hospital].organization_id
    report = session.scalar(
        select(DemandReport).where(
            DemandReport.lot_id == setup.lot("L01").id, DemandReport.hospital_id == org
        )
    )
    session.add(
        DemandBrandLine(
            report_id=report.id,
            lot_id=report.lot_id,
            hospital_id=org,
            product_id=setup.bids[letter].product_id,
            quantity=quantity,
        )
    )
    session.flush()


def test_brand_report_met_in_full_and_a_lost_brand_goes_to_the_optimizer(
    award_setup, db_session, clock
):
    setup = award_setup()
    _brand(db_session, setup, "H4", "C", 400)  # of H4's 1,000: 400 x 700 / 1,000 = 280 fixed
    _brand(db_session, setup, "H1", "D", 500)  # D lost: 500 x 700 / 1,000 = 350 by name
    run, lot = _run(setup, db_session, clock)  # region sourcing
    o = _by_letter(setup, lot)
    hospital = {h: u.organization_id for h, u in setup.hospitals.items()}
    lines = {(a.hospital_id, a.bid_id): a for a in lot.allocations}
    c_h4 = lines[(hospital["H4"], setup.bids["C"].id)]
    assert (c_h4.quantity, c_h4.brand_quantity, c_h4.amount) == (280, 280, Decimal("70.00"))
    # open: Shanghai 3,150 -> A (0.20, capacity 3,500); Jiangsu 420 + 350 = 770 -> B (0.22)
    assert (o["A"].allocated, o["B"].allocated, o["C"].allocated) == (3150, 770, 280)
    assert lines[(hospital["H1"], setup.bids["A"].id)].quantity == 700  # D's part by name
    assert lot.objective == Decimal("869.40")  # 630.00 + 169.40 + 70.00
    assert lot.brand_report == {
        "requests": 2,
        "met_full": 1,
        "met_part": 0,
        "not_met": 1,
        "requested_volume": 630,
        "met_volume": 280,
        "cuts": [],
    }
    assert o["C"].volume_limit == {"limit": "none", "received": 280, "brand": 280, "brand_cut": 0}
    # B is cheaper than C in Jiangsu, but H4 named C's product for 280
    assert o["B"].volume_limit == {"limit": "brand_reports", "to_dearer": 280, "received": 770} | (
        NO_BRAND
    )
    assert run.options["cost_basis"] == "comparable"


def test_brand_reports_cut_pro_rata_when_the_winner_capacity_is_short(
    award_setup, db_session, clock
):
    setup = award_setup(capacities={"C": 300})
    _brand(db_session, setup, "H4", "C", 400)  # 400 x 700 / 1,000 = 280
    _brand(db_session, setup, "H5", "C", 300)  # 300 x 350 / 500 = 210; C is asked 490 > 300
    _, lot = _run(setup, db_session, clock)
    # pro rata: 280 x 300 / 490 = 171 r 210, 210 x 300 / 490 = 128 r 280; 299 -> the one unit
    # left goes to the larger remainder (H5): H4 171 (cut 109), H5 129 (cut 81)
    hospital = {h: u.organization_id for h, u in setup.hospitals.items()}
    c = setup.bids["C"].id
    lines = {(a.hospital_id, a.bid_id): a for a in lot.allocations}
    assert lines[(hospital["H4"], c)].brand_quantity == 171
    assert lines[(hospital["H5"], c)].brand_quantity == 129
    assert lot.brand_report["cuts"] == [
        {"hospital": hospital["H4"], "bid_id": c, "requested": 280, "fixed": 171},
        {"hospital": hospital["H5"], "bid_id": c, "requested": 210, "fixed": 129},
    ]
    assert (lot.brand_report["met_full"], lot.brand_report["met_part"]) == (0, 2)
    o = _by_letter(setup, lot)
    # open: Shanghai 3,150 -> A; Jiangsu 529 + 221 = 750 -> B; C is full (300 of 300)
    assert (o["A"].allocated, o["B"].allocated, o["C"].allocated) == (3150, 750, 300)
    assert lot.objective == Decimal("870.00")  # 630.00 + 165.00 + 300 x 0.25
    assert o["C"].volume_limit == {"limit": "none", "received": 300, "brand": 300, "brand_cut": 190}
