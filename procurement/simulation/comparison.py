"""A kept simulation as one comparison: per lot x variant and per variant in total, with the
change in average price from the baseline. Pure: it reads the stored rows' attributes and
returns plain dicts (the API's body, the page's table, the export's rows)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from procurement.simulation.engine import PriceChange, average_price, price_change, totals


def _change(change: PriceChange | None) -> dict[str, Any]:
    return {
        "price_change": None if change is None else change.difference,
        "price_change_ratio": None if change is None else change.ratio,
    }


def _lot(row: Any, baseline: Any | None) -> dict[str, Any]:
    avg = average_price(row.spend, row.agreed)
    base_avg = None if baseline is None else average_price(baseline.spend, baseline.agreed)
    return {
        "lot_code": row.lot_code,
        "lot_name": row.lot_name,
        "status": row.status,
        "winner_count": row.winner_count,
        "anchor_price": row.anchor_price,
        "volume_ratio": row.volume_ratio,
        "total_demand": row.total_demand,
        "agreed": row.agreed,
        "spend": row.spend,
        "reference_spend": row.reference_spend,
        "savings": row.savings,
        "average_price": avg,
        "winners": [
            {
                **w,
                "price": Decimal(w["price"]),
                "comparable": None if w["comparable"] is None else Decimal(w["comparable"]),
                "amount": Decimal(w["amount"]),
            }
            for w in row.winners
        ],
        "note": row.note,
        **_change(price_change(avg, base_avg)),
    }


def _totals(lots: list[Any], base_average: Decimal | None) -> dict[str, Any]:
    t = totals(lots)
    return {
        "lots": t.lots,
        "failed": t.failed,
        "infeasible": t.infeasible,
        "agreed": t.agreed,
        "spend": t.spend,
        "reference_spend": t.reference_spend,
        "savings": t.savings,
        "savings_rate": t.savings_rate,
        "average_price": t.average_price,
        **_change(price_change(t.average_price, base_average)),
    }


def compare(variants: list[Any]) -> list[dict[str, Any]]:
    """Every variant (baseline first) with its lots and totals, each against the baseline."""
    base = next((v for v in variants if v.baseline), variants[0])
    base_lots = {lot.lot_code: lot for lot in base.lots}
    base_average = totals(base.lots).average_price
    return [
        {
            "position": v.position,
            "name": v.name,
            "baseline": v.baseline,
            "preset": v.preset,
            "overrides": v.overrides,
            "totals": _totals(v.lots, base_average),
            "lots": [_lot(lot, base_lots.get(lot.lot_code)) for lot in v.lots],
        }
        for v in variants
    ]


def by_lot(compared: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same comparison turned around: per lot code, its cell in each variant (in order)."""
    codes = sorted({lot["lot_code"] for v in compared for lot in v["lots"]})
    out = []
    for code in codes:
        cells = [
            next((lot for lot in v["lots"] if lot["lot_code"] == code), None) for v in compared
        ]
        name = next((c["lot_name"] for c in cells if c is not None), "")
        out.append({"lot_code": code, "lot_name": name, "cells": cells})
    return out


EXPORT_COLUMNS = (
    "lot_code",
    "lot_name",
    "variant",
    "preset",
    "status",
    "winners",
    "winner_count",
    "anchor_price",
    "agreed_volume",
    "expected_spend",
    "reference_spend",
    "savings",
    "average_price",
    "price_change",
    "price_change_ratio",
)
LOT_FIGURES = ("winner_count", "anchor_price", "agreed", "spend", "reference_spend", "savings")
LOT_FIGURES += ("average_price", "price_change", "price_change_ratio")
TOTAL_FIGURES = LOT_FIGURES[2:]
TOTAL = "total"  # the lot_code of a variant's totals row in the export


def export_rows(compared: list[dict[str, Any]], baseline_name: str) -> list[list[Any]]:
    """One row per lot and variant, then one totals row per variant (lot_code "total")."""
    rows = []
    for v in compared:
        name = v["name"] or baseline_name
        for lot in v["lots"]:
            winners = "; ".join(
                f"{w['bidder']} {w['price']} x {w['quantity']}" for w in lot["winners"]
            )
            head = [lot["lot_code"], lot["lot_name"], name, v["preset"], lot["status"], winners]
            rows.append(head + [lot[k] for k in LOT_FIGURES])
    for v in compared:
        t = v["totals"]
        head = [TOTAL, "", v["name"] or baseline_name, v["preset"], "", "", "", ""]
        rows.append(head + [t[k] for k in TOTAL_FIGURES])
    return rows
