"""Red flags of an opened tender over the platform's own data (OCDS releases with the opened
bids), hand-computed.

Tender with lots L01 and L02 (amlodipine 5 mg, 28 tablets a pack, ceiling 0.3000 a tablet):
- L01: A 5.6000 a pack (0.2000 a tablet), B 5.6000 (0.2000), C 7.0000 (0.2500).
- L02: A 6.1600 (0.2200), C 7.0000 (0.2500), D 5.6000 (0.2000).
- A and C opt in to revival on both lots; B and D do not.
Expected: R028 on L01 with A and B (the same comparable price 0.2000), none on L02; the same
unit price 0.2000 on L01 and L02 (A, B, D) and 0.2500 on L01 and L02 (C alone, lot after lot);
A and C opted in to revival together on L01 and L02. Three bidders a lot: no R018; nothing
disqualified: no R035/R036/R038; no awards yet: no R024/R025/R058."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.auth.services import actor_of
from procurement.bidding import services as bidding
from procurement.compliance.errors import RedFlagsBeforeOpening
from procurement.compliance.redflags.flags import FlagCode
from procurement.compliance.redflags.services import red_flags
from procurement.core.errors import Forbidden


def _by_code(report):
    out = {}
    for flag in report.flags:
        out.setdefault(flag.code, []).append(flag)
    return out


def test_identical_prices_flag_r028_and_the_same_price_flag_with_the_right_bidders(
    db_session, clock, flag_world, regulator
):
    tender, m = flag_world()
    report = red_flags(db_session, tender_id=tender.id, actor=actor_of(regulator), now=clock.now())
    flags = _by_code(report)
    assert set(flags) == {FlagCode.R028, FlagCode.SAME_PRICE, FlagCode.REVIVAL}
    (r028,) = flags[FlagCode.R028]
    assert (r028.lots, set(r028.bidders), r028.value) == (("L01",), {m["A"], m["B"]}, 1.0)
    same = {f.value: f for f in flags[FlagCode.SAME_PRICE]}
    assert set(same) == {Decimal("0.2000"), Decimal("0.2500")}
    assert same[Decimal("0.2000")].lots == ("L01", "L02")
    assert set(same[Decimal("0.2000")].bidders) == {m["A"], m["B"], m["D"]}
    assert same[Decimal("0.2500")].bidders == (m["C"],)
    (revival,) = flags[FlagCode.REVIVAL]
    assert (revival.lots, set(revival.bidders)) == (("L01", "L02"), {m["A"], m["C"]})
    assert [f.code for f in report.of_lot("L02")] == [FlagCode.SAME_PRICE] * 2 + [FlagCode.REVIVAL]
    assert {f.code for f in report.of_bidder(m["B"])} == {FlagCode.R028, FlagCode.SAME_PRICE}
    assert report.of_bidder(m["D"]) == [same[Decimal("0.2000")]]
    names = report.bidders
    assert str(r028.reason) == (
        "Lot L01: different bidders submitted the same price "
        f"({', '.join(names[i] for i in sorted((m['A'], m['B'])))})."
    )
    assert str(same[Decimal("0.2000")].reason).startswith(
        "The same unit price 0.2000 yuan (to four places) was quoted on lots L01, L02 by "
    )


def test_red_flags_wait_for_the_opening(db_session, clock, flag_world, regulator):
    tender, _ = flag_world(open_bids=False)
    with pytest.raises(RedFlagsBeforeOpening):
        red_flags(db_session, tender_id=tender.id, actor=actor_of(regulator), now=clock.now())


@pytest.mark.parametrize("kind", ["hospital", "manufacturer", "distributor"])
def test_only_the_regulator_and_the_fund_see_red_flags(
    db_session, clock, flag_world, make_user, kind
):
    tender, _ = flag_world()
    fund = make_user(kind="fund", region_code="310000")
    assert red_flags(db_session, tender_id=tender.id, actor=actor_of(fund), now=clock.now())
    with pytest.raises(Forbidden):
        red_flags(
            db_session, tender_id=tender.id, actor=actor_of(make_user(kind=kind)), now=clock.now()
        )


def test_bids_within_a_related_group_are_flagged_per_lot(db_session, clock, flag_world, regulator):
    """A and C are recorded as one group (common control); both bid on L01 and L02, so each
    lot is flagged with A and C (value 2, the members who bid). B and D, outside the group,
    are not named; a group with one bidding member (B with a non-bidder) raises nothing."""
    tender, m = flag_world()
    actor = actor_of(regulator)
    members = {"name": "Group AC", "members": [m["A"], m["C"]]}
    bidding.create_group(db_session, data=members, now=clock.now(), actor=actor)
    lone = {"name": "Group B", "members": [m["B"]]}
    bidding.create_group(db_session, data=lone, now=clock.now(), actor=actor)
    report = red_flags(db_session, tender_id=tender.id, actor=actor, now=clock.now())
    related = _by_code(report)[FlagCode.RELATED_GROUP]
    assert [(f.lots, f.bidders, f.value) for f in related] == [
        (("L01",), tuple(sorted((m["A"], m["C"]))), 2),
        (("L02",), tuple(sorted((m["A"], m["C"]))), 2),
    ]
    names = report.bidders
    both = ", ".join(names[i] for i in sorted((m["A"], m["C"])))
    assert str(related[0].reason) == (
        f"Lot L01: {both} of the related-bidder group Group AC each bid on the lot; "
        "related bidders count as one bidder."
    )
    assert FlagCode.RELATED_GROUP in {f.code for f in report.of_bidder(m["C"])}
    assert FlagCode.RELATED_GROUP not in {f.code for f in report.of_bidder(m["B"])}
