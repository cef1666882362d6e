"""Year-end formulas (RULES.md 7), hand-computed at every grade and tier boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.compliance import rules as r
from procurement.compliance.yearend import rules as ye

RULES = r.ComplianceRules()
TIERS = r.from_snapshot({"compliance": {"retention_scheme": "tiers"}})
D = Decimal


def test_budget_deduction_is_shortfall_times_price_gap_times_fund_ratio():
    # shortfall 1000 - 800 = 200; 200 x (0.9000 - 0.2000) x 0.7 = 98.00
    item = ye.LotYear(1, 1000, 800, D("0.9000"), D("0.2000"))
    result = ye.lot_result(item, RULES)
    assert (result.shortfall, result.deduction) == (200, D("98.00"))


@pytest.mark.parametrize(
    ("agreed", "accepted", "short"), [(1000, 999, 1), (1000, 1000, 0), (1000, 1001, 0)]
)
def test_shortfall_never_goes_negative(agreed, accepted, short):
    assert ye.shortfall(agreed, accepted) == short


def test_budget_and_actual_use_the_reference_and_winning_prices():
    # budget 1000 x 0.9 x 0.7 = 630.00; actual (1000 x 0.2 + 50.00) x 0.7 = 175.00
    item = ye.LotYear(1, 1000, 1200, D("0.9000"), D("0.2000"), D("50.00"), 100)
    result = ye.lot_result(item, RULES)
    assert (result.budget, result.actual, result.deduction) == (D("630.00"), D("175.00"), D(0))


@pytest.mark.parametrize(
    ("score", "grade", "ratio"),
    [
        ("79.99", "B", "0.4"),
        ("80", "A", "0.5"),
        ("80.01", "A", "0.5"),
        ("69.99", "C", "0.3"),
        ("70", "B", "0.4"),
        ("70.01", "B", "0.4"),
        ("59.99", "D", "0"),
        ("60", "C", "0.3"),
        ("60.01", "C", "0.3"),
    ],
)
def test_grades_by_assessment_score(score, grade, ratio):
    assert ye.grade(D(score), RULES) == (grade, D(ratio))


def test_assessment_score_weights_completion_payments_and_non_winning_share():
    # 60 x 1 + 20 x 0.5 + 20 x (1 - 0.25) = 85.00
    assert ye.assessment_score(D("1.2"), D("0.5"), D("0.25"), RULES) == D("85.00")


@pytest.mark.parametrize(
    ("balance", "retained"),
    [
        ("499.99", "499.99"),
        ("500", "500.00"),
        ("500.01", "500.01"),  # 0.01 x 0.7 -> 0.01
        ("999", "849.30"),
        ("1000", "850.00"),
        ("1001", "850.30"),
        ("1499", "999.70"),
        ("1500", "1000.00"),
        ("1501", "1000.00"),
        ("2000", "1000.00"),
    ],
)
def test_tiered_retention_by_savings_rate_of_a_10000_budget(balance, retained):
    # 5% band 500 in full, 5-10% 70%, 10-15% 30%, above nothing
    assert ye.tiered_retention(D(balance), D("10000"), TIERS)[0] == D(retained)


def _hospital(accepted, payment_rate="1", scheme=None, rules=RULES):
    items = [ye.LotYear(1, 1000, accepted, D("0.9000"), D("0.2000"))]
    return ye.hospital_year(items, D(payment_rate), rules, scheme)


def test_full_completion_retains_by_grade():
    # budget 630.00, actual 1000 x 0.2 x 0.7 = 140.00, balance 490.00; score 100 -> A 50%
    result = _hospital(1000)
    assert (result.balance, result.score, result.grade) == (D("490.00"), D("100.00"), "A")
    assert result.retained == D("245.00")


def test_below_full_completion_retains_nothing_unless_switched_off():
    assert _hospital(999).retained == D("0")
    lenient = r.from_snapshot({"compliance": {"require_full_completion": False}})
    # actual 999 x 0.2 x 0.7 = 139.86; balance 490.14; score 60 x 0.999 + 40 = 99.94 -> A
    assert _hospital(999, rules=lenient).retained == D("245.07")


def test_tier_scheme_is_selectable_per_tender():
    # balance 490.00 of a 630.00 budget: 5% = 31.50 in full; 5-10% 31.50 x 0.7 = 22.05;
    # 10-15% 31.50 x 0.3 = 9.45; the rest carried: 63.00
    result = _hospital(1000, rules=TIERS)
    assert result.scheme == "tiers"
    assert result.retained == D("63.00")
