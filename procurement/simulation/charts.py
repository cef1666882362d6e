"""The comparison chart: expected spend per lot, one bar per variant, and the totals; a
server-rendered SVG in the house style (compliance/dashboard/charts.py: no JavaScript, every
mark carries its number as ``data-value`` and a ``<title>`` tooltip)."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from markupsafe import Markup

COLOURS = ("#546e7a", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f")
ROW, LEFT, TOP, GAP = 16, 70, 44, 12


def spend_chart(
    groups: list[tuple[str, list[Decimal | None]]],
    names: list[str],
    *,
    testid: str,
    title: str,
    failed: str,
    width: int = 520,
) -> Markup:
    """``groups``: (label, spend per variant) per lot and for the total; bars scaled per group
    to the group's largest spend (a lot's variants compare with each other, not across lots)."""
    per = max(len(names), 1)
    top_pad = TOP + 15 * max(0, (len(names) - 1) // 2 - 1)
    height = top_pad + len(groups) * (per * ROW + GAP) + 10
    span = width - LEFT - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'data-testid="{testid}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}"><title>{escape(title)}</title>'
    ]
    for i, name in enumerate(names):
        x = 10 + (i % 2) * 250
        y = 12 + (i // 2) * 15
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[i % 7]}"/>'
            f'<text x="{x + 14}" y="{y}" font-size="11">{escape(name[:32])}</text>'
        )
    y = top_pad
    for label, values in groups:
        top = max([v for v in values if v is not None] or [Decimal(1)]) or Decimal(1)
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + per * ROW / 2 + 4}" text-anchor="end" '
            f'font-size="12">{escape(label[:10])}</text>'
        )
        for i, value in enumerate(values):
            parts.append(_bar(label, names[i], i, value, top, y + i * ROW, span, failed))
        y += per * ROW + GAP
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(
    label: str, name: str, i: int, value: Decimal | None, top: Decimal, y: int, span: int, no: str
) -> str:
    length = 0 if value is None else int(span * value / top)
    shown = no if value is None else f"{value:,.2f}"
    data = "" if value is None else str(value)
    return (
        f'<g class="bar" data-lot="{escape(label)}" data-variant="{escape(name)}" '
        f'data-value="{data}"><title>{escape(label)} · {escape(name)}: {escape(shown)}</title>'
        f'<rect x="{LEFT}" y="{y + 1}" width="{max(length, 1)}" height="{ROW - 3}" '
        f'fill="{COLOURS[i % 7]}"/><text x="{LEFT + length + 4}" y="{y + ROW - 3}" '
        f'font-size="10">{escape(shown)}</text></g>'
    )


def chart_groups(compared: list[dict[str, Any]], lots: list[dict[str, Any]], total: str):
    """The chart's groups from a comparison: each lot's spend per variant, then the totals."""
    groups = [
        (lot["lot_code"], [None if c is None else c["spend"] for c in lot["cells"]]) for lot in lots
    ]
    groups.append((total, [v["totals"]["spend"] for v in compared]))
    return groups
