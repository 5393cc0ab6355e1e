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


@dataclass(frozen=True, slots=True)
class Papers:
    """The contest's ballots read lazily, for counts that only ever need a paper's next continuing candidate.

    `ranks[i]` are ballot i's raw ranks and `at[i]` the index of the rank that gave the paper to the candidate
    now holding it, so a transfer reads on from there and never reads a rank twice. `first[c]` lists the
    papers whose first usable preference is candidate c. Reading a rank applies the module docstring's rules;
    a rank the count never reaches is never read.
    """

    ranks: list[tuple[tuple[int, ...], ...]]
    at: list[int]
    weights: list[int]
    first: list[list[int]]
    first_weights: list[int]
    """`first_weights[c]`: how many papers `first[c]` stands for (their weights added up)."""
    valid_poll: int
    invalid: int
    """Papers set aside because they give no usable first preference."""


def read_first_preferences(contest: Contest) -> Papers:
    """Read every paper up to its first usable preference, for counts that tolerate repeats (WIGM).

    Gives the same counts as `prepare_rankings(contest, repeats_allowed=True)`, without cleaning every rank
    of every ballot first: a count only reads a paper as far as it moves. A candidate number past the list of
    candidates is reported when the count reaches it.
    """
    n = len(contest.candidates)
    if contest.seats < 1:
        raise CountError("an election must have at least one seat")
    withdrawn = contest.withdrawn
    if any(not 0 <= c < n for c in withdrawn):
        raise CountError("a withdrawn candidate is not in the list of candidates")
    ballots = contest.ballots
    count = len(ballots)
    all_ranks: list[tuple[tuple[int, ...], ...]] = [()] * count
    weights = [0] * count
    at = [0] * count
    standing = {c: c not in withdrawn for c in range(n)}
    first: list[list[int]] = [[] for _ in range(n)]
    first_weights = [0] * n
    add_to = [group.append for group in first]
    others: list[int] = []
    # One pass over the ballots: reading the slots in the loop takes a fraction of the instructions of
    # `map(attrgetter(...))` per field, and each group's weight is added up as its papers join it, while
    # they are in cache, instead of by a second pass in scattered order.
    for i, ballot in enumerate(ballots):
        ranks = all_ranks[i] = ballot.ranks
        weight = weights[i] = ballot.weight
        # The common case in a few bytecodes: one declared, standing candidate at the first rank.
        try:
            (c,) = ranks[0]
            if standing[c]:
                add_to[c](i)
                first_weights[c] += weight
                continue
        except (IndexError, ValueError, KeyError):
            pass
        others.append(i)
    if weights and min(weights) < 0:
        raise CountError("a ballot weight cannot be negative")
    invalid = 0
    for i in others:
        found = next_preference(all_ranks[i], -1, standing, n)
        if found is None:
            invalid += weights[i]
        else:
            at[i], c = found
            add_to[c](i)
            first_weights[c] += weights[i]
    return Papers(
        ranks=all_ranks,
        at=at,
        weights=weights,
        first=first,
        first_weights=first_weights,
        valid_poll=sum(first_weights),
        invalid=invalid,
    )


def next_preference(
    ranks: tuple[tuple[int, ...], ...], after: int, continuing: dict[int, bool], n: int
) -> tuple[int, int] | None:
    """The first continuing candidate ranked after rank index `after`, as (rank index, candidate); None if the
    paper's preferences end first (no more ranks, a skipped rank, an overvote or a write-in)."""
    for j in range(after + 1, len(ranks)):
        rank = ranks[j]
        if len(rank) != 1:
            return None
        (c,) = rank
        if c < 0:
            return None
        check_candidate_number(c, n)
        if continuing[c]:
            return j, c
    return None


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
