"""Vote figures in STV counts: exact values (scaled integers or fractions) and how a sheet shows them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

Value = int | Fraction
"""A number of votes: an integer in units of 10^-places (fixed-point rules) or an exact fraction."""


def to_decimal(value: Value, places: int, *, scaled: bool) -> Decimal:
    """The exact decimal of a scaled integer, or a fraction rounded half up to `places` decimals (display)."""
    if scaled:
        return Decimal(int(value)).scaleb(-places)
    fraction = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def votes_text(amount: Decimal, places: int) -> str:
    """`1234.5` → `1,234.50000` at 5 places: the figure as a count sheet prints it."""
    return f"{amount:,.{places}f}"
