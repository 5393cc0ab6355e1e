"""Typed rule violations: a stable `code` for programs and a plain-English `message` safe to show members.

Every part of `governance/` reports broken rules with these, so the web layer can map them in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule.

    `code` is stable and dotted, area first (e.g. "board.class_minimum"); programs and tests match on it.
    `message` is one or two plain-English sentences a member can read, e.g. "The board would have 1 family
    carer; the constitution requires at least 2."
    """

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


class RuleViolationError(ValueError):
    """Raised when a caller asks for something the rules forbid; carries every violation found."""

    def __init__(self, violations: Iterable[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        super().__init__("; ".join(v.message for v in self.violations) or "a rule was broken")
