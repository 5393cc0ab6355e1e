"""Choices on a ballot: reading them from a form, storing them compactly, and saying them in words.

Stored forms (the `vote_ballot.choice` column and the bulletin board): a motion is "for", "against" or
"abstain"; a single choice is an option number ("2"); an approval ballot is the approved option numbers in
order ("0,2", or "" for a blank ballot); a ranked ballot is option numbers in order of preference ("2>0>1").
Option numbers count from 0 in the order the options were listed when the vote was created.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coop.form_values import whole_number

KINDS: dict[str, str] = {
    "motion": "Motion: for, against or abstain",
    "single": "Single choice: choose one option",
    "approval": "Approval: choose any number of options",
    "ranked": "Ranked choice: put options in order (instant runoff)",
    "stv": "Election: rank candidates to fill several seats (single transferable vote)",
}
MOTION_CHOICES = ("for", "against", "abstain")
MOTION_WORDS = {"for": "For", "against": "Against", "abstain": "Abstain"}


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 22 -> "22nd"."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{({1: 'st', 2: 'nd', 3: 'rd'}).get(n % 10, 'th')}"


@dataclass(frozen=True, slots=True)
class ParsedChoice:
    """A ballot read from a form: its stored form, or the problems to show beside the fields."""

    encoded: str | None
    errors: dict[str, str]


def parse_choice(kind: str, options: Sequence[str], form: Mapping[str, list[str]]) -> ParsedChoice:
    """Read a ballot from form fields (each field name maps to all its values)."""

    def one(name: str) -> str:
        values = form.get(name) or [""]
        return values[0].strip()

    if kind == "motion":
        value = one("choice").lower()
        if value not in MOTION_CHOICES:
            return ParsedChoice(None, {"choice": "Select for, against or abstain"})
        return ParsedChoice(value, {})
    if kind == "single":
        value = one("choice")
        index = whole_number(value, low=0, high=len(options) - 1)
        if index is None:
            return ParsedChoice(None, {"choice": "Select one option"})
        return ParsedChoice(str(index), {})
    if kind == "approval":
        picked: set[int] = set()
        for value in form.get("choice", []):
            index = whole_number(value, low=0, high=len(options) - 1)
            if index is None:
                return ParsedChoice(None, {"choice": "Select only options from the list"})
            picked.add(index)
        # A blank approval ballot is valid (counting.md §7), but ask first: it is easy to do by mistake.
        if not picked and one("blank") != "yes":
            return ParsedChoice(
                None, {"choice": "Select the options you approve of, or choose to return a blank ballot"}
            )
        return ParsedChoice(",".join(str(i) for i in sorted(picked)), {})
    if kind in ("ranked", "stv"):
        ranks: dict[int, int] = {}
        for index in range(len(options)):
            value = one(f"rank_{index}")
            if not value:
                continue
            rank = whole_number(value, low=1, high=len(options))
            if rank is None:
                return ParsedChoice(
                    None, {f"rank_{index}": f"Choose a number from 1 to {len(options)}, or leave it blank"}
                )
            ranks[index] = rank
        if not ranks:
            first = "rank_0"
            return ParsedChoice(None, {first: "Give your 1st choice the number 1"})
        used = sorted(ranks.values())
        for index, given in ranks.items():
            if list(ranks.values()).count(given) > 1:
                return ParsedChoice(
                    None,
                    {
                        f"rank_{index}": f"You gave the number {given} to more than one option. "
                        "Give each option a different number"
                    },
                )
        if used != list(range(1, len(used) + 1)):
            missing = next(n for n in range(1, len(used) + 1) if n not in used)
            first_bad = min((i for i, v in ranks.items() if v > missing), default=0)
            return ParsedChoice(
                None,
                {
                    f"rank_{first_bad}": f"You have not used the number {missing}. "
                    "Number your choices 1, 2, 3 and so on without gaps"
                },
            )
        order = sorted(ranks, key=ranks.__getitem__)
        return ParsedChoice(">".join(str(i) for i in order), {})
    raise ValueError(f"unknown vote kind {kind!r}")


def decode_order(encoded: str) -> tuple[int, ...]:
    """An approval or ranked ballot's stored form as its option numbers (in order, for a ranking)."""
    return tuple(int(i) for i in re.split("[,>]", encoded) if i != "")


def decode(kind: str, encoded: str) -> str | int | tuple[int, ...]:
    """The stored form as data: a motion word, an option number, or option numbers in order."""
    if kind == "motion":
        return encoded
    if kind == "single":
        return int(encoded)
    if kind == "approval":
        return tuple(int(i) for i in encoded.split(",") if i != "")
    return tuple(int(i) for i in encoded.split(">") if i != "")


def valid_encoding(kind: str, options: Sequence[str], encoded: str) -> bool:
    """Whether a stored choice is well formed for this vote (the verifier checks every board entry)."""
    try:
        value = decode(kind, encoded)
    except ValueError:
        return False
    if kind == "motion":
        return value in MOTION_CHOICES
    if kind == "single":
        return isinstance(value, int) and 0 <= value < len(options)
    assert isinstance(value, tuple)
    in_range = all(0 <= i < len(options) for i in value) and len(set(value)) == len(value)
    if kind == "approval":
        return in_range and list(value) == sorted(value)
    return in_range and len(value) >= 1


def describe(kind: str, options: Sequence[str], encoded: str) -> str:
    """A choice in words: "For", "Option B", "A and C", "1st Bob, 2nd Alice"."""
    value = decode(kind, encoded)
    if kind == "motion":
        return MOTION_WORDS[str(value)]
    if kind == "single":
        assert isinstance(value, int)
        return options[value]
    assert isinstance(value, tuple)
    if kind == "approval":
        return ", ".join(options[i] for i in value) if value else "Blank ballot (approves nobody)"
    return ", ".join(f"{ordinal(n)} {options[i]}" for n, i in enumerate(value, start=1))


def form_values(kind: str, encoded: str) -> dict[str, list[str]]:
    """The form fields that would produce `encoded` (to pre-fill the ballot when a member changes it)."""
    value = decode(kind, encoded)
    if kind in ("motion", "single"):
        return {"choice": [str(value)]}
    assert isinstance(value, tuple)
    if kind == "approval":
        return {"choice": [str(i) for i in value], "blank": ["yes"] if not value else []}
    return {f"rank_{i}": [str(n)] for n, i in enumerate(value, start=1)}
