"""The national-2021 preset as published (batches 4-9), without overrides: an above-ceiling
quote is accepted with a warning, declared invalid at opening and still counted in N.

One lot, ceiling 0.3000 per tablet (5 mg, packs of 28). Bids per pack: A 5.60 (0.2000), B 6.16
(0.2200), C 7.00 (0.2500), E 9.80 (0.3500, above the ceiling). Batch-9 table: N=3 -> 2 winners,
N=4 -> 3. E counts: N = 4 -> shortlist 3 -> A, B, C win (C 0.25 <= 1.8 x 0.20 = 0.36).
Were E not counted, N = 3 -> 2 and C (cut 1 - 0.25/0.30 = 16.67%, under the 50% cut rule) would
lose. 3 winners: ratio 70%, so the hospital's 1000 tablets give 700 agreed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.auth.services import actor_of
from procurement.award import services
from procurement.bidding import services as bidding
from procurement.bidding.models import Validity
from procurement.core.errors import ValidationFailed

PACKS = {"A": "5.6000", "B": "6.1600", "C": "7.0000", "E": "9.8000"}


def test_national_2021_accepts_an_above_ceiling_quote_and_counts_it_in_n(
    make_tender, bidder, make_bid, db_session, clock, sealer, regulator
):
    tender = make_tender(
        "bidding_open", lots=1, rules_preset="national-2021", demand=[(None, {"L01": 1000})]
    )
    assert tender.rules_overrides == {}
    lot = tender.lots[0]
    bids, warnings = {}, {}
    for letter, price in PACKS.items():
        user, product = bidder()
        result = make_bid(user, lot, product, price_per_pack=Decimal(price))
        bids[letter], warnings[letter] = result.bid, result.warnings
    assert warnings["E"] == (
        "your comparable unit price 0.3500 (unit price 0.3500 at strength 5 mg) is above the "
        "lot ceiling 0.3000: accepted, but it will be declared invalid at opening",
    )
    assert warnings["A"] == ()
    clock.set(tender.opening_at)
    actor = actor_of(regulator)
    bidding.open_bids(db_session, tender_id=tender.id, now=clock.now(), actor=actor, sealer=sealer)
    e = bids["E"]
    assert (e.validity, e.eligible) == (Validity.INVALID, True)
    assert e.invalid_reason == (
        "comparable unit price 0.3500 is above the ceiling 0.3000; counted among declared bidders"
    )
    run = services.start_award_run(
        db_session, tender_id=tender.id, options=services.RunOptions(), now=clock.now(), actor=actor
    )
    l01 = run.lots[0]
    letter = {b.id: x for x, b in bids.items()}
    assert {letter[o.bid_id]: o.outcome for o in l01.outcomes} == {
        "A": "won",
        "B": "won",
        "C": "won",
        "E": "invalid",
    }
    assert (l01.declared_count, l01.valid_count, l01.winner_count) == (4, 3, 3)
    assert l01.volume_ratio == Decimal("0.7000")
    assert l01.total_agreed == 700


def test_the_default_preset_still_refuses_an_above_ceiling_quote(make_tender, bidder, make_bid):
    tender = make_tender("bidding_open", lots=1)
    user, product = bidder()
    with pytest.raises(ValidationFailed) as err:
        make_bid(user, tender.lots[0], product, price_per_pack=Decimal("9.8000"))
    assert err.value.extra["errors"]["price_per_pack"] == [
        "your comparable unit price 0.3500 (unit price 0.3500 at strength 5 mg) is above the "
        "lot ceiling 0.3000"
    ]
