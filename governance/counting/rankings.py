"""Turn raw ranked ballots into the clean preference lists that STV counts read.

A paper's preferences run in rank order and stop at the first rank that does not name exactly one declared
candidate: a skipped rank breaks the sequence and an overvote (two candidates at one rank) names no next
preference, as on a Scottish paper numbered 1, 2, 4 or 1, 2, 2 (the sequence counts up to the break). A
withdrawn candidate, or a candidate already ranked higher on the same paper, is passed over. A paper with no
usable first preference is invalid and is not part of the valid poll. Identical clean lists are merged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from governance.counting.model import Contest, CountError


@dataclass(frozen=True, slots=True)
class Rankings:
    """Distinct clean preference lists (candidate indexes, best first) and how many papers carry each."""

    prefs: list[tuple[int, ...]]
    weights: list[int]
    valid_poll: int
    invalid: int
    """Papers set aside because they give no usable first preference."""


def prepare_rankings(contest: Contest) -> Rankings:
    """Clean and merge the contest's ballots (see the module docstring for the rules applied)."""
    n = len(contest.candidates)
    if contest.seats < 1:
        raise CountError("an election must have at least one seat")
    withdrawn = contest.withdrawn
    if any(not 0 <= c < n for c in withdrawn):
        raise CountError("a withdrawn candidate is not in the list of candidates")
    # Fast path: every rank a single, distinct, declared, standing candidate (almost every real paper).
    simple: dict[tuple[int, ...], int] = {(c,): c for c in range(n) if c not in withdrawn}
    lookup: Callable[[tuple[int, ...]], int | None] = simple.get
    merged: dict[tuple[int, ...], int] = {}
    get = merged.get
    invalid = 0
    for ballot in contest.ballots:
        weight = ballot.weight
        if weight < 0:
            raise CountError("a ballot weight cannot be negative")
        ranks = ballot.ranks
        flat = tuple(map(lookup, ranks))
        if None in flat or len(set(flat)) != len(flat):
            prefs = _clean(ranks, n, withdrawn)
        else:
            prefs = cast("tuple[int, ...]", flat)  # no None in it: checked above
        if prefs:
            merged[prefs] = get(prefs, 0) + weight
        else:
            invalid += weight
    return Rankings(
        prefs=list(merged),
        weights=list(merged.values()),
        valid_poll=sum(merged.values()),
        invalid=invalid,
    )


def _clean(ranks: tuple[tuple[int, ...], ...], n: int, withdrawn: frozenset[int]) -> tuple[int, ...]:
    out: list[int] = []
    for rank in ranks:
        if len(rank) != 1:
            break  # skipped rank or overvote: the sequence of preferences stops here
        (c,) = rank
        if c < 0:
            break  # a write-in or an unnamed overvote names no candidate on the paper
        if c >= n:
            raise CountError(f"a ballot ranks candidate number {c + 1}, but there are only {n} candidates")
        if c in withdrawn or c in out:
            continue
        out.append(c)
    return tuple(out)
