"""Server-rendered SVG charts of supply risk, in the dashboard's house style
(``compliance/dashboard/charts.py``): no JavaScript, every mark carries its number as
``data-value`` and a ``<title>`` tooltip, and links to the rows behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from procurement.compliance.supply_risk.risk import LATE_RATE_LIMIT, SCORE_MAX, percent

LEVEL_COLOURS = {"high": "#c62828", "medium": "#ef6c00", "low": "#2e7d32"}
SERIES_COLOURS = ("#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#558b2f", "#4e342e")


def _svg(testid: str, title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'data-testid="{testid}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}"><title>{escape(title)}</title>'
    )


def palette(keys: list[str]) -> dict[str, str]:
    """One colour per winner, the same in every chart of the page."""
    return {k: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, k in enumerate(keys)}


def _legend(entries: list[tuple[str, str, str]], x: int, y: int, width: int) -> str:
    """Colour swatches with the winners' names, wrapped over rows of 200 px columns."""
    per_row = max((width - x) // 200, 1)
    out = []
    for i, (key, label, colour) in enumerate(entries):
        lx, ly = x + (i % per_row) * 200, y + (i // per_row) * 18
        out.append(
            f'<g class="legend" data-key="{escape(key)}"><rect x="{lx}" y="{ly}" width="10" '
            f'height="10" fill="{colour}"/><text x="{lx + 14}" y="{ly + 9}" font-size="11">'
            f"{escape(label[:26])}</text></g>"
        )
    return "".join(out)


def legend_height(count: int, x: int, width: int) -> int:
    per_row = max((width - x) // 200, 1)
    return 18 * ((count + per_row - 1) // per_row) if count else 0


@dataclass(frozen=True)
class ScoreBar:
    key: str
    label: str
    score: int
    level: str
    note: str  # the tooltip's second part (HHI, regions without backup)
    href: str


def score_chart(bars: list[ScoreBar], *, testid: str, title: str, width: int = 640) -> Markup:
    """Horizontal bars of risk scores on the 0-100 scale, coloured by level."""
    row, left, top = 22, 180, 8
    height = top + row * max(len(bars), 1) + 8
    span = width - left - 50
    parts = [_svg(testid, title, width, height)]
    for i, bar in enumerate(bars):
        y = top + i * row
        length = int(span * bar.score / SCORE_MAX)
        parts.append(
            f'<a href="{escape(bar.href)}"><g class="bar" data-key="{escape(bar.key)}" '
            f'data-value="{bar.score}" data-level="{bar.level}">'
            f"<title>{escape(bar.label)}: {bar.score} · {escape(bar.note)}</title>"
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(bar.label[:24])}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{max(length, 1)}" height="{row - 8}" '
            f'fill="{LEVEL_COLOURS[bar.level]}"/>'
            f'<text x="{left + length + 4}" y="{y + 14}" font-size="12">{bar.score}</text></g></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Segment:
    key: str  # the winner's id
    label: str
    share: Decimal


@dataclass(frozen=True)
class StackedBar:
    key: str
    label: str
    segments: list[Segment]
    href: str


def share_chart(
    bars: list[StackedBar],
    names: dict[str, str],
    *,
    testid: str,
    title: str,
    width: int = 640,
) -> Markup:
    """One 100% bar per region, split into its winners' shares (``names``: winner key ->
    name, in legend order; same colour, same winner)."""
    row, left, top = 24, 140, 8
    colour = palette(list(names))
    body = top + row * max(len(bars), 1) + 8
    height = body + legend_height(len(names), 10, width) + 4
    span = width - left - 10
    parts = [_svg(testid, title, width, height)]
    for i, bar in enumerate(bars):
        y, x = top + i * row, left
        parts.append(
            f'<a href="{escape(bar.href)}"><g class="stack" data-key="{escape(bar.key)}">'
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(bar.label[:18])}</text>"
        )
        for seg in bar.segments:
            fill = colour.get(seg.key, "#999")
            length = int(span * seg.share)
            parts.append(
                f'<rect class="segment" x="{x}" y="{y + 3}" width="{max(length, 1)}" '
                f'height="{row - 8}" fill="{fill}" stroke="#fff" data-winner="{escape(seg.key)}" '
                f'data-value="{seg.share}"><title>{escape(bar.label)} · {escape(seg.label)}: '
                f"{percent(seg.share)}</title></rect>"
            )
            x += length
        parts.append("</g></a>")
    parts.append(_legend([(k, n, colour[k]) for k, n in names.items()], 10, body, width))
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    rates: list[Decimal | None]  # one per month; None: no line due that month


def late_chart(
    months: list[str],
    series: list[Series],
    *,
    testid: str,
    title: str,
    width: int = 640,
    in_progress: str | None = None,
    in_progress_label: str = "in progress",
) -> Markup:
    """Late-delivery rate per winner and month (lines), with the rule's limit (dashed). The
    month ``in_progress`` (not judged by the rule, its figures still moving) has hollow points
    and its axis label says so."""
    pad, plot = 36, 220
    colour = palette([s.key for s in series])
    height = plot + legend_height(len(series), pad, width)
    top = max([LATE_RATE_LIMIT * 2, *[r for s in series for r in s.rates if r is not None]])
    n = max(len(months) - 1, 1)

    def xy(index: int, value: Decimal) -> tuple[int, int]:
        return (
            pad + int((width - 2 * pad) * index / n),
            plot - pad - int((plot - 2 * pad) * value / top),
        )

    limit_y = xy(0, LATE_RATE_LIMIT)[1]
    parts = [
        _svg(testid, title, width, height),
        f'<line x1="{pad}" y1="{plot - pad}" x2="{width - pad}" y2="{plot - pad}" stroke="#999"/>',
        f'<line class="limit" x1="{pad}" y1="{limit_y}" x2="{width - pad}" y2="{limit_y}" '
        f'stroke="#c62828" stroke-dasharray="5,4" data-value="{LATE_RATE_LIMIT}"/>',
    ]
    for i, month in enumerate(months):
        x = xy(i, Decimal(0))[0]
        label, css = escape(month[2:]), ""
        if month == in_progress:
            label = Markup(f'{label}<tspan x="{x}" dy="11">{escape(in_progress_label)}</tspan>')
            css = ' class="in-progress"'
        parts.append(
            f'<text x="{x}" y="{plot - pad + 16}" font-size="10" text-anchor="middle"{css}>'
            f"{label}</text>"
        )
    for s in series:
        parts.append(_series(s, months, xy, colour[s.key], in_progress, in_progress_label))
    parts.append(_legend([(s.key, s.label, colour[s.key]) for s in series], pad, plot, width))
    parts.append("</svg>")
    return Markup("".join(parts))


def _series(
    s: Series,
    months: list[str],
    xy: Callable[[int, Decimal], tuple[int, int]],
    fill: str,
    in_progress: str | None,
    in_progress_label: str,
) -> str:
    points = [(i, r) for i, r in enumerate(s.rates) if r is not None]
    coords = " ".join("{},{}".format(*xy(i, r)) for i, r in points)
    out = [
        f'<g class="series" data-key="{escape(s.key)}">'
        f'<polyline fill="none" stroke-width="2" stroke="{fill}" points="{coords}"/>'
    ]
    for i, r in points:
        x, y = xy(i, r)
        if months[i] == in_progress:  # hollow: not judged yet
            look, note = (
                f'class="point in-progress" fill="#fff" stroke="{fill}"',
                (f" ({escape(in_progress_label)})"),
            )
        else:
            look, note = f'class="point" fill="{fill}"', ""
        out.append(
            f'<circle {look} cx="{x}" cy="{y}" r="3" '
            f'data-month="{months[i]}" data-value="{r}"><title>{escape(s.label)} · '
            f"{months[i]}: {percent(r)}{note}</title></circle>"
        )
    out.append("</g>")
    return "".join(out)
