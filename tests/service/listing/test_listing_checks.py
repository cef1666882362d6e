"""The listing price rules (RULES.md 13) on a real database, with hand-computed figures: one
price across the regions (the lowest on record), a winner's 1.5x cap where it does not supply,
and the flag on a non-winning product above 2x the winning price."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.catalog.lifecycle import TenderStatus
from procurement.listing.rules import ListingRules


def _check(request, code):
    return next(c for c in request.checks if c["code"] == code)


@pytest.fixture
def maker(listing_world):
    return listing_world.make_user(kind="manufacturer", region_code="320000")


@pytest.fixture
def product(listing_world, maker):
    return listing_world.make_product(maker, pack_size=28)


# (a) one price across the regions: the lowest on record


def test_the_first_listing_of_a_product_has_nothing_on_record(listing_world, maker, product):
    request = listing_world.file(maker, product, "0.5000", region="310000")
    check = _check(request, "lowest_on_record")
    assert check["status"] == "pass"
    assert check["params"] == {"price": "0.5000"}


def test_a_price_above_the_lowest_listing_in_another_region_fails_naming_it(
    listing_world, maker, product
):
    listing = listing_world.listed(maker, product, "0.5000", region="310000")
    request = listing_world.file(maker, product, "0.5200", region="320000")
    check = _check(request, "lowest_on_record")
    assert check["status"] == "fail"
    assert check["params"] == {
        "price": "0.5200",
        "lowest": "0.5000",
        "source": "listing",
        "listing_id": str(listing.id),
        "source_region": "310000",
    }


def test_a_price_at_or_below_the_lowest_on_record_passes(listing_world, maker, product):
    listing_world.listed(maker, product, "0.5000", region="310000")
    assert _check(listing_world.file(maker, product, "0.5000"), "lowest_on_record")["status"] == (
        "pass"
    )
    lower = listing_world.file(maker, product, "0.4800", region="330000")
    assert _check(lower, "lowest_on_record")["status"] == "pass"


def test_another_pack_of_the_same_strength_is_held_to_the_same_unit_price(
    listing_world, maker, product
):
    listing_world.listed(maker, product, "0.5000", region="310000")
    small_pack = listing_world.make_product(maker, pack_size=14)
    check = _check(listing_world.file(maker, small_pack, "0.5100"), "lowest_on_record")
    assert (check["status"], check["params"]["lowest"]) == ("fail", "0.5000")


def test_other_manufacturers_and_other_strengths_are_not_on_record(listing_world, maker, product):
    other = listing_world.make_user(kind="manufacturer")
    listing_world.listed(other, listing_world.make_product(other), "0.3000", region="310000")
    listing_world.listed(
        maker, listing_world.make_product(maker, strength=Decimal("10")), "0.3000", "310000"
    )
    check = _check(listing_world.file(maker, product, "0.5000"), "lowest_on_record")
    assert check["status"] == "pass"
    assert "lowest" not in check["params"]


def test_approving_a_new_price_ends_the_old_listing_of_that_region(listing_world, maker, product):
    old = listing_world.listed(maker, product, "0.5000", region="310000")
    new = listing_world.listed(maker, product, "0.4500", region="310000")
    assert old.ended_at == listing_world.clock.now()
    assert old.ended_by_listing_id == new.id
    check = _check(listing_world.file(maker, product, "0.4700", "330000"), "lowest_on_record")
    assert (check["status"], check["params"]["lowest"]) == ("fail", "0.4500")


# (b) a winner where it does not supply: at most 1.5 x its winning price


def test_a_winner_may_list_at_exactly_one_and_a_half_times_its_price_where_it_does_not_supply(
    listing_world, maker, product
):
    lot = listing_world.win(product, "0.2000", regions=("310000",))
    check = _check(listing_world.file(maker, product, "0.3000", "320000"), "unsupplied_region")
    assert check["status"] == "pass"
    assert check["params"] == {  # 0.2000 x 1.5 = 0.3000
        "price": "0.3000",
        "winning": "0.2000",
        "multiple": "1.5",
        "limit": "0.3000",
        "tender_code": lot.tender.code,
        "lot_code": "L01",
        "region": "320000",
        "supplied": "310000",
    }


def test_a_winner_above_one_and_a_half_times_its_price_fails(listing_world, maker, product):
    listing_world.win(product, "0.2000", regions=("310000",))
    request = listing_world.file(maker, product, "0.3001", "320000")
    check = _check(request, "unsupplied_region")
    assert (check["status"], check["params"]["limit"]) == ("fail", "0.3000")
    platform_wide = listing_world.file(maker, product, "0.3001", region=None)
    assert _check(platform_wide, "unsupplied_region")["status"] == "fail"


def test_the_cap_is_rounded_half_up_to_four_places(listing_world, maker, product):
    listing_world.win(product, "0.1235", regions=("310000",))  # 0.1235 x 1.5 = 0.18525
    check = _check(listing_world.file(maker, product, "0.1853", "320000"), "unsupplied_region")
    assert (check["status"], check["params"]["limit"]) == ("pass", "0.1853")


def test_the_multiple_is_a_rules_parameter(listing_world, maker, product):
    listing_world.win(product, "0.2000", regions=("310000",))
    rules = ListingRules(unsupplied_region_price_multiple=Decimal("1.2"))
    request = listing_world.file(maker, product, "0.2500", "320000", rules=rules)
    check = _check(request, "unsupplied_region")
    assert (check["status"], check["params"]["limit"]) == ("fail", "0.2400")
    assert request.rules["unsupplied_region_price_multiple"] == "1.2"


def test_in_a_region_it_supplies_the_winning_price_is_the_lowest_on_record(
    listing_world, maker, product
):
    lot = listing_world.win(product, "0.2000", regions=("310000", "320000"))
    request = listing_world.file(maker, product, "0.2500", "320000")
    assert _check(request, "unsupplied_region")["status"] == "not_applicable"
    check = _check(request, "lowest_on_record")
    assert check["status"] == "fail"
    assert check["params"] == {
        "price": "0.2500",
        "lowest": "0.2000",
        "source": "tender",
        "tender_code": lot.tender.code,
        "lot_code": "L01",
        "source_region": "320000",
    }


def test_a_closed_tenders_win_is_no_longer_current(listing_world, maker, product):
    listing_world.win(product, "0.2000", status=TenderStatus.CLOSED)
    request = listing_world.file(maker, product, "0.9000", "320000")
    assert _check(request, "unsupplied_region")["status"] == "not_applicable"


# (c) a non-winning product of a VBP generic name above 2x the winning price is flagged


@pytest.fixture
def vbp_lot(listing_world):
    winner = listing_world.make_user(kind="manufacturer")
    return listing_world.win(listing_world.make_product(winner), "0.2000")


def test_a_non_winner_at_twice_the_winning_price_passes_and_above_it_is_flagged(
    listing_world, maker, product, vbp_lot
):
    at_limit = _check(listing_world.file(maker, product, "0.4000", "320000"), "non_winning")
    assert at_limit["status"] == "pass"
    assert at_limit["params"] == {  # 0.2000 x 2 = 0.4000
        "price": "0.4000",
        "comparable": "0.4000",
        "winning": "0.2000",
        "multiple": "2",
        "limit": "0.4000",
        "tender_code": vbp_lot.tender.code,
        "lot_code": "L01",
    }
    above = _check(listing_world.file(maker, product, "0.4001", "330000"), "non_winning")
    assert above["status"] == "flag"


def test_another_strength_is_compared_at_the_lots_representative_strength(
    listing_world, maker, vbp_lot
):
    ten_mg = listing_world.make_product(maker, strength=Decimal("10"))
    # 10 mg is one doubling of the 5 mg reference: comparable = price / 1.7.
    passes = _check(listing_world.file(maker, ten_mg, "0.6800", "320000"), "non_winning")
    assert (passes["status"], passes["params"]["comparable"]) == ("pass", "0.4000")
    flagged = _check(listing_world.file(maker, ten_mg, "0.6900", "330000"), "non_winning")
    # 0.69 / 1.7 = 0.405882... -> 0.4059 > 0.4000
    assert (flagged["status"], flagged["params"]["comparable"]) == ("flag", "0.4059")


def test_the_highest_winning_price_of_the_lot_sets_the_limit(listing_world, maker, product):
    first = listing_world.make_product(listing_world.make_user(kind="manufacturer"))
    lot = listing_world.win(first, "0.2000")
    second = listing_world.make_product(listing_world.make_user(kind="manufacturer"))
    from tests.fixtures.listing import add_winner

    add_winner(listing_world.session, lot, second, "0.2500")
    check = _check(listing_world.file(maker, product, "0.5000", "320000"), "non_winning")
    assert (check["status"], check["params"]["limit"]) == ("pass", "0.5000")  # 0.25 x 2


def test_a_generic_name_without_a_vbp_lot_is_not_checked(listing_world, maker):
    other = listing_world.make_product(maker, generic_name="瑞舒伐他汀")
    check = _check(listing_world.file(maker, other, "9.0000"), "non_winning")
    assert check["status"] == "not_applicable"
