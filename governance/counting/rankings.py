"""Turn raw ranked ballots into the clean preference lists that STV counts read.

A paper's preferences run in rank order and stop at the first rank that does not name exactly one declared
candidate: a skipped rank breaks the sequence and an overvote (two candidates at one rank) names no next
preference, as on a Scottish paper numbered 1, 2, 4 or 1, 2, 2 (the sequence counts up to the break). A
withdrawn candidate, or a candidate already ranked higher on the same paper, is passed over. A paper with no
usable first preference is invalid and is not part of the valid poll. Identical clean lists are merged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter

from governance.counting.model import Contest, CountError


@dataclass(frozen=True, slots=True)
class Rankings:
    """Distinct clean preference lists (candidate indexes, best first) and how many papers carry each."""

    prefs: list[tuple[int, ...]]
    weights: list[int]
    valid_poll: int
    invalid: int
    """Papers set aside because they give no usable first preference."""


def prepare_rankings(contest: Contest, *, repeats_allowed: bool = False) -> Rankings:
    """Clean and merge the contest's ballots (see the module docstring for the rules applied).

    `repeats_allowed=True` skips the search for a candidate ranked twice on an otherwise regular paper and
    leaves the repeat in: right for counts that only ever look for the first continuing candidate on a
    paper (a repeated candidate is never continuing when met again), and a third faster on large counts.
    """
    n = len(contest.candidates)
    if contest.seats < 1:
        raise CountError("an election must have at least one seat")
    withdrawn = contest.withdrawn
    if any(not 0 <= c < n for c in withdrawn):
        raise CountError("a withdrawn candidate is not in the list of candidates")
    standing = frozenset(range(n)) - withdrawn
    ballots = contest.ballots
    # Identical raw ballots are merged first, so only distinct rankings are cleaned. Unit weights (raw
    # ballots, the large case) are counted by `Counter` at C speed.
    raw: dict[tuple[tuple[int, ...], ...], int]
    weights_seen = set(map(attrgetter("weight"), ballots))
    if weights_seen <= {1}:
        raw = Counter(map(attrgetter("ranks"), ballots))
    else:
        if min(weights_seen) < 0:
            raise CountError("a ballot weight cannot be negative")
        raw = {}
        raw_get = raw.get
        for ballot in ballots:
            ranks = ballot.ranks
            raw[ranks] = raw_get(ranks, 0) + ballot.weight
    prefs: list[tuple[int, ...]] = []
    weights: list[int] = []
    keep_prefs = prefs.append
    keep_weight = weights.append
    irregular: dict[tuple[int, ...], int] = {}
    invalid = 0
    for ranks, weight in raw.items():
        # Fast path: every rank one distinct, declared, standing candidate (almost every real paper).
        # With no empty rank, a flat list as long as the ranks means exactly one candidate per rank. Such
        # lists are all different (their raw ballots were), so they need no merging.
        flat: tuple[int, ...] = sum(ranks, ())
        if (
            flat
            and len(flat) == len(ranks)
            and () not in ranks
            and standing.issuperset(flat)
            and (repeats_allowed or len(set(flat)) == len(flat))
        ):
            keep_prefs(flat)
            keep_weight(weight)
            continue
        cleaned = _clean(ranks, n, withdrawn)
        if cleaned:
            irregular[cleaned] = irregular.get(cleaned, 0) + weight
        else:
            invalid += weight
    if irregular:
        position = {p: i for i, p in enumerate(prefs)}
        for cleaned, weight in irregular.items():
            if cleaned in position:
                weights[position[cleaned]] += weight
            else:
                keep_prefs(cleaned)
                keep_weight(weight)
    return Rankings(prefs=prefs, weights=weights, valid_poll=sum(weights), invalid=invalid)


def check_candidate_number(c: int, n: int) -> None:
    """A rank naming the single number `c`, not a declared candidate, was read: a marker (a write-in, an
    unnamed overvote) stops the paper there, as in `_clean`; a number past the candidates is an error."""
    if c >= n:
        raise CountError(f"a ballot ranks candidate number {c + 1}, but there are only {n} candidates")


def _clean(ranks: tuple[tuple[int, ...], ...], n: int, withdrawn: frozenset[int]) -> tuple[int, ...]:
    out: list[int] = []
    for rank in ranks:
        if len(rank) != 1:
            break  # skipped rank or overvote: the sequence of preferences stops here
        (c,) = rank
        if c < 0:
            break  # a write-in or an unnamed overvote names no candidate on the paper
        check_candidate_number(c, n)
        if c in withdrawn or c in out:
            continue
        out.append(c)
    return tuple(out)
