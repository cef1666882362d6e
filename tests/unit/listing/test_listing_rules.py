"""The listing rules' parameters and the pure checks (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.listing.rules import (
    ListedPrice,
    ListingRules,
    Proposal,
    VbpLot,
    Win,
    check_lowest_on_record,
    check_non_winning,
    check_unsupplied_region,
    outcome,
)

D = Decimal


def test_the_defaults_are_the_documented_multiples():
    rules = ListingRules()
    assert rules.unsupplied_region_price_multiple == D("1.5")  # RULES.md 13, batches 8-9
    assert rules.non_winning_price_multiple == D("2")  # RULES.md 9, the payment standard


def test_settings_override_a_multiple_by_name():
    rules = ListingRules.from_mapping({"unsupplied_region_price_multiple": "1.3"})
    assert rules.unsupplied_region_price_multiple == D("1.3")
    assert rules.to_dict() == {
        "unsupplied_region_price_multiple": "1.3",
        "non_winning_price_multiple": "2",
    }


@pytest.mark.parametrize(
    "raw",
    [
        {"unknown_multiple": "2"},
        {"non_winning_price_multiple": "0.9"},
        {"non_winning_price_multiple": "x"},
    ],
)
def test_a_bad_override_is_refused_at_start(raw):
    with pytest.raises(ValueError):  # noqa: PT011
        ListingRules.from_mapping(raw)


def test_the_lowest_on_record_prefers_the_tender_on_a_tie_and_names_it():
    proposal = Proposal(D("0.2100"), "320000", D("5"))
    listed = [ListedPrice(7, "330000", D("0.2000"))]
    wins = [Win("VBP1", "L01", D("0.2000"), frozenset({"320000"}))]
    check = check_lowest_on_record(proposal, listed, wins)
    assert (check.status, check.params["source"], check.params["lowest"]) == (
        "fail",
        "tender",
        "0.2000",
    )


def test_a_platform_wide_request_is_not_held_to_a_regions_winning_price():
    proposal = Proposal(D("0.2500"), None, D("5"))
    wins = [Win("VBP1", "L01", D("0.2000"), frozenset({"320000"}))]
    assert check_lowest_on_record(proposal, [], wins).status == "pass"
    assert check_unsupplied_region(proposal, wins, ListingRules()).status == "pass"  # <= 0.3000


def test_the_strictest_current_win_sets_the_cap():
    wins = [
        Win("VBP1", "L01", D("0.3000"), frozenset({"310000"})),
        Win("VBP2", "L04", D("0.2000"), frozenset({"330000"})),
    ]
    check = check_unsupplied_region(Proposal(D("0.3100"), "320000", D("5")), wins, ListingRules())
    assert (check.status, check.params["limit"], check.params["tender_code"]) == (
        "fail",
        "0.3000",
        "VBP2",
    )


def test_the_non_winning_flag_names_the_lot_with_the_highest_ratio():
    lots = [
        VbpLot("VBP1", "L01", D("5"), D("1.7"), D("0.2000")),  # limit 0.4000
        VbpLot("VBP2", "L02", D("5"), D("1.7"), D("0.1000")),  # limit 0.2000
    ]
    check = check_non_winning(Proposal(D("0.3000"), None, D("5")), [], lots, ListingRules())
    assert (check.status, check.params["lot_code"], check.params["limit"]) == (
        "flag",
        "L02",
        "0.2000",
    )


def test_the_outcome_is_the_worst_status():
    assert outcome([{"status": "pass"}, {"status": "flag"}]) == "flag"
    assert outcome([{"status": "flag"}, {"status": "fail"}]) == "fail"
    assert outcome([{"status": "not_applicable"}, {"status": "pass"}]) == "pass"


def test_the_settings_refuse_bad_listing_rules_at_start():
    from procurement.settings import SettingsError, load_settings

    settings = load_settings({"ENV": "testing"}, environ={})
    assert settings["LISTING_RULES"]["unsupplied_region_price_multiple"] == "1.5"
    with pytest.raises(SettingsError, match="LISTING_RULES"):
        load_settings(
            {"ENV": "testing", "LISTING_RULES": {"non_winning_price_multiple": "0"}}, environ={}
        )
