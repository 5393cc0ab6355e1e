"""Breaking ties in STV counts: by earlier stages, and by lot (a seeded draw or an order fixed in advance).

A lot is never drawn from the clock: either the count is given a seed (drawn in public by the returning
officer, and recorded on the sheet), and each lot is `random.Random(seed)` choosing among the tied candidates
in ballot order, or it is given a tie-breaking order fixed by lot before the count (as Droop and the PR
Foundation reference rules do), and the candidate earliest in that order is chosen.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from governance.counting.figures import Value
from governance.counting.model import CountError


@dataclass(slots=True)
class Lot:
    """How ties that the rules send to lot are decided in one count."""

    candidates: tuple[str, ...]
    seed: int | None = None
    tie_order: tuple[int, ...] | None = None
    """Candidate indexes, earliest chosen first."""
    used: bool = False
    _rng: random.Random | None = field(default=None, repr=False)

    @classmethod
    def make(cls, candidates: tuple[str, ...], seed: int | None, tie_order: Sequence[str] | None) -> Lot:
        order: tuple[int, ...] | None = None
        if tie_order is not None:
            index = {name: i for i, name in enumerate(candidates)}
            missing = [name for name in tie_order if name not in index]
            if missing:
                raise CountError(f"the tie-breaking order names unknown candidates: {', '.join(missing)}")
            if sorted(index[name] for name in tie_order) != list(range(len(candidates))):
                raise CountError("the tie-breaking order must list every candidate exactly once")
            order = tuple(index[name] for name in tie_order)
        return cls(candidates=candidates, seed=seed, tie_order=order)

    def draw(self, tied: Sequence[int]) -> tuple[int, str]:
        """Choose one of `tied`; return it with a phrase saying how ("by lot (seed 7)")."""
        self.used = True
        if self.tie_order is not None:
            rank = {c: i for i, c in enumerate(self.tie_order)}
            return min(tied, key=rank.__getitem__), "by the tie-breaking order fixed by lot before the count"
        if self.seed is None:
            names = ", ".join(self.candidates[c] for c in sorted(tied))
            raise CountError(
                f"a tie between {names} must be decided by lot: count again with a seed drawn in public"
            )
        if self._rng is None:
            # Not for secrecy: a lot must be reproducible from its published seed.
            self._rng = random.Random(self.seed)  # noqa: S311
        ordered = sorted(tied)
        return ordered[self._rng.randrange(len(ordered))], f"by lot (random seed {self.seed})"


def by_earlier_stages(
    tied: Sequence[int], history: Sequence[Sequence[Value]], prefer_highest: bool
) -> tuple[list[int], int | None]:
    """Narrow a tie by the most recent earlier stage at which the tied candidates' votes differed.

    `history[k]` holds every candidate's votes after stage k+1; the last entry is the current stage and is
    not looked at. At each earlier stage, most recent first, where the remaining candidates' votes are not all
    equal, only those with the highest (or lowest) votes stay. Returns the remaining candidates and the stage
    number that decided (None when nothing did).
    """
    remaining = list(tied)
    decided_at: int | None = None
    for k in range(len(history) - 2, -1, -1):
        if len(remaining) == 1:
            break
        votes = history[k]
        values = [votes[c] for c in remaining]
        best = max(values) if prefer_highest else min(values)
        narrowed = [c for c, v in zip(remaining, values, strict=True) if v == best]
        if len(narrowed) < len(remaining):
            remaining = narrowed
            decided_at = k + 1
    return remaining, decided_at
