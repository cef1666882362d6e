"""Server-rendered SVG charts of price monitoring, in the house style of the supply-risk and
dashboard charts: no JavaScript, every mark carries its number as ``data-value`` and a
``<title>`` tooltip. The SVG scales down to the page's width (``viewBox``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from procurement.compliance.prices.calc import HUNDRED, IndexPoint

LINE, BASE, OVER, OK = "#1565c0", "#757575", "#c62828", "#2e7d32"


def _svg(testid: str, title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'data-testid="{testid}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
    )


def index_chart(
    points: list[IndexPoint], *, testid: str, title: str, base_label: str, width: int = 640
) -> Markup:
    """The monthly index as a line (months without an index leave a gap), the base (100)
    dashed."""
    pad, left, height = 30, 44, 240
    values = [p.index for p in points if p.index is not None]
    low = min([*values, HUNDRED]) * Decimal("0.9")
    high = max([*values, HUNDRED]) * Decimal("1.1")
    n = max(len(points) - 1, 1)

    def x(i: int) -> int:
        return left + int((width - left - pad) * i / n)

    def y(value: Decimal) -> int:
        return height - pad - int((height - 2 * pad) * (value - low) / (high - low))

    parts = [
        _svg(testid, title, width, height),
        f'<line x1="{left}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        f'stroke="#999"/>',
        f'<line class="base" x1="{left}" y1="{y(HUNDRED)}" x2="{width - pad}" '
        f'y2="{y(HUNDRED)}" stroke="{BASE}" stroke-dasharray="5,4" data-value="100"/>',
        f'<text x="{left - 4}" y="{y(HUNDRED) + 4}" font-size="11" text-anchor="end">100</text>',
        f'<text x="{width - pad}" y="{y(HUNDRED) - 4}" font-size="10" text-anchor="end" '
        f'fill="{BASE}">{escape(base_label)}</text>',
    ]
    step = max(1, len(points) // 12)
    for i, p in enumerate(points):
        if i % step == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x(i)}" y="{height - pad + 16}" font-size="10" '
                f'text-anchor="middle">{escape(p.month[2:])}</text>'
            )
    runs: list[list[tuple[int, IndexPoint]]] = [[]]
    for i, p in enumerate(points):
        if p.index is None:
            runs.append([])
        else:
            runs[-1].append((i, p))
    for run in runs:
        if len(run) > 1:
            coords = " ".join(f"{x(i)},{y(p.index)}" for i, p in run if p.index is not None)
            parts.append(
                f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="{coords}"/>'
            )
    for i, p in enumerate(points):
        if p.index is None:
            continue
        parts.append(
            f'<circle class="point" cx="{x(i)}" cy="{y(p.index)}" r="4" fill="{LINE}" '
            f'data-month="{p.month}" data-value="{p.index}"><title>{p.month}: {p.index} · '
            f"{p.average}</title></circle>"
        )
        if len(points) <= 13:  # one label per point while they fit
            parts.append(
                f'<text class="value" x="{x(i)}" y="{y(p.index) - 8}" font-size="10" '
                f'text-anchor="middle">{p.index}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class PriceBar:
    key: str  # the institution's id
    label: str
    value: Decimal  # its average unit price
    lowest: Decimal  # its province's lowest average
    over: bool  # an outlier
    note: str  # the tooltip's second part


def price_chart(bars: list[PriceBar], *, testid: str, title: str, width: int = 640) -> Markup:
    """One bar per institution: its average unit price, red when an outlier, a tick at its
    province's lowest."""
    row, left, top = 22, 190, 8
    height = top + row * max(len(bars), 1) + 8
    span = width - left - 70
    top_value = max([b.value for b in bars] or [Decimal(1)]) or Decimal(1)
    parts = [_svg(testid, title, width, height)]
    for i, bar in enumerate(bars):
        y = top + i * row
        length = int(span * bar.value / top_value)
        tick = left + int(span * bar.lowest / top_value)
        parts.append(
            f'<g class="bar" data-key="{escape(bar.key)}" data-value="{bar.value}" '
            f'data-over="{"yes" if bar.over else "no"}">'
            f"<title>{escape(bar.label)}: {bar.value} · {escape(bar.note)}</title>"
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(bar.label[:16])}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{max(length, 1)}" height="{row - 8}" '
            f'fill="{OVER if bar.over else OK}"/>'
            f'<line x1="{tick}" y1="{y}" x2="{tick}" y2="{y + row - 2}" stroke="#212121" '
            f'stroke-width="2" data-lowest="{bar.lowest}"/>'
            f'<text x="{left + length + 4}" y="{y + 14}" font-size="12">{bar.value}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
