"""An infeasible lot is a result with a diagnosis; a fallback re-run fixes it."""

from __future__ import annotations

import pytest

from procurement.award import services
from procurement.award.models import LotStatus, RunStatus
from procurement.contracts import services as contracts
from procurement.core.errors import Conflict


@pytest.fixture
def short(award_setup):
    # Winners A, B, C hold 1000 each: 3000 for an agreed 4200 -> short by 1200.
    return award_setup(capacities={"A": 1000, "B": 1000, "C": 1000})


def _run(session, setup, clock, **options):
    return services.start_award_run(
        session,
        tender_id=setup.tender.id,
        options=services.RunOptions(**options),
        now=clock.now(),
        actor=setup.actor,
    )


def test_capacity_shortfall_is_diagnosed_with_the_amount(db_session, short, clock):
    run = _run(db_session, short, clock)
    assert run.status == RunStatus.INFEASIBLE
    lot = run.lots[0]
    assert lot.status == LotStatus.INFEASIBLE
    assert "capacity short by 1,200 tablet in lot L01" in lot.diagnosis
    assert lot.diagnosis_items[0]["shortfall"] == 1200
    assert any(s.startswith("reserves") for s in lot.suggestions)
    assert lot.allocations == []


def test_an_infeasible_run_cannot_be_confirmed(db_session, short, clock):
    run = _run(db_session, short, clock)
    with pytest.raises(Conflict, match="L01") as info:
        contracts.confirm_award_run(db_session, run_id=run.id, now=clock.now(), actor=short.actor)
    assert info.value.code == "award-run-not-confirmable"


def test_the_reserves_fallback_brings_in_the_next_ranked_bidder(db_session, short, clock):
    _run(db_session, short, clock)
    fixed = _run(db_session, short, clock, fallback="reserves")
    assert fixed.status == RunStatus.SUCCEEDED
    lot = fixed.lots[0]
    assert lot.fallback_used.startswith("reserves")
    assert "capacity short by 1,200" in lot.diagnosis  # the first attempt's diagnosis is kept
    d = next(o for o in lot.outcomes if o.bid_id == short.bids["D"].id)
    assert d.reserve
    assert d.allocated > 0
    assert sum(a.quantity for a in lot.allocations) == 4200
    result = contracts.confirm_award_run(
        db_session, run_id=fixed.id, now=clock.now(), actor=short.actor
    )
    assert result.contracts > 0
