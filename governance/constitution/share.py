"""Exact shares such as "more than 50%" or "at least 75%": parsed from rule text, compared without floats."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Comparison(StrEnum):
    """How a share is compared: strictly above, at or above, or at or below the fraction."""

    MORE_THAN = "more than"
    AT_LEAST = "at least"
    AT_MOST = "at most"


_SHARE_TEXT = re.compile(r"^\s*(more than|at least|at most)\s+(\d+(?:\.\d+)?\s*%|\d+\s*/\s*\d+)\s*$", re.I)


def parse_fraction(text: str) -> Fraction:
    """Read "75%", "66.5%" or "2/3" as an exact fraction of one; raise ValueError otherwise."""
    cleaned = text.strip()
    if cleaned.endswith("%"):
        number = cleaned[:-1].strip()
        if not re.fullmatch(r"\d+(?:\.\d+)?", number):
            raise ValueError(f"not a percentage: {text!r}")
        # Fraction(str) is exact for decimal text, so "66.5%" stays 133/200.
        return Fraction(number) / 100
    match = re.fullmatch(r"(\d+)\s*/\s*(\d+)", cleaned)
    if match is None or int(match.group(2)) == 0:
        raise ValueError(f"not a fraction: {text!r}")
    return Fraction(int(match.group(1)), int(match.group(2)))


def format_fraction(value: Fraction) -> str:
    """Show a fraction as a percentage when that is exact ("75%"), otherwise as "2/3"."""
    percent = value * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    if (percent * 100).denominator == 1:
        return f"{percent.numerator / percent.denominator:.2f}".rstrip("0").rstrip(".") + "%"
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True, slots=True)
class Share:
    """A required share of a whole, e.g. "more than 50%" of votes cast or "at least 75%" of directors."""

    comparison: Comparison
    fraction: Fraction

    def __post_init__(self) -> None:
        if not 0 <= self.fraction <= 1:
            raise ValueError("a share must be between 0% and 100%")

    @classmethod
    def parse(cls, text: str) -> Share:
        """Read "more than 50%", "at least 75%", "at least 2/3" or "at most 10%"; else raise ValueError."""
        match = _SHARE_TEXT.match(text)
        if match is None:
            raise ValueError(f"not a share: {text!r}")
        return cls(Comparison(match.group(1).lower()), parse_fraction(match.group(2)))

    def __str__(self) -> str:
        return f"{self.comparison.value} {format_fraction(self.fraction)}"

    def is_met(self, part: Fraction | int, whole: Fraction | int) -> bool:
        """Whether `part` out of `whole` meets the share, in exact arithmetic.

        An empty whole meets no "more than"/"at least" share: a resolution with no votes cast does not pass,
        and an empty board is not user-led. It meets an "at most" share, since nothing is over the cap.
        """
        if whole == 0:
            return self.comparison is Comparison.AT_MOST
        if self.comparison is Comparison.MORE_THAN:
            return part > self.fraction * whole
        if self.comparison is Comparison.AT_LEAST:
            return part >= self.fraction * whole
        return part <= self.fraction * whole

    def smallest_whole_number(self, whole: int) -> int:
        """The fewest whole units out of `whole` that meet a "more than"/"at least" share.

        E.g. more than 50% of 6 is 4, at least 75% of 5 is 4. For an "at most" share, the most allowed.
        """
        exact = self.fraction * whole
        if self.comparison is Comparison.MORE_THAN:
            return math.floor(exact) + 1
        if self.comparison is Comparison.AT_LEAST:
            return math.ceil(exact)
        return math.floor(exact)

    def stricter_than(self, other: Share) -> bool:
        """Whether this share demands more than `other` (both being lower bounds such as majorities)."""
        if self.fraction != other.fraction:
            return self.fraction > other.fraction
        return self.comparison is Comparison.MORE_THAN and other.comparison is Comparison.AT_LEAST
