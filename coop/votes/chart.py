"""A bar chart of a count as server-rendered SVG: no JavaScript, readable by screen readers through its
title and description, and always shown beside a data table with the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

BAR_HEIGHT = 28
GAP = 12
LABEL_WIDTH = 220
BAR_WIDTH = 360
VALUE_WIDTH = 80


def bar_chart(rows: Sequence[tuple[str, str | Decimal | int | None]], *, title: str) -> str:
    """Horizontal bars, longest first in the order given. Returns SVG markup (already escaped)."""
    values = [(name, Decimal(str(v or 0))) for name, v in rows]
    biggest = max((v for _, v in values), default=Decimal(0)) or Decimal(1)
    height = len(values) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    description = "; ".join(f"{name}: {_number(v)}" for name, v in values)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coop-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for i, (name, value) in enumerate(values):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = int(BAR_WIDTH * value / biggest) if value > 0 else 0
        label = name if len(name) <= 28 else name[:27] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.0f}" text-anchor="end" '
            f'font-size="16" fill="#0b0c0c">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 2)}" height="{BAR_HEIGHT}" fill="#1d70b8"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + max(length, 2) + 8}" y="{y + BAR_HEIGHT * 0.7:.0f}" font-size="16" '
            f'fill="#0b0c0c">{escape(_number(value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
    return text
