"""The pure parts: reading a file of bids, the sums over lots, the price change."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from procurement.catalog.tabular import TableError
from procurement.simulation.engine import price_change, totals
from procurement.simulation.upload import read_bids

HEAD = (
    "lot_code,manufacturer_name,unit_price,price_per_pack,pack_size,ceiling_unit_price,"
    "reported_demand\n"
)


def test_a_bid_without_a_unit_price_is_priced_from_its_pack():
    lots = read_bids("b.csv", (HEAD + "X1,甲,,2.8000,28,0.3,100\n").encode())
    assert lots[0].bids[0].price == "0.1000"  # 2.80 / 28
    assert lots[0].demand == 100


def test_lot_figures_that_differ_between_rows_are_refused_by_cell():
    text = HEAD + "X1,甲,0.1,,,0.3,100\nX1,乙,0.2,,,0.3,200\n"
    with pytest.raises(TableError) as refused:
        read_bids("b.csv", text.encode())
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "reported_demand")]


def test_a_missing_ceiling_and_a_bad_price_are_both_named():
    with pytest.raises(TableError) as refused:
        read_bids("b.csv", (HEAD + "X1,甲,abc,,,,100\n").encode())
    assert {e.column for e in refused.value.errors} == {"unit_price", "ceiling_unit_price"}


def test_totals_leave_failed_lots_out_of_the_spend_and_count_them():
    lots = [
        SimpleNamespace(
            status="ok", agreed=3000, spend=Decimal("150.00"), reference_spend=Decimal("2700.00")
        ),
        SimpleNamespace(status="failed", agreed=0, spend=None, reference_spend=None),
    ]
    t = totals(lots)
    assert (t.lots, t.failed, t.spend, t.savings, t.average_price) == (
        2,
        1,
        Decimal("150.00"),
        Decimal("2550.00"),
        Decimal("0.0500"),
    )


def test_the_price_change_is_against_the_baseline():
    change = price_change(Decimal("0.0675"), Decimal("0.0500"))
    assert (change.difference, change.ratio) == (Decimal("0.0175"), Decimal("0.3500"))
    assert price_change(None, Decimal("0.05")) is None
