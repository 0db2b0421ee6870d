"""Charts drawn on the server as SVG: no JavaScript, no external resources, printable in PDF.

A chart is a picture of a table that the page shows beside it, so the SVG carries a title and
a short description (role="img", aria-labelledby) and screen readers go to the table for
the values. Colours meet 3:1 contrast against white; points are drawn as well as lines so
the series does not rely on colour alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 260
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 40
LINE_COLOUR = "#005a9c"  # 7:1 against white
GRID_COLOUR = "#767676"  # 4.5:1 against white
BAR_COLOUR = "#005a9c"


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: float


def _nice_ceiling(value: float) -> float:
    """A round upper bound for the y axis (1, 2, 2.5, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _open_svg(height: int, title: str, description: str, content: str) -> str:
    # Ids from the content: the same chart renders the same (answers are compared byte for
    # byte), and two different charts on one page do not share ids.
    chart_id = (
        "chart-" + hashlib.sha256(f"{title}|{description}|{content}".encode()).hexdigest()[:10]
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>'
    )


def _label(value: float, unit: str) -> str:
    text = number_format(value, decimal_pos=0 if value == int(value) else 1)
    return f"{text} %" if unit == "percent" else text


def line_chart(
    points: Sequence[Point], *, title: str, description: str, unit: str = ""
) -> SafeString:
    """A line chart of a daily series; empty series give an SVG saying so."""
    head = _open_svg(HEIGHT, title, description, repr(points))
    values = [p for p in points if p.value is not None]
    if not values:
        body = (
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#1a1a1a">–</text>'
        )
        return mark_safe(head + body + "</svg>")  # every text part is escaped

    top = 100.0 if unit == "percent" else _nice_ceiling(max(p.value for p in values))
    first, last = values[0].day, values[-1].day
    span_days = max((last - first).days, 1)
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(day: dt.date) -> float:
        return MARGIN_LEFT + plot_w * (day - first).days / span_days

    def y(value: float) -> float:
        return MARGIN_TOP + plot_h * (1 - value / top)

    parts = [head]
    for i in range(5):
        tick = top * i / 4
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="{GRID_COLOUR}" stroke-width="0.5"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#1a1a1a">{escape(_label(tick, unit))}</text>'
        )
    for day in (first, last):
        parts.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - 12}" text-anchor="middle" font-size="12" '
            f'fill="#1a1a1a">{escape(date_format(day, "SHORT_DATE_FORMAT"))}</text>'
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(p.day):.1f},{y(p.value):.1f}" for i, p in enumerate(values)
    )
    parts.append(f'<path d="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>')
    # Every point only for short series; long ones would turn into a thick line.
    marked = values if len(values) <= 60 else [*values[:: max(1, len(values) // 12)], values[-1]]
    parts.extend(
        f'<circle cx="{x(p.day):.1f}" cy="{y(p.value):.1f}" r="3" fill="{LINE_COLOUR}"/>'
        for p in marked
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text part is escaped


def bar_chart(
    bars: Sequence[tuple[str, float]], *, title: str, description: str, unit: str = ""
) -> SafeString:
    """Horizontal bars, one per category, labelled with their value."""
    row = 28
    height = MARGIN_TOP + row * max(len(bars), 1) + 8
    label_w = 220
    plot_w = WIDTH - label_w - 80
    top = 100.0 if unit == "percent" else _nice_ceiling(max((v for _l, v in bars), default=0))
    parts = [_open_svg(height, title, description, repr(bars))]
    for i, (label, value) in enumerate(bars):
        y = MARGIN_TOP + i * row
        width = plot_w * value / top if top else 0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#1a1a1a">{escape(label[:34])}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="18" '
            f'fill="{BAR_COLOUR}"><title>{escape(label)}: {escape(_label(value, unit))}</title>'
            f"</rect>"
            f'<text x="{label_w + width + 6:.1f}" y="{y + 17}" font-size="13" '
            f'fill="#1a1a1a">{escape(_label(value, unit))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text part is escaped


__all__ = ["Point", "bar_chart", "line_chart"]
