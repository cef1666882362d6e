"""Cardinal's R024 (price close to the winning bid) on a small set computed by hand, with the
platform's Decimal prices, and the R-8 quartiles it rests on."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.compliance.redflags.cardinal import indicators
from procurement.compliance.redflags.stats import lower_fence, quantile, upper_fence

SECONDS = {"P1": "101.00", "P2": "120.00", "P3": "121.00", "P4": "122.00"}
SECONDS |= {"P5": "123.00", "P6": "124.00"}  # the winners all bid 100.00


def _process(ocid: str, winner: str, second: str) -> dict:
    """A lot won by W at ``winner``, L's valid bid at ``second`` the next lowest."""
    bid = lambda who, amount: {  # noqa: E731
        "status": "valid",
        "tenderers": [{"id": f"{who}-{ocid}"}],
        "value": {"amount": Decimal(amount), "currency": "CNY"},
    }
    return {
        "ocid": ocid,
        "tender": {"procurementMethod": "open", "numberOfTenderers": 2},
        "bids": {"details": [bid("W", winner), bid("L", second)]},
        "awards": [{"status": "active", "suppliers": [{"id": f"W-{ocid}"}]}],
    }


def test_r8_quartiles_by_hand():
    # n = 4: h(0.25) = (4 + 1/3) / 4 + 1/3 = 1.41667 -> 1 + 0.41667 (2 - 1);
    # h(0.75) = 13/4 + 1/3 = 3.58333 -> 3 + 0.58333 (4 - 3).
    assert quantile([4.0, 1.0, 3.0, 2.0], 0.25) == pytest.approx(1 + 5 / 12)
    assert quantile([4.0, 1.0, 3.0, 2.0], 0.75) == pytest.approx(3 + 7 / 12)
    assert quantile([], 0.25) != quantile([], 0.25)  # NaN: nothing is an outlier
    assert (lower_fence(1.0, 3.0), upper_fence(1.0, 3.0)) == (-2.0, 6.0)


def test_r024_flags_the_lot_whose_second_bid_is_within_the_lower_fence():
    # Differences (second - winner) / winner: 0.01, 0.20, 0.21, 0.22, 0.23, 0.24.
    # n = 6: h(0.25) = 19/12 + 1/3 = 1.91667 -> Q1 = 0.01 + 0.91667 x 0.19 = 0.184167;
    # h(0.75) = 19/4 + 1/3 = 5.08333 -> Q3 = 0.23 + 0.08333 x 0.01 = 0.230833;
    # lower fence = Q1 - 1.5 (Q3 - Q1) = 0.184167 - 0.07 = 0.114167: only 0.01 is at or below;
    # upper fence = 0.230833 + 0.07 = 0.300833: no R058.
    releases = [_process(ocid, "100.00", second) for ocid, second in SECONDS.items()]
    result = indicators(releases, codes=["R024", "R058"])
    assert result.results == {
        "OCID": {"P1": {"R024": Decimal("0.01")}},
        "Tenderer": {"W-P1": {"R024": 0.0}, "L-P1": {"R024": 0.0}},
    }
    meta = result.meta["R024"]
    assert meta["q1"] == pytest.approx(0.01 + 11 / 12 * 0.19)
    assert meta["q3"] == pytest.approx(0.23 + 1 / 12 * 0.01)
    assert meta["lower_fence"] == pytest.approx(0.114167, abs=1e-6)
    assert result.meta["R058"]["upper_fence"] == pytest.approx(0.300833, abs=1e-6)
    assert result.maps["R024"] == {"P1": {"W-P1", "L-P1"}}


def test_r024_leaves_out_a_lot_with_several_winners():
    # The same six lots, but P1 (flagged above) awarded to W and L: Cardinal's exclusion #14.
    releases = [_process(ocid, "100.00", second) for ocid, second in SECONDS.items()]
    releases[0]["awards"].append({"status": "active", "suppliers": [{"id": "L-P1"}]})
    assert indicators(releases, codes=["R024"]).results == {}


def test_a_related_group_is_flagged_on_each_lot_two_of_its_members_bid():
    """Group {1, 2, 3}: members 1 and 2 bid on L01 (flag, value 2), only 3 on L02 (no flag);
    4 is outside the group; a void bid (no price) still counts as a bid on the lot."""
    from procurement.compliance.redflags.flags import FlagCode
    from procurement.compliance.redflags.vbp import OpenedBid, RelatedGroup, vbp_flags

    bids = [
        OpenedBid("L01", 1, Decimal("0.2000"), False),
        OpenedBid("L01", 2, None, False),
        OpenedBid("L01", 4, Decimal("0.2100"), False),
        OpenedBid("L02", 3, Decimal("0.3000"), False),
        OpenedBid("L02", 4, Decimal("0.3100"), False),
    ]
    names = {1: "Alpha", 2: "Beta", 3: "Gamma", 4: "Delta"}
    group = RelatedGroup("Holding X", frozenset({1, 2, 3}))
    flags = [f for f in vbp_flags(bids, names, [group]) if f.code == FlagCode.RELATED_GROUP]
    assert [(f.lots, f.bidders, f.value) for f in flags] == [(("L01",), (1, 2), 2)]
    assert str(flags[0].reason) == (
        "Lot L01: Alpha, Beta of the related-bidder group Holding X each bid on the lot; "
        "related bidders count as one bidder."
    )
    assert vbp_flags(bids, names) == vbp_flags(bids, names, [])  # no groups, no such flag
