"""The award flow on a small hand-built tender (see tests/fixtures/award.py for the numbers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from procurement.auth.services import actor_of
from procurement.award import services
from procurement.award.models import LotStatus, RunStatus
from procurement.catalog.lifecycle import TenderStatus
from procurement.contracts import services as contracts
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.errors import Conflict


def _run(setup, clock, **options):
    return services.start_award_run(
        setup.extra.get("session") or pytest.fail("no session"),
        tender_id=setup.tender.id,
        options=services.RunOptions(**options),
        now=clock.now(),
        actor=setup.actor,
    )


@pytest.fixture
def setup(award_setup, db_session):
    s = award_setup()
    s.extra["session"] = db_session
    return s


def test_award_run_selects_three_winners_and_fails_the_lot_without_bids(setup, clock):
    run = _run(setup, clock)
    assert run.status == RunStatus.SUCCEEDED
    l01, l02 = run.lots
    assert (l01.lot_code, l01.status, l02.lot_code, l02.status) == (
        "L01",
        LotStatus.OK,
        "L02",
        LotStatus.FAILED,
    )
    outcomes = {o.bid_id: o.outcome for o in l01.outcomes}
    bids = setup.bids
    assert outcomes == {
        bids["A"].id: "won",
        bids["B"].id: "won",
        bids["C"].id: "won",
        bids["D"].id: "lost",
    }
    assert l01.volume_ratio == Decimal("0.7000")
    assert l01.contract_years == 2
    assert l01.total_demand == 6000
    assert l01.total_agreed == 4200


def test_award_run_allocates_by_region_at_the_hand_computed_optimum(setup, clock):
    run = _run(setup, clock)
    l01 = run.lots[0]
    by_hospital = {(a.hospital_id, a.bid_id): a.quantity for a in l01.allocations}
    h, b = setup.hospitals, setup.bids
    assert by_hospital == {
        (h["H1"].organization_id, b["A"].id): 700,
        (h["H2"].organization_id, b["A"].id): 1400,
        (h["H3"].organization_id, b["A"].id): 1050,
        (h["H4"].organization_id, b["B"].id): 700,
        (h["H5"].organization_id, b["B"].id): 350,
    }
    assert l01.objective == Decimal("861.00")
    assert run.objective == Decimal("861.00")
    assert l01.backups == {"320000": b["C"].id}


def test_two_runs_on_the_same_inputs_have_the_same_digest_and_allocation(setup, clock):
    first = _run(setup, clock)
    second = _run(setup, clock)
    assert (first.number, second.number) == (1, 2)
    assert first.inputs_digest == second.inputs_digest
    comparison = services.compare_award_runs(
        setup.extra["session"], run_id=first.id, other_id=second.id, actor=setup.actor
    )
    assert comparison.same_inputs
    assert all(not lot.allocation_differences for lot in comparison.lots)
    assert comparison.lots[0].objective_difference == Decimal("0.00")


def test_a_different_granularity_changes_the_digest_and_the_comparison_shows_it(setup, clock):
    first = _run(setup, clock)
    split = _run(setup, clock, granularity="split")
    assert first.inputs_digest != split.inputs_digest
    comparison = services.compare_award_runs(
        setup.extra["session"], run_id=first.id, other_id=split.id, actor=setup.actor
    )
    # Split: A fills its 3500 (Shanghai 3150 + 350 in Jiangsu), B takes the other 700.
    # 3500 x 0.2 + 700 x 0.22 = 700 + 154 = 854.00, 7.00 cheaper than region sourcing.
    assert split.objective == Decimal("854.00")
    assert comparison.lots[0].objective_difference == Decimal("-7.00")
    assert comparison.lots[0].allocation_differences


def test_confirming_writes_a_contract_per_hospital_winner_and_year_and_awards(setup, clock):
    session = setup.extra["session"]
    run = _run(setup, clock)
    contracts.confirm_award_run(session, run_id=run.id, now=clock.now(), actor=setup.actor)
    rows = session.scalars(select(Contract).where(Contract.tender_id == setup.tender.id)).all()
    assert len(rows) == 10  # 5 hospitals x 1 supplier x 2 years; L02 failed: none
    assert {r.lot.code for r in rows} == {"L01"}
    h4 = next(
        r
        for r in rows
        if r.hospital_id == setup.hospitals["H4"].organization_id and r.contract_year == 2
    )
    start = setup.tender.contract_start
    assert h4.manufacturer_id == setup.bidders["B"].organization_id
    assert (h4.unit_price, h4.agreed_volume, h4.region_code) == (Decimal("0.2200"), 700, "320000")
    assert h4.period_start == date(start.year + 1, start.month, start.day)
    assert h4.status == ContractStatus.DRAFT
    assert "moved by capacity" in h4.reason
    assert setup.tender.status == TenderStatus.AWARDED


def test_confirming_twice_is_a_conflict_that_changes_nothing(setup, clock):
    session = setup.extra["session"]
    run = _run(setup, clock)
    contracts.confirm_award_run(session, run_id=run.id, now=clock.now(), actor=setup.actor)
    with pytest.raises(Conflict, match="already confirmed") as info:
        contracts.confirm_award_run(session, run_id=run.id, now=clock.now(), actor=setup.actor)
    assert info.value.code == "award-run-already-confirmed"
    count = len(session.scalars(select(Contract)).all())
    assert count == 10


def test_no_new_run_after_confirmation(setup, clock):
    session = setup.extra["session"]
    run = _run(setup, clock)
    contracts.confirm_award_run(session, run_id=run.id, now=clock.now(), actor=setup.actor)
    with pytest.raises(Conflict, match="already 'awarded'"):
        _run(setup, clock)


def test_put_in_force_activates_the_contracts(setup, clock):
    session = setup.extra["session"]
    run = _run(setup, clock)
    contracts.confirm_award_run(session, run_id=run.id, now=clock.now(), actor=setup.actor)
    active = contracts.put_in_force(
        session, tender_id=setup.tender.id, now=clock.now(), actor=setup.actor
    )
    assert len(active) == 10
    assert {c.status for c in active} == {ContractStatus.ACTIVE}
    assert setup.tender.status == TenderStatus.IN_FORCE


def test_explanation_names_the_binding_constraint_and_the_winners_prices(setup, clock):
    session = setup.extra["session"]
    run = _run(setup, clock)
    contracts.confirm_award_run(session, run_id=run.id, now=clock.now(), actor=setup.actor)
    hospital = setup.hospitals["H5"]
    mine = contracts.list_contracts(session, actor=actor_of(hospital), year=1)
    assert len(mine) == 1
    why = contracts.contract_explanation(session, contract_id=mine[0].id, actor=actor_of(hospital))
    assert why.binding_constraint == "capacity"
    assert "350 tablet left" in why.reason
    prices = [(a.unit_price, a.chosen) for a in why.alternatives]
    assert prices == [
        (Decimal("0.2000"), False),
        (Decimal("0.2200"), True),
        (Decimal("0.2500"), False),
    ]
    assert Decimal("0.2900") not in [a.unit_price for a in why.alternatives]
