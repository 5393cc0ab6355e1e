"""The one data model every ranked count shares: contests in, count sheets out.

Readers (BLT, RCTab CVRs, CSV) produce a `Contest`; counters (IRV, STV rule sets) take a `Contest` and
return a `CountSheet`. Ranks stay raw in the ballot (skips, overvotes, repeats): applying overvote, skip and
duplicate rules is the counter's job, because those are rule options (counting.md §9).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice, takewhile
from typing import Literal, overload

from governance.counting.table import RankTable, rank_table

# Markers that may stand in a rank besides candidate indexes.
UNDECLARED_WRITE_IN = -1
"""A write-in that names no declared candidate (RCTab `UWI`)."""
OVERVOTE_UNKNOWN = -2
"""An overvote whose candidates are not named (an `overvote` label in a CVR)."""


@dataclass(frozen=True, slots=True)
class RankedBallot:
    """One ballot paper, or `weight` identical papers.

    `ranks[i]` holds the candidate indexes marked at preference i+1: empty for a skipped rank, one index
    normally, several for an overvote. Indexes point into `Contest.candidates`; the markers above may appear.
    """

    ranks: tuple[tuple[int, ...], ...]
    weight: int = 1


Ranking = tuple[tuple[int, ...], ...]


class TableBallots(Sequence[RankedBallot]):
    """A contest's ballots held only as its rank table, for readers that lay a file out as the table directly
    (`blt_numeric`, `table_layout`) instead of making a Python object per paper.

    A `RankedBallot` is made only when one is asked for (a counter reading one irregular paper by hand, a
    count that reads papers in Python). The table's codes hold every rank that names one declared candidate;
    the few ballots with any other rank (skipped, overvote, marker, unknown number, no ranks at all) keep
    their raw ranks in `raw`, by row, so nothing is lost. Equal to a tuple of the same ballots.
    """

    __slots__ = ("_singles", "raw", "table")

    def __init__(self, table: RankTable, raw: Mapping[int, Ranking]) -> None:
        self.table = table
        self.raw = raw
        # One shared rank object per candidate, as `merged_ballots` shares them.
        self._singles: list[tuple[int, ...]] = [(c - 1,) for c in range(table.candidates + 1)]

    def __len__(self) -> int:
        return int(self.table.weights.shape[0])

    def _ballot(self, row: int, cells: list[int], weight: int) -> RankedBallot:
        raw = self.raw.get(row)
        if raw is not None:
            return RankedBallot(raw, weight)
        return RankedBallot(tuple(map(self._singles.__getitem__, takewhile(bool, cells))), weight)

    @overload
    def __getitem__(self, index: int) -> RankedBallot: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[RankedBallot, ...]: ...
    def __getitem__(self, index: int | slice) -> RankedBallot | tuple[RankedBallot, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        row = range(len(self))[index]  # IndexError past the end, negative indexes from the end
        return self._ballot(row, self.table.cells[row].tolist(), int(self.table.weights[row]))

    def __iter__(self) -> Iterator[RankedBallot]:
        cells, weights = self.table.cells, self.table.weights
        step = 65_536  # rows turned into Python lists at a time, so memory stays flat
        for start in range(0, len(self), step):
            rows = zip(
                cells[start : start + step].tolist(), weights[start : start + step].tolist(), strict=True
            )
            for row, (row_cells, weight) in enumerate(rows, start=start):
                yield self._ballot(row, row_cells, weight)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        shown = ", ".join(map(repr, islice(self, 3)))
        return f"TableBallots({len(self)} ballots: {shown}{', ...' if len(self) > 3 else ''})"


@dataclass(frozen=True, slots=True)
class Contest:
    """An election to count: candidates, seats and the (aggregated) ballots."""

    title: str
    candidates: tuple[str, ...]
    seats: int
    ballots: Sequence[RankedBallot]
    """The (aggregated) ballots: a tuple, or `TableBallots` from a reader that made the table directly."""
    withdrawn: frozenset[int] = frozenset()
    """Candidates who stood but are out of the count before it starts (BLT withdrawn line, RCTab excluded)."""
    table: RankTable = field(init=False, repr=False, compare=False)
    """The same ballots as one matrix of rank codes (`table` module), laid out once with the contest so that
    counts that move papers in bulk read them at memory speed."""

    def __post_init__(self) -> None:
        ballots = self.ballots
        if isinstance(ballots, TableBallots) and ballots.table.candidates == len(self.candidates):
            object.__setattr__(self, "table", ballots.table)
            return
        try:
            table = rank_table(ballots, len(self.candidates))
        except OverflowError:
            raise CountError("a ballot weight is too large to count") from None
        object.__setattr__(self, "table", table)

    @property
    def total_weight(self) -> int:
        return sum(self.table.weights.tolist())

    def restated(self, *, title: str | None = None, seats: int | None = None) -> Contest:
        """The same ballots under another title or number of seats.

        The ballots are unchanged, so the copy shares this contest's rank table instead of laying it out
        again (about 0.4 s at a million papers).
        """
        restated = copy.copy(self)  # copies the fields as they stand: no __post_init__, no new table
        if title is not None:
            object.__setattr__(restated, "title", title)
        if seats is not None:
            object.__setattr__(restated, "seats", seats)
        return restated


def aggregate(ballots: Iterable[RankedBallot]) -> tuple[RankedBallot, ...]:
    """Merge identical rankings into one weighted ballot, keeping first-seen order (deterministic)."""
    weights: dict[tuple[tuple[int, ...], ...], int] = {}
    for ballot in ballots:
        weights[ballot.ranks] = weights.get(ballot.ranks, 0) + ballot.weight
    return merged_ballots(weights)


def merged_ballots(weights: Mapping[tuple[tuple[int, ...], ...], int]) -> tuple[RankedBallot, ...]:
    """One weighted ballot per distinct ranking, with every rank interned.

    Equal ranks become one shared object (there are only as many distinct ranks as candidates, give or take
    overvotes), instead of a fresh one-element tuple per rank per paper scattered over the heap. A count
    reads ranks paper after paper, so sharing them keeps its reads in cache: a third off an STV count of
    100,000 papers, and tens of megabytes less memory per 100,000 papers.
    """
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}
    share = shared.setdefault
    return tuple(
        RankedBallot(tuple([share(rank, rank) for rank in ranks]), weight)
        for ranks, weight in weights.items()
    )


EventKind = Literal["elected", "excluded", "surplus", "tie_break", "note"]


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in a round, told in words a member can follow."""

    kind: EventKind
    candidate: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Round:
    """One stage of a count: the tallies after it, and what was decided in it.

    `tallies` holds the votes of every candidate still shown on the sheet at this stage (continuing and
    elected). `transfers` maps the candidate whose votes moved (surplus or exclusion) to where they went: a
    candidate name, or "exhausted" / "residual". `inactive` counts papers no longer counting, by category
    ("exhausted", "overvotes", "skipped", "repeated", "residual", "non_transferable", ...).
    """

    number: int
    tallies: Mapping[str, Decimal]
    threshold: Decimal | None = None
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    transfers: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    inactive: Mapping[str, Decimal] = field(default_factory=dict)
    events: tuple[Event, ...] = ()


@dataclass(frozen=True, slots=True)
class CountSheet:
    """The full, reproducible record of a count."""

    method: str
    """Short id of the rule set, e.g. "scottish_stv", "meek", "irv"."""
    title: str
    seats: int
    candidates: tuple[str, ...]
    valid_poll: Decimal
    rounds: tuple[Round, ...]
    elected: tuple[str, ...]
    """Candidate names in order of election."""
    quota: Decimal | None = None
    seed: int | None = None
    """The random seed used to break ties, when one was needed or configured."""
    options: Mapping[str, object] = field(default_factory=dict)
    """The rule options the count ran with, for the record."""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict; decimals become strings so no precision is lost."""
        return {
            "method": self.method,
            "title": self.title,
            "seats": self.seats,
            "candidates": list(self.candidates),
            "valid_poll": str(self.valid_poll),
            "quota": None if self.quota is None else str(self.quota),
            "seed": self.seed,
            "options": dict(self.options),
            "elected": list(self.elected),
            "rounds": [_round_json(r) for r in self.rounds],
        }


def _round_json(r: Round) -> dict[str, object]:
    return {
        "round": r.number,
        "threshold": None if r.threshold is None else str(r.threshold),
        "tallies": {name: str(v) for name, v in r.tallies.items()},
        "elected": list(r.elected),
        "excluded": list(r.excluded),
        "transfers": {src: {dst: str(v) for dst, v in moved.items()} for src, moved in r.transfers.items()},
        "inactive": {k: str(v) for k, v in r.inactive.items()},
        "events": [{"kind": e.kind, "candidate": e.candidate, "message": e.message} for e in r.events],
    }


class CountError(ValueError):
    """A count cannot be run as asked (bad input or impossible options); the message is safe to show."""
