"""The pharmacy rules and search keys, pure: figures by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.pharmacy.keys import normalize, search_keys
from procurement.pharmacy.rules import PharmacyRules, StockStatus, stock_status, vbp_pack_price


def test_the_vbp_price_a_package_is_the_unit_price_times_the_units_to_the_fen():
    assert vbp_pack_price(Decimal("0.1234"), 28) == Decimal("3.46")  # 3.4552 half up
    assert vbp_pack_price(Decimal("0.5000"), 24) == Decimal("12.00")


@pytest.mark.parametrize(
    ("markup", "cap"),
    [("0", "12.00"), ("0.1", "13.20"), ("0.15", "13.80"), ("0.333", "16.00")],  # 15.996
)
def test_the_cap_is_the_vbp_price_times_one_plus_the_markup(markup, cap):
    rules = PharmacyRules(pharmacy_markup=Decimal(markup))
    assert rules.price_cap(Decimal("12.00")) == Decimal(cap)


def test_a_tenders_frozen_rules_override_the_minimums_and_the_markup():
    rules = PharmacyRules.from_snapshot(
        {"pharmacy": {"min_generic_names_chain": 3, "pharmacy_markup": "0.1"}}
    )
    assert (rules.minimum(chain=True), rules.minimum(chain=False)) == (3, 50)
    assert rules.pharmacy_markup == Decimal("0.1")
    assert PharmacyRules.from_snapshot(None) == PharmacyRules()


@pytest.mark.parametrize(
    ("on_hand", "status"),
    [
        (0, StockStatus.OUT),
        (-1, StockStatus.OUT),
        (1, StockStatus.LOW),
        (5, StockStatus.LOW),
        (6, StockStatus.IN_STOCK),
    ],
)
def test_stock_status_is_out_at_zero_low_up_to_five(on_hand, status):
    assert stock_status(on_hand) == status


def test_search_keys_are_the_name_its_pinyin_and_its_initials():
    assert search_keys("阿莫西林") == {"阿莫西林", "amoxilin", "amxl"}
    assert search_keys("二甲双胍") == {"二甲双胍", "erjiashuanggua", "ejsg"}
    assert normalize(" AMO-xi ") == "amoxi"


def test_the_vowel_u_umlaut_is_found_typed_as_v_or_as_u():
    assert search_keys("氯吡格雷") == {"氯吡格雷", "lvbigelei", "lubigelei", "lbgl"}
    assert search_keys("氨氯地平") == {"氨氯地平", "anlvdiping", "anludiping", "aldp"}
    assert normalize("Lü bi") == "lvbi"
