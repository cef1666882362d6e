"""Cost disclosure (RULES.md 10) on the small award tender of tests/fixtures/award.py.

Hand-computed: L01 anchor = the lowest valid comparable price, A's 0.2000 (national-2024
"lowest"). Winners A 0.2000, B 0.2200, C 0.2500; D 0.2900 loses (shortlist of 3 for N = 4).
- cost_disclosure_ratio 1.1: threshold 1.1 x 0.2000 = 0.2200: A (below) files a breakdown,
  B (exactly at it) does not; ratio 1: threshold 0.2000 = A's own price, so nobody files.
- Opening: 2026-01-12 09:00 UTC = 17:00 in Shanghai; 5 days later is 2026-01-17, which ends at
  2026-01-18 00:00 Shanghai = 2026-01-17 16:00 UTC (the deadline instant).
- A void: winners B and C, N = 2 -> volume ratio 60%. Agreed: H1 600, H2 1200, H3 900
  (Shanghai 2700), H4 600, H5 300 (Jiangsu 900), total 3600. Only B serves Shanghai (C serves
  Jiangsu only): B -> Shanghai 2700 (capacity 3000), C -> Jiangsu 900; 2700 + 900 > 3000 so B
  cannot take both.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.auth.services import actor_of
from procurement.award import services
from procurement.award.errors import CostBreakdownDue, CostDisclosureRunOutdated
from procurement.bidding import services as bidding
from procurement.bidding.errors import (
    CostBreakdownNotValid,
    CostBreakdownTooLate,
    CostCommitmentMissing,
)
from procurement.bidding.models import Bid, CostDisclosure
from procurement.contracts import services as contracts
from tests.fixtures.bidding import bid_data

DEADLINE = datetime(2026, 1, 17, 16, 0, tzinfo=UTC)
RULES = {"cost_disclosure": True, "cost_disclosure_ratio": "1.1"}
A_COSTS = {  # 0.1500 + 0.0300 + 0.0200 = 0.2000, A's unit price
    "manufacturing_cost": Decimal("0.1500"),
    "period_expenses": Decimal("0.0300"),
    "profit": Decimal("0.0200"),
    "note": "API from our own plant",
}


@pytest.fixture
def costs_setup(award_setup, db_session):
    def make(**rules):
        setup = award_setup(rules_overrides=RULES | rules)
        setup.extra["session"] = db_session
        # Read everything back as stored (as a request would): a refusal below rolls back, and
        # the run's inputs digest must not depend on Python-side values such as Decimal("5").
        db_session.expire_all()
        return setup

    return make


def _run(setup, clock):
    return services.start_award_run(
        setup.extra["session"], tender_id=setup.tender.id, now=clock.now(), actor=setup.actor
    )


def _file(setup, clock, letter="A", **figures):
    return bidding.file_cost_breakdown(
        setup.extra["session"],
        bid_id=setup.bids[letter].id,
        data=A_COSTS | figures,
        now=clock.now(),
        actor=actor_of(setup.bidders[letter]),
    )


def _outcomes(run):
    return {o.bid_id: o for o in run.lots[0].outcomes}


@pytest.mark.parametrize("commitment", [None, False])
def test_a_bid_without_the_cost_commitment_is_refused_and_nothing_is_stored(
    make_tender, bidder, db_session, clock, sealer, commitment
):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    data = bid_data(product, cost_commitment=commitment)
    if commitment is None:
        del data["cost_commitment"]
    with pytest.raises(CostCommitmentMissing) as info:
        bidding.submit_bid(
            db_session,
            lot_id=tender.lots[0].id,
            data=data,
            now=clock.now(),
            actor=actor_of(user),
            sealer=sealer,
        )
    assert info.value.code == "cost-commitment-missing"
    assert "cost_commitment" in info.value.extra["errors"]
    assert db_session.scalar(select(func.count()).select_from(Bid)) == 0


def test_a_bid_with_the_commitment_stores_it(make_tender, bidder, make_bid):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    assert make_bid(user, tender.lots[0], product).bid.cost_commitment is True


def test_a_bid_below_the_threshold_needs_a_breakdown_and_one_exactly_at_it_does_not(
    costs_setup, clock, db_session
):
    setup = costs_setup()
    run = _run(setup, clock)
    rows = db_session.scalars(select(CostDisclosure)).all()
    assert [(d.bid_id, d.threshold, d.comparable_price) for d in rows] == [
        (setup.bids["A"].id, Decimal("0.2200"), Decimal("0.2000"))
    ]
    assert rows[0].due_at.astimezone(UTC) == DEADLINE
    a = _outcomes(run)[setup.bids["A"].id]
    assert a.outcome == "won"
    assert a.reason.endswith("; cost breakdown due by 2026-01-17")
    assert run.lots[0].winner_count == 3


def test_at_exactly_the_anchor_nobody_files_a_breakdown(costs_setup, clock, db_session):
    setup = costs_setup(cost_disclosure_ratio="1")
    _run(setup, clock)
    assert db_session.scalar(select(func.count()).select_from(CostDisclosure)) == 0


def test_without_cost_disclosure_in_the_rules_nothing_is_asked(award_setup, clock, db_session):
    setup = award_setup()
    setup.extra["session"] = db_session
    run = _run(setup, clock)
    assert db_session.scalar(select(func.count()).select_from(CostDisclosure)) == 0
    assert "cost breakdown" not in _outcomes(run)[setup.bids["A"].id].reason


def test_a_breakdown_filed_in_time_keeps_the_win_after_the_deadline(costs_setup, clock):
    setup = costs_setup()
    _run(setup, clock)
    clock.set(DEADLINE - timedelta(seconds=1))
    filed = _file(setup, clock)
    assert (filed.manufacturing_cost, filed.period_expenses, filed.profit) == (
        Decimal("0.1500"),
        Decimal("0.0300"),
        Decimal("0.0200"),
    )
    clock.set(DEADLINE + timedelta(days=1))
    run = _run(setup, clock)
    a = _outcomes(run)[setup.bids["A"].id]
    assert (a.outcome, a.reason.endswith("; cost breakdown filed")) == ("won", True)
    lot = run.lots[0]
    assert (lot.winner_count, lot.volume_ratio, lot.total_agreed) == (3, Decimal("0.7000"), 4200)


def test_a_breakdown_missing_at_the_deadline_voids_the_win_and_the_others_share_the_lot(
    costs_setup, clock, db_session
):
    setup = costs_setup()
    _run(setup, clock)
    clock.set(DEADLINE)
    run = _run(setup, clock)
    lot, b, h = run.lots[0], setup.bids, setup.hospitals
    a = _outcomes(run)[b["A"].id]
    assert a.outcome == "invalid"
    assert a.reason == (
        "win void: no cost breakdown filed by 2026-01-17 (comparable price 0.2000 below 0.2200, "
        "the cost disclosure threshold)"
    )
    assert a.allocated == 0
    assert {o.bid_id for o in lot.winners} == {b["B"].id, b["C"].id}
    assert (lot.winner_count, lot.volume_ratio, lot.total_agreed) == (2, Decimal("0.6000"), 3600)
    assert "1 win(s) void for want of a cost breakdown" in lot.selection_reason
    by_hospital = {(a.hospital_id, a.bid_id): a.quantity for a in lot.allocations}
    assert by_hospital == {
        (h["H1"].organization_id, b["B"].id): 600,
        (h["H2"].organization_id, b["B"].id): 1200,
        (h["H3"].organization_id, b["B"].id): 900,
        (h["H4"].organization_id, b["C"].id): 600,
        (h["H5"].organization_id, b["C"].id): 300,
    }
    disclosure = db_session.scalar(select(CostDisclosure))
    assert (disclosure.win_void, disclosure.filed) == (True, False)


def test_with_the_switch_off_a_missing_breakdown_keeps_the_win(costs_setup, clock):
    setup = costs_setup(cost_disclosure_required=False)
    clock.set(DEADLINE + timedelta(days=3))
    run = _run(setup, clock)
    a = _outcomes(run)[setup.bids["A"].id]
    assert a.outcome == "won"
    assert a.reason.endswith("; no cost breakdown filed by 2026-01-17 (the rules keep the win)")
    assert (run.lots[0].winner_count, run.lots[0].volume_ratio) == (3, Decimal("0.7000"))


def test_filing_at_the_deadline_is_refused_and_changes_nothing(costs_setup, clock, db_session):
    setup = costs_setup()
    _run(setup, clock)
    clock.set(DEADLINE)
    with pytest.raises(CostBreakdownTooLate) as info:
        _file(setup, clock)
    assert info.value.code == "cost-breakdown-too-late"
    db_session.rollback()
    assert db_session.scalar(select(CostDisclosure)).filed_at is None


@pytest.mark.parametrize(
    ("figures", "field", "says"),
    [
        ({"profit": Decimal("0.0300")}, "profit", "sum to 0.2100, not to the bid's unit price"),
        ({"profit": Decimal("-0.0100")}, "profit", "must not be negative"),
        ({"period_expenses": Decimal("0.03001")}, "period_expenses", "4 decimal places"),
        ({"manufacturing_cost": None}, "manufacturing_cost", "required"),
    ],
)
def test_a_breakdown_that_does_not_hold_together_is_refused_beside_its_field(
    costs_setup, clock, db_session, figures, field, says
):
    setup = costs_setup()
    _run(setup, clock)
    with pytest.raises(CostBreakdownNotValid) as info:
        _file(setup, clock, **figures)
    assert says in info.value.extra["errors"][field][0]
    db_session.rollback()
    assert db_session.scalar(select(CostDisclosure)).filed_at is None


def test_confirming_waits_while_a_breakdown_is_due_then_goes_through_once_filed(
    costs_setup, clock, db_session
):
    setup = costs_setup()
    run = _run(setup, clock)
    with pytest.raises(CostBreakdownDue) as info:
        contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=setup.actor)
    assert (info.value.code, info.value.extra["bids"]) == (
        "cost-breakdown-due",
        [setup.bids["A"].id],
    )
    db_session.rollback()
    assert run.confirmed_at is None
    _file(setup, clock)
    confirmed = contracts.confirm_award_run(
        db_session, run_id=run.id, now=clock.now(), actor=setup.actor
    )
    assert confirmed.run.confirmed


def test_a_run_from_before_the_deadline_cannot_be_confirmed_after_it(
    costs_setup, clock, db_session
):
    setup = costs_setup()
    early = _run(setup, clock)
    clock.set(DEADLINE)
    with pytest.raises(CostDisclosureRunOutdated):
        contracts.confirm_award_run(db_session, run_id=early.id, now=clock.now(), actor=setup.actor)
    db_session.rollback()
    late = _run(setup, clock)
    confirmed = contracts.confirm_award_run(
        db_session, run_id=late.id, now=clock.now(), actor=setup.actor
    )
    assert confirmed.run.lots[0].winner_count == 2


def test_public_results_publish_filed_breakdowns_and_void_wins(costs_setup, clock, db_session):
    setup = costs_setup(cost_disclosure_ratio="1.2")  # threshold 0.2400: A and B file
    _run(setup, clock)
    _file(setup, clock)
    clock.set(DEADLINE)
    run = _run(setup, clock)
    contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=setup.actor)
    lot = services.public_results(db_session, tender_id=setup.tender.id).lots[0]
    shown = {
        (c.manufacturer, c.status, c.unit_price, c.manufacturing_cost, c.profit)
        for c in lot.cost_breakdowns
    }
    a, b = (setup.bids[k].manufacturer.name for k in "AB")
    # B's void win is named without its price: results never show a price that did not win.
    assert shown == {
        (a, "filed", Decimal("0.2000"), Decimal("0.1500"), Decimal("0.0200")),
        (b, "void", None, None, None),
    }
    assert [w.manufacturer for w in lot.winners] == [
        setup.bids["A"].manufacturer.name,
        setup.bids["C"].manufacturer.name,
    ]
