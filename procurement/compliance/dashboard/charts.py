"""Server-rendered SVG charts (no JavaScript, no CDN). Every mark carries its number as
``data-value`` and a ``<title>`` tooltip, and links to the rows behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from markupsafe import Markup

from procurement.core.money import round_places


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: Decimal | None  # a ratio (1 = 100%)
    href: str
    target: Decimal | None = None  # the on-track line for this bar


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{round_places(value * 100, 1)}%"


def bar_chart(bars: list[Bar], *, testid: str, title: str, width: int = 640) -> Markup:
    """Horizontal bars of completion (ratio), scaled to the largest value (at least 100%)."""
    row, left, top = 22, 180, 24
    height = top + row * max(len(bars), 1) + 24
    scale_max = max([Decimal(1), *[b.value or Decimal(0) for b in bars]])
    span = width - left - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'data-testid="{testid}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}"><title>{escape(title)}</title>'
    ]
    for i, bar in enumerate(bars):
        y = top + i * row
        length = int(span * (bar.value or 0) / scale_max)
        shown = "" if bar.value is None else str(bar.value)
        colour = "#2e7d32" if bar.target is None or (bar.value or 0) >= bar.target else "#c62828"
        parts.append(
            f'<a href="{escape(bar.href)}"><g class="bar" data-key="{escape(bar.key)}" '
            f'data-label="{escape(bar.label)}" data-value="{shown}">'
            f"<title>{escape(bar.label)}: {_pct(bar.value)}</title>"
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(bar.label[:24])}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{max(length, 1)}" height="{row - 8}" '
            f'fill="{colour}"/><text x="{left + length + 4}" y="{y + 14}" font-size="12">'
            f"{_pct(bar.value)}</text></g></a>"
        )
        if bar.target is not None:
            x = left + int(span * bar.target / scale_max)
            parts.append(
                f'<line x1="{x}" x2="{x}" y1="{y + 1}" y2="{y + row - 3}" '
                'stroke="#555" stroke-dasharray="2,2"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Point:
    day: date
    completion: Decimal
    time_progress: Decimal
    href: str


def line_chart(points: list[Point], *, testid: str, title: str, width: int = 640) -> Markup:
    """Completion (solid) against time elapsed (dashed) over the contract year, month ends."""
    height, pad = 260, 40
    top = max([Decimal(1), *[p.completion for p in points]])
    n = max(len(points) - 1, 1)

    def xy(index: int, value: Decimal) -> tuple[int, int]:
        return (
            pad + int((width - 2 * pad) * index / n),
            height - pad - int((height - 2 * pad) * value / top),
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'data-testid="{testid}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}"><title>{escape(title)}</title>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#999"/>',
    ]
    for series, attr, style in (
        ("time", "time_progress", 'stroke-dasharray="5,4" stroke="#777"'),
        ("completion", "completion", 'stroke="#1565c0"'),
    ):
        coords = " ".join("{},{}".format(*xy(i, getattr(p, attr))) for i, p in enumerate(points))
        parts.append(
            f'<polyline class="{series}" fill="none" stroke-width="2" {style} points="{coords}"/>'
        )
    for i, p in enumerate(points):
        x, y = xy(i, p.completion)
        parts.append(
            f'<a href="{escape(p.href)}"><circle class="point" cx="{x}" cy="{y}" r="4" '
            f'fill="#1565c0" data-day="{p.day}" data-value="{p.completion}" '
            f'data-time="{p.time_progress}"><title>{p.day}: {_pct(p.completion)} '
            f"(time {_pct(p.time_progress)})</title></circle></a>"
            f'<text x="{x}" y="{height - pad + 16}" font-size="10" text-anchor="middle">'
            f"{p.day:%m-%d}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
