"""Turn raw ranked ballots into the clean preference lists that STV counts read.

A paper's preferences run in rank order and stop at the first rank that does not name exactly one declared
candidate: a skipped rank breaks the sequence and an overvote (two candidates at one rank) names no next
preference, as on a Scottish paper numbered 1, 2, 4 or 1, 2, 2 (the sequence counts up to the break). A
withdrawn candidate, or a candidate already ranked higher on the same paper, is passed over. A paper with no
usable first preference is invalid and is not part of the valid poll. Identical clean lists are merged.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    standing = frozenset(range(n)) - withdrawn
    # Identical raw ballots are merged first (one dict pass), so only distinct rankings are cleaned.
    raw: dict[tuple[tuple[int, ...], ...], int] = {}
    raw_get = raw.get
    for ballot in contest.ballots:
        ranks = ballot.ranks
        raw[ranks] = raw_get(ranks, 0) + ballot.weight
    merged: dict[tuple[int, ...], int] = {}
    get = merged.get
    invalid = 0
    for ranks, weight in raw.items():
        if weight < 0:
            raise CountError("a ballot weight cannot be negative")
        # Fast path: every rank one distinct, declared, standing candidate (almost every real paper).
        # With no empty rank, a flat list as long as the ranks means exactly one candidate per rank.
        flat: tuple[int, ...] = sum(ranks, ())
        if len(flat) == len(ranks) and () not in ranks:
            members = set(flat)
            prefs = flat if len(members) == len(flat) and members <= standing else _clean(ranks, n, withdrawn)
        else:
            prefs = _clean(ranks, n, withdrawn)
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
