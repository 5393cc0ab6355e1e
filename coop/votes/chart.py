"""A bar chart of a count as server-rendered SVG: no JavaScript, readable by screen readers through its
title and description, and always shown beside a data table with the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

# Drawn in CSS pixels (no viewBox), so the text never shrinks with the page: it stays at the body size
# at 320 px as at 1280 px (WCAG 1.4.4). Bars are percentages of the chart's width, so it reflows.
FONT_SIZE = 19
LABEL_LINE = 24  # the label sits on its own line above its bar, so long names never squeeze the bar
BAR_HEIGHT = 24
GAP = 16
ROW = LABEL_LINE + BAR_HEIGHT + GAP
BAR_MAX_PERCENT = 70  # the rest of the width is room for the number after the longest bar
LABEL_CHARS = 26  # about 290 px of Arial at 19 px: the narrowest page; the table has the full name


def bar_chart(rows: Sequence[tuple[str, str | Decimal | int | None]], *, title: str) -> str:
    """Horizontal bars in the order given, each under its label. Returns SVG markup (already escaped)."""
    values = [(name, Decimal(str(v or 0))) for name, v in rows]
    biggest = max((v for _, v in values), default=Decimal(0)) or Decimal(1)
    height = len(values) * ROW
    description = "; ".join(f"{name}: {count_text(v)}" for name, v in values)
    text = f'font-size="{FONT_SIZE}" font-family="arial, sans-serif" fill="#0b0c0c"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coop-chart" width="100%" height="{height}" '
        f'role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for i, (name, value) in enumerate(values):
        top = i * ROW
        percent = (value / biggest * BAR_MAX_PERCENT).quantize(Decimal("0.1")) if value > 0 else Decimal(0)
        bar = max(percent, Decimal("0.5"))  # a sliver, so a zero still shows where its bar would be
        label = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
        parts.append(f'<text x="0" y="{top + LABEL_LINE - 6}" {text}>{escape(label)}</text>')
        parts.append(
            f'<rect x="0" y="{top + LABEL_LINE}" width="{bar}%" height="{BAR_HEIGHT}" fill="#1d70b8"/>'
        )
        parts.append(
            f'<text x="{bar + 1}%" y="{top + LABEL_LINE + BAR_HEIGHT - 6}" {text}>'
            f"{escape(count_text(value))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def count_text(value: str | Decimal | int) -> str:
    """A count as people read it, the same in the chart and the table: "12" rather than "12.00000",
    and a fractional STV transfer value in full ("3.33333"), never rounded away."""
    number = Decimal(str(value))
    return f"{number.to_integral():f}" if number == number.to_integral() else f"{number.normalize():f}"
