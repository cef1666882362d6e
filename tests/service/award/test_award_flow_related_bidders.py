"""Related bidders and who counts in N, through opening and the award run (RULES.md 2.2, 10).

The tender of tests/fixtures/award.py: L01 bids A 0.2000, B 0.2200, C 0.2500 (Jiangsu only),
D 0.2900 per tablet; capacities A 3500, B 3000; national-2024 (N=3 -> 2 winners, N=4 -> 3).
Demand H1 1000, H2 2000, H3 1500 (Shanghai), H4 1000, H5 500 (Jiangsu).
With two winners the ratio is 60%: agreed Shanghai 600 + 1200 + 900 = 2700, Jiangsu 600 + 300
= 900; C serves Jiangsu only, and every winner gets a region.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from procurement.auth.services import actor_of
from procurement.award import services
from procurement.bidding import services as bidding
from procurement.bidding.models import Validity
from procurement.core.errors import ValidationFailed


@pytest.fixture
def run_award(db_session, clock):
    def run(setup):
        return services.start_award_run(
            db_session,
            tender_id=setup.tender.id,
            options=services.RunOptions(),
            now=clock.now(),
            actor=setup.actor,
        )

    return run


def _group(db_session, clock, setup, *letters, name="华东医药集团"):
    members = [setup.bidders[x].organization_id for x in letters]
    return bidding.create_group(
        db_session, data={"name": name, "members": members}, now=clock.now(), actor=setup.actor
    )


def _outcomes(lot, setup):
    letter = {b.id: x for x, b in setup.bids.items()}
    return {letter[o.bid_id]: o.outcome for o in lot.outcomes}


def _reason(lot, bid):
    return next(o.reason for o in lot.outcomes if o.bid_id == bid.id)


def _allocated(lot, setup):
    letter = {b.id: x for x, b in setup.bids.items()}
    totals: dict[str, int] = {}
    for a in lot.allocations:
        totals[letter[a.bid_id]] = totals.get(letter[a.bid_id], 0) + a.quantity
    return totals


def test_two_related_bidders_count_once_and_the_worse_ranked_bid_is_void(
    award_setup, db_session, clock, run_award
):
    setup = award_setup()
    _group(db_session, clock, setup, "A", "B")
    l01 = run_award(setup).lots[0]
    # N = {A+B, C, D} = 3 -> shortlist 2: A (rank 1) and C (rank 2, 1.25x) win; D ranks 3rd.
    assert l01.declared_count == 3
    assert l01.valid_count == 3
    assert _outcomes(l01, setup) == {"A": "won", "B": "invalid", "C": "won", "D": "lost"}
    name_a = setup.bidders["A"].organization.name
    assert _reason(l01, setup.bids["B"]) == (
        "void: the related bidders of 华东医药集团 count as one bidder; only the group's "
        f"best-ranked valid bid stands ({name_a}, comparable price 0.2000)"
    )
    assert "ranked 3 of the valid bids, outside the shortlist of 2" in _reason(l01, setup.bids["D"])
    assert l01.volume_ratio == Decimal("0.6000")
    assert l01.total_agreed == 3600
    # A takes Shanghai 2700 (capacity 3500), C Jiangsu 900: 2700 x 0.20 + 900 x 0.25 = 765.00.
    assert _allocated(l01, setup) == {"A": 2700, "C": 900}
    assert l01.objective == Decimal("765.00")


def test_a_group_naming_its_bidding_member_keeps_only_that_members_bid(
    award_setup, db_session, clock, run_award
):
    def name_b(setup):
        group = _group(db_session, clock, setup, "A", "B")
        bidding.name_bidder(
            db_session,
            group_id=group.id,
            data={
                "tender_id": setup.tender.id,
                "manufacturer_id": setup.bidders["B"].organization_id,
            },
            now=clock.now(),
            actor=setup.actor,
        )

    setup = award_setup(before_opening=name_b)
    l01 = run_award(setup).lots[0]
    # A is void; B 0.22 ranks 1, C 0.25 (1.14x) 2, D 3; shortlist 2.
    assert _outcomes(l01, setup) == {"A": "invalid", "B": "won", "C": "won", "D": "lost"}
    name_b_org = setup.bidders["B"].organization.name
    assert _reason(l01, setup.bids["A"]) == (
        "void: the related bidders of 华东医药集团 count as one bidder, and the group named "
        f"{name_b_org} to bid on this lot; only that member's bid stands"
    )
    assert l01.anchor_price == Decimal("0.2200")
    # B takes Shanghai 2700 (capacity 3000), C Jiangsu: 2700 x 0.22 + 900 x 0.25 = 819.00.
    assert _allocated(l01, setup) == {"B": 2700, "C": 900}
    assert l01.objective == Decimal("819.00")


def test_with_related_bidders_off_the_group_is_ignored(award_setup, db_session, clock, run_award):
    setup = award_setup(rules_overrides={"related_bidders": False})
    _group(db_session, clock, setup, "A", "B")
    l01 = run_award(setup).lots[0]
    assert l01.declared_count == 4
    assert _outcomes(l01, setup) == {"A": "won", "B": "won", "C": "won", "D": "lost"}


def test_a_product_barred_before_opening_does_not_count_in_n(
    award_setup, db_session, clock, run_award
):
    def bar_d(setup):
        bidding.create_ban(
            db_session,
            data={
                "manufacturer_id": setup.bidders["D"].organization_id,
                "level": "严重失信",
                "reason": "supply failure",
            },
            now=clock.now(),
            actor=setup.actor,
        )

    setup = award_setup(before_opening=bar_d)
    d = setup.bids["D"]
    assert (d.validity, d.eligible) == (Validity.INVALID, False)
    assert d.invalid_reason == (
        "the bidder is barred from bidding (严重失信: supply failure); not counted among "
        "declared bidders"
    )
    l01 = run_award(setup).lots[0]
    # N = 3 (D is not a qualified bidder) -> shortlist 2: C ranks 3rd and loses.
    assert l01.declared_count == 3
    assert _outcomes(l01, setup) == {"A": "won", "B": "won", "C": "lost", "D": "invalid"}


def test_a_product_no_longer_consistency_evaluated_does_not_count_in_n(
    award_setup, db_session, run_award
):
    def revoke_c(setup):
        product = setup.bids["C"].product
        product.consistency_evaluated = product.originator = False
        db_session.commit()

    setup = award_setup(before_opening=revoke_c)
    c = setup.bids["C"]
    assert c.eligible is False
    assert c.invalid_reason == (
        "the product is not eligible: the lot requires consistency evaluation (or the "
        "originator); not counted among declared bidders"
    )
    l01 = run_award(setup).lots[0]
    assert l01.declared_count == 3
    assert _outcomes(l01, setup) == {"A": "won", "B": "won", "C": "invalid", "D": "lost"}


def test_a_change_of_membership_changes_the_award_inputs_digest(
    award_setup, db_session, clock, run_award
):
    setup = award_setup()
    before = run_award(setup)
    group = _group(db_session, clock, setup, "A", "B")
    grouped = run_award(setup)
    assert grouped.inputs_digest != before.inputs_digest
    bidding.remove_member(
        db_session,
        group_id=group.id,
        manufacturer_id=setup.bidders["B"].organization_id,
        now=clock.now(),
        actor=setup.actor,
    )
    alone = run_award(setup)
    assert alone.inputs_digest not in (before.inputs_digest, grouped.inputs_digest)
    assert _outcomes(alone.lots[0], setup)["B"] == "won"
    assert actor_of(setup.regulator).org_id == group.created_by_org_id


def test_a_product_approved_after_the_cut_off_is_refused_at_submission(
    make_tender, bidder, make_bid
):
    tender = make_tender("bidding_open", lots=1, rules_overrides={"approval_cutoff": "2020-05-31"})
    user, product = bidder()  # approved 2020-06-01
    with pytest.raises(ValidationFailed) as err:
        make_bid(user, tender.lots[0], product)
    assert err.value.extra["errors"]["product_id"] == [
        "does not match lot L01: it was approved on 2020-06-01, after the tender's cut-off date "
        "2020-05-31"
    ]


def test_a_product_found_approved_after_the_cut_off_at_opening_does_not_count_in_n(
    award_setup, db_session, run_award
):
    def correct_d(setup):  # the approval date on record was wrong; the register is corrected
        setup.bids["D"].product.approval_date = date(2025, 7, 1)
        db_session.commit()

    setup = award_setup(rules_overrides={"approval_cutoff": "2025-06-30"}, before_opening=correct_d)
    d = setup.bids["D"]
    assert d.eligible is False
    assert d.invalid_reason == (
        "the product is not eligible: it was approved on 2025-07-01, after the tender's cut-off "
        "date 2025-06-30; not counted among declared bidders"
    )
    l01 = run_award(setup).lots[0]
    assert l01.declared_count == 3
    assert _outcomes(l01, setup) == {"A": "won", "B": "won", "C": "lost", "D": "invalid"}
