"""Agreed volumes and contract years by number of winners (RULES.md 3), hand-computed."""

from decimal import Decimal as D

import pytest

from procurement.award.volumes import agreed_volume, agreed_volumes, contract_years, volume_ratio
from procurement.catalog.rules import preset

RULES = preset()


@pytest.mark.parametrize(
    ("demand", "winners", "expected"),
    [(1001, 1, 501), (1001, 2, 601), (1234, 3, 864), (1000, 4, 800), (1000, 9, 800)],
)
def test_agreed_volume_is_demand_times_ratio_rounded_half_up(demand, winners, expected):
    # 1001 x 0.5 = 500.5 -> 501; 1001 x 0.6 = 600.6 -> 601; 1234 x 0.7 = 863.8 -> 864
    assert agreed_volume(demand, winners, RULES) == expected


def test_restricted_antimicrobials_use_their_own_table():
    assert agreed_volume(1005, 1, RULES, restricted_antimicrobial=True) == 302  # 301.5 -> 302
    assert volume_ratio(4, RULES, restricted_antimicrobial=True) == D("0.5")


@pytest.mark.parametrize(("winners", "years"), [(1, 1), (2, 1), (3, 2), (4, 3), (10, 3)])
def test_contract_years_follow_the_number_of_winners(winners, years):
    assert contract_years(winners, RULES) == years


def test_a_failed_lot_has_no_agreed_volume():
    with pytest.raises(ValueError, match="failed"):
        agreed_volume(100, 0, RULES)


def test_agreed_volumes_cover_every_hospital_in_id_order():
    assert agreed_volumes({"H2": 3, "H1": 5}, 2, RULES) == {"H1": 3, "H2": 2}  # 3.0, 1.8 -> 2
