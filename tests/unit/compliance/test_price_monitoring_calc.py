"""Price monitoring's formulas (``compliance/prices/calc.py``) with hand-computed numbers: the
average unit price, the fixed-basket monthly index (base month = 100) that moves with prices,
not with the mix of strengths, and the outliers above the province's lowest by the margin."""

from __future__ import annotations

from decimal import Decimal as D

from procurement.compliance.prices.calc import (
    Bought,
    MonthSum,
    average_price,
    months_between,
    outliers,
    price_index,
)

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]
# P1 (5 mg) and P2 (10 mg) of one generic name and form:
# Jan: P1 100 units for 20.00 (0.20), P2 50 for 15.00 (0.30)
# Feb: P1 200 for 44.00 (0.22), P2 10 for 3.30 (0.33): both prices up 10%
# Mar: P2 only, 40 for 10.80 (0.27); Apr: nothing
SUMS = [
    MonthSum(1, "2026-01", 100, D("20.00")),
    MonthSum(2, "2026-01", 50, D("15.00")),
    MonthSum(1, "2026-02", 200, D("44.00")),
    MonthSum(2, "2026-02", 10, D("3.30")),
    MonthSum(2, "2026-03", 40, D("10.80")),
]


def test_the_average_unit_price_is_amount_over_quantity_to_four_places():
    assert average_price(D("47.30"), 210) == D("0.2252")  # 0.225238...
    assert average_price(D("2.61"), 10) == D("0.2610")
    assert average_price(D("0.01"), 3) == D("0.0033")
    assert average_price(D("1"), 0) is None


def test_the_index_uses_the_base_months_quantities_as_weights():
    index = price_index(SUMS, MONTHS)
    assert index.base == "2026-01"
    got = [(p.month, p.quantity, p.amount, p.average, p.index, p.products) for p in index.points]
    assert got == [
        # base month: 100; plain average 35.00 / 150 = 0.2333
        ("2026-01", 150, D("35.00"), D("0.2333"), D("100.00"), 2),
        # 100 x (100 x 0.22 + 50 x 0.33) / (20.00 + 15.00) = 100 x 38.50 / 35 = 110.00, while
        # the plain average fell to 47.30 / 210 = 0.2252 (more of the cheaper strength)
        ("2026-02", 210, D("47.30"), D("0.2252"), D("110.00"), 2),
        # P2 alone: 100 x 50 x 0.27 / 15.00 = 90.00
        ("2026-03", 40, D("10.80"), D("0.2700"), D("90.00"), 1),
        ("2026-04", 0, D("0"), None, None, 0),
    ]


def test_a_later_base_month_and_a_month_without_common_products():
    index = price_index(SUMS, MONTHS, base="2026-03")
    # base March: P2 40 units at 0.27; Jan: 100 x 40 x 0.30 / 10.80 = 111.11 (111.111...)
    # Feb: 100 x 40 x 0.33 / 10.80 = 122.22 (122.222...)
    assert [p.index for p in index.points] == [D("111.11"), D("122.22"), D("100.00"), None]
    only_p1 = price_index([MonthSum(1, "2026-01", 10, D("2.00"))], ["2026-01", "2026-02"])
    assert [p.index for p in only_p1.points] == [D("100.00"), None]


def test_nothing_bought_has_no_base():
    index = price_index([], MONTHS)
    assert index.base is None
    assert all(p.index is None and p.average is None for p in index.points)


def test_an_institution_more_than_the_margin_above_the_provinces_lowest_is_an_outlier():
    bought = [
        Bought(1, 7, "320000", 11, 100, D("20.00")),  # 0.20: the lowest
        Bought(1, 7, "320000", 12, 100, D("26.00")),  # 0.26: exactly 30% above, not over it
        Bought(1, 7, "320000", 13, 10, D("2.61")),  # 0.261: 30.5% above
        Bought(1, 7, "310000", 14, 10, D("5.00")),  # alone in its province
        Bought(2, 8, "320000", 15, 10, D("2.00")),  # lot 2 (margin 0.10): 0.20
        Bought(2, 8, "320000", 16, 10, D("2.30")),  # 0.23: 15% above
    ]
    found = outliers(bought, {1: D("0.30"), 2: D("0.10")})
    assert [
        (o.lot_id, o.institution_id, o.paid, o.lowest, o.lowest_institution_id, o.excess)
        for o in found
    ] == [
        (1, 13, D("0.2610"), D("0.2000"), 11, D("0.3050")),
        (2, 16, D("0.2300"), D("0.2000"), 15, D("0.1500")),
    ]
    assert outliers(bought, {1: D("0.30"), 2: D("0.30")})[1:] == []


def test_a_tie_for_the_lowest_names_the_smallest_institution_id():
    bought = [
        Bought(1, 7, "320000", 22, 10, D("2.00")),
        Bought(1, 7, "320000", 21, 10, D("2.00")),
        Bought(1, 7, "320000", 23, 10, D("3.00")),
    ]
    (o,) = outliers(bought, {1: D("0.30")})
    assert (o.institution_id, o.lowest_institution_id, o.excess) == (23, 21, D("0.5000"))


def test_months_between_crosses_the_year():
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
