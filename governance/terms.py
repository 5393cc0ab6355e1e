"""Directors' terms: when a term ends, who retires at the next AGM (by term, co-option or rotation) and who
may stand again."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from governance.board import AppointmentRoute, Director
from governance.constitution.schema import Constitution
from governance.violations import Violation


def term_end_date(constitution: Constitution, term_start: date) -> date:
    """The day a term starting on `term_start` ends: the same date `term_years` later (28 February for a
    term starting on 29 February when the end year has none)."""
    year = term_start.year + constitution.board.term_years
    try:
        return term_start.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def director_term_end(constitution: Constitution, director: Director) -> date:
    """The director's recorded term end, or the constitution's term length from their term start."""
    return director.term_end or term_end_date(constitution, director.term_start)


@dataclass(frozen=True, slots=True)
class Retirement:
    director: Director
    reason: str


@dataclass(frozen=True, slots=True)
class RotationOutcome:
    """Who retires at an AGM and why; retiring directors may stand again if eligible.

    `rotation_number` is how many of the directors subject to rotation must retire (those whose term ends
    anyway count toward it). `tie_break` says how a tie in length of office was settled, if one was.
    """

    retiring: tuple[Retirement, ...]
    rotation_number: int
    tie_break: str | None = None

    @property
    def retiring_ids(self) -> tuple[str, ...]:
        return tuple(r.director.id for r in self.retiring)


def rotation_number(share: Fraction, directors: int) -> int:
    """The number nearest to `share` of `directors` (halves round up), and at least one if any."""
    if directors == 0:
        return 0
    exact = share * directors
    nearest = int(exact + Fraction(1, 2))
    return max(1, nearest)


def retirements_at_agm(
    constitution: Constitution,
    directors: Sequence[Director],
    agm_date: date,
    *,
    seed: int | None = None,
) -> RotationOutcome:
    """Who must retire at the AGM on `agm_date`.

    In order: co-opted directors whose appointment lasts only until the next AGM; directors whose term has
    ended by the AGM; then, under retirement by rotation, those longest in office since their last
    appointment until the rotation number is reached. Equal lengths of office are settled by lot: the
    given order of `directors` when `seed` is None, otherwise a shuffle by `random.Random(seed)`.
    """
    board = constitution.board
    retiring: list[Retirement] = []
    gone: set[str] = set()
    for d in directors:
        if d.route is AppointmentRoute.CO_OPTED and board.co_opted_serve_until_next_agm:
            retiring.append(
                Retirement(d, "Co-opted directors serve until the next AGM, where they may stand.")
            )
            gone.add(d.id)
    for d in directors:
        if d.id not in gone and director_term_end(constitution, d) <= agm_date:
            ends = director_term_end(constitution, d)
            retiring.append(Retirement(d, f"Their term ends on {ends.isoformat()}, by the AGM."))
            gone.add(d.id)
    if board.retire_by_rotation is None:
        return RotationOutcome(tuple(retiring), 0)

    subject = [d for d in directors if d.route is not AppointmentRoute.CO_OPTED]
    number = rotation_number(board.retire_by_rotation, len(subject))
    remaining = number - sum(d.id in gone for d in subject)
    candidates = [d for d in subject if d.id not in gone]
    tie_note: str | None = None
    if remaining > 0 and candidates:
        ordered = sorted(candidates, key=lambda d: d.term_start)  # stable: input order within a date
        boundary = ordered[min(remaining, len(ordered)) - 1].term_start
        sure = [d for d in ordered if d.term_start < boundary]
        tied = [d for d in ordered if d.term_start == boundary]
        places = min(remaining, len(ordered)) - len(sure)
        if places < len(tied):
            if seed is not None:
                random.Random(seed).shuffle(tied)  # noqa: S311 - drawing lots, not security
                how = f"by lot (random seed {seed})"
            else:
                how = "by lot (in the order given)"
            names = ", ".join(d.name for d in tied)
            tie_note = f"{names} have been in office equally long; {places} of them chosen {how}."
        share = board.retire_by_rotation
        for d in [*sure, *tied[:places]]:
            retiring.append(
                Retirement(
                    d,
                    f"Retires by rotation ({share.numerator}/{share.denominator} of the board each AGM, "
                    f"longest in office first: in office since {d.term_start.isoformat()}).",
                )
            )
    return RotationOutcome(tuple(retiring), number, tie_note)


def reelection_violations(
    constitution: Constitution, director: Director, consecutive_terms_served: int
) -> list[Violation]:
    """Why the director may not stand again now (empty if they may)."""
    limit = constitution.board.max_consecutive_terms
    if limit is not None and consecutive_terms_served >= limit:
        return [
            Violation(
                "terms.max_consecutive",
                f"{director.name} has served {consecutive_terms_served} terms in a row; the constitution "
                f"allows at most {limit} before a break.",
            )
        ]
    return []
