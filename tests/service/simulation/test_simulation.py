"""What-if rules on the award fixture's tender (tests/fixtures/award.py), with prices chosen so
that the batch-10 and batch-11 anchors pick different winners on L01.

Ceiling 0.3000, reference price 0.9000 per tablet; quotes per tablet (packs of 28):
A 0.0500 (1.40/pack), B 0.1200 (3.36), C 0.2900 (8.12), D 0.3000 (8.40); nobody opts in to
revival. N = 4 declared -> shortlist of 3 (batch-10 and batch-9 tables alike): A, B, C.

- Baseline, the tender's own rules (national-2024, batch 10): anchor = lowest = 0.0500, limit
  1.8 x 0.05 = 0.0900. A wins; B 0.12 > 0.09 and above the 0.10 oral-solid floor: lost; C lost.
  1 winner -> 50%: H1 500, H2 1000, H3 750 (Shanghai 2250), H4 500, H5 250 (Jiangsu 750) =
  3000. A (capacity 3500, both regions) supplies all: spend 3000 x 0.05 = 150.00. Reference
  3000 x 0.90 = 2700.00, savings 2550.00, average price 0.0500.
- national-2025 (batch 11): mean of the shortlist (0.05 + 0.12 + 0.29) / 3 = 0.153333..., half
  = 0.0767 (4 places) > lowest 0.05 -> anchor 0.0767, limit 1.8 x 0.0767 = 0.13806. A and B win.
  2 winners -> 60%: H1 600, H2 1200, H3 900 (Shanghai 2700), H4 600, H5 300 (Jiangsu 900) =
  3600. Region sourcing, each winner a region: A -> Shanghai 2700 x 0.05 = 135.00 and B ->
  Jiangsu 900 x 0.12 = 108.00 = 243.00 (the other way: 45.00 + 324.00 = 369.00). Reference
  3600 x 0.90 = 3240.00, savings 2997.00, average 243 / 3600 = 0.0675: +0.0175 a tablet, +35%.
- national-2021 (batches 4-9): anchor 0.05, limit 0.09, but the cut rule: B's cut 1 - 0.12/0.30
  = 60% >= 50% wins; C's 3.33% does not. Same winners as batch 11: 243.00.
- L02 has no bids: failed (流标) under every variant.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from procurement.audit.models import AuditEvent
from procurement.award.models import AwardRun
from procurement.award.services import load_inputs
from procurement.award.services.inputs import inputs_digest
from procurement.bidding.models import Bid, CostDisclosure
from procurement.catalog.lifecycle import TenderStatus
from procurement.simulation import services
from procurement.simulation.engine import totals
from procurement.simulation.errors import SimulationVariantsNotValid
from procurement.simulation.models import Simulation

PRICES = {"A": "1.4000", "B": "3.3600", "C": "8.1200", "D": "8.4000"}
PRESETS = [{"preset": "national-2025"}, {"preset": "national-2021"}]


@pytest.fixture
def setup(award_setup, db_session):
    s = award_setup(prices=PRICES)
    s.extra["session"] = db_session
    return s


def _simulate(setup, clock, variants=PRESETS):
    return services.simulate_tender(
        setup.extra["session"],
        tender_id=setup.tender.id,
        variants=variants,
        now=clock.now(),
        actor=setup.actor,
    )


def _lot(variant, code="L01"):
    return next(lot for lot in variant.lots if lot.lot_code == code)


def _winners(lot):
    return [(w["bidder"], w["price"], w["quantity"], w["amount"]) for w in lot.winners]


def test_the_batch_11_anchor_adds_a_winner_and_the_hand_computed_spend(setup, clock):
    sim = _simulate(setup, clock)
    baseline, batch11, batch9 = sim.variants
    assert (baseline.baseline, baseline.preset, batch11.name, batch9.name) == (
        True,
        "national-2024",
        "national-2025",
        "national-2021",
    )
    a, b = setup.bidders["A"].organization.name, setup.bidders["B"].organization.name
    base = _lot(baseline)
    assert base.anchor_price == Decimal("0.0500")
    assert _winners(base) == [(a, "0.0500", 3000, "150.00")]
    assert (base.volume_ratio, base.agreed, base.spend) == (Decimal("0.5"), 3000, Decimal("150"))
    assert (base.reference_spend, base.savings) == (Decimal("2700.00"), Decimal("2550.00"))
    new = _lot(batch11)
    assert new.anchor_price == Decimal("0.0767")
    assert _winners(new) == [(a, "0.0500", 2700, "135.00"), (b, "0.1200", 900, "108.00")]
    assert (new.agreed, new.spend, new.reference_spend) == (
        3600,
        Decimal("243.00"),
        Decimal("3240"),
    )
    assert new.savings == Decimal("2997.00")
    old = _lot(batch9)
    assert _winners(old) == _winners(new)
    assert old.anchor_price == Decimal("0.0500")
    assert all(_lot(v, "L02").status == "failed" for v in sim.variants)


def test_totals_and_the_change_in_average_price_from_the_current_rules(setup, clock):
    from procurement.simulation.engine import price_change

    sim = _simulate(setup, clock)
    base, batch11 = totals(sim.variants[0].lots), totals(sim.variants[1].lots)
    assert (base.lots, base.failed, base.agreed, base.spend) == (2, 1, 3000, Decimal("150.00"))
    assert (base.savings, base.average_price) == (Decimal("2550.00"), Decimal("0.0500"))
    assert base.savings_rate == Decimal("0.9444")  # 2550 / 2700
    assert (batch11.spend, batch11.savings, batch11.average_price) == (
        Decimal("243.00"),
        Decimal("2997.00"),
        Decimal("0.0675"),
    )
    change = price_change(batch11.average_price, base.average_price)
    assert (change.difference, change.ratio) == (Decimal("0.0175"), Decimal("0.3500"))


def test_a_simulation_changes_nothing_in_the_tender_its_bids_or_its_award(setup, clock):
    session = setup.extra["session"]
    before = [(b.id, b.unit_price, b.version) for b in session.scalars(select(Bid))]
    _simulate(setup, clock)
    session.expire_all()
    assert [(b.id, b.unit_price, b.version) for b in session.scalars(select(Bid))] == before
    assert session.scalar(select(func.count()).select_from(AwardRun)) == 0
    assert session.scalar(select(func.count()).select_from(CostDisclosure)) == 0
    assert setup.tender.status == TenderStatus.OPENED
    ran = session.scalars(select(AuditEvent).where(AuditEvent.action == "simulation.run")).all()
    assert len(ran) == 1  # the run itself is on the audit trail


def test_the_digest_is_the_award_helper_over_bids_volumes_and_variants_rules(setup, clock):
    session = setup.extra["session"]
    first = _simulate(setup, clock)
    rules = {"variants": [v.rules for v in first.variants]}
    session.expire_all()  # the digest is over the values as stored
    award = {"fallback": "none"}  # no award run yet: the award chose nothing beyond its rules
    expected = inputs_digest(setup.tender, load_inputs(session, setup.tender), rules, award)
    assert first.inputs_digest == expected
    assert _simulate(setup, clock).inputs_digest == expected
    other = _simulate(setup, clock, [{"preset": "national-2025"}])
    assert other.inputs_digest != expected
    assert services.current_digest(session, first) == expected
    setup.bids["D"].capacity = 99  # an input changes after the run (the page says so)
    session.flush()
    assert services.current_digest(session, first) != expected


def test_a_rerun_keeps_the_variants_and_is_a_new_simulation(setup, clock):
    session = setup.extra["session"]
    first = _simulate(setup, clock, [{"preset": "national-2025", "name": "批次11"}])
    again = services.rerun_simulation(
        session, simulation_id=first.id, now=clock.now(), actor=setup.actor
    )
    assert again.id != first.id
    assert again.rerun_of_id == first.id
    assert [v.name for v in again.variants] == ["", "批次11"]
    assert again.inputs_digest == first.inputs_digest
    assert _lot(again.variants[1]).spend == Decimal("243.00")


def test_an_override_is_a_variant_a_wider_win_multiple_lets_b_win_under_batch_10(setup, clock):
    # 2.5 x 0.05 = 0.125 >= B's 0.12: the same two winners and spend as batch 11.
    sim = _simulate(
        setup, clock, [{"preset": "national-2024", "overrides": {"win_multiple": "2.5"}}]
    )
    variant = sim.variants[1]
    assert variant.overrides == {"selection.win_multiple": "2.5"}
    assert variant.name == "national-2024 + selection.win_multiple=2.5"
    assert _lot(variant).spend == Decimal("243.00")


@pytest.mark.parametrize(
    ("variants", "field"),
    [
        ([{"preset": "national-1999"}], "variants.0.preset"),
        (
            [{"preset": "national-2025", "overrides": {"no_such_rule": 1}}],
            "variants.0.overrides.no_such_rule",
        ),
        (
            [
                {"preset": "national-2024"},
                {"preset": "national-2024", "overrides": {"allocation.max_share": "1.5"}},
            ],
            "variants.1.overrides.allocation.max_share",
        ),
        ([{"preset": "national-2024"}] * 7, "variants"),
        ([], "variants"),
    ],
)
def test_bad_variants_are_refused_by_field_and_nothing_is_kept(setup, clock, variants, field):
    session = setup.extra["session"]
    with pytest.raises(SimulationVariantsNotValid) as refused:
        _simulate(setup, clock, variants)
    assert field in refused.value.errors
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Simulation)) == 0


def test_the_baseline_follows_the_awards_fallback_and_reproduces_its_spend(
    award_setup, db_session, clock
):
    """Winners A, B, C hold 1,000 each for an agreed 4,200 (the award fixture's default
    prices): short by 1,200, so the award ran with the reserves fallback and D supplied the rest.
    Before that award the baseline lot is infeasible; after it the simulation takes the same
    fallback: the lot is allocated in full (4,200) at exactly the award run's objective, and the
    inputs' digest differs (the award's choice is part of the inputs)."""
    from procurement.award import services as award

    short = award_setup(capacities={"A": 1000, "B": 1000, "C": 1000})

    def simulate():
        return services.simulate_tender(
            db_session,
            tender_id=short.tender.id,
            variants=[{"preset": "national-2024"}],
            now=clock.now(),
            actor=short.actor,
        )

    before = simulate()
    assert _lot(before.variants[0]).status == "infeasible"
    run = award.start_award_run(
        db_session,
        tender_id=short.tender.id,
        options=award.RunOptions(fallback="reserves"),
        now=clock.now(),
        actor=short.actor,
    )
    after = simulate()
    lot = _lot(after.variants[0])
    assert lot.status == "ok"
    # Region sourcing: no winner's 1,000 holds a region (Shanghai 3,150, Jiangsu 1,050), so the
    # reserve D supplies all 4,200 at its own 0.2900: 1,218.00, listed after the winners.
    assert [(w["outcome"], w["quantity"], w["amount"]) for w in lot.winners] == [
        ("won", 0, "0.00"),
        ("won", 0, "0.00"),
        ("won", 0, "0.00"),
        ("reserve", 4200, "1218.00"),
    ]
    assert lot.spend == run.objective
    assert after.inputs_digest != before.inputs_digest
