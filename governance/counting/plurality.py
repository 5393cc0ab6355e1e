"""Counting single-choice (plurality) elections: most votes wins, ties for the last seat settled by lot from
a given seed, recorded on the sheet (counting.md §7)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from governance.counting.model import CountError, CountSheet, Event, Round


@dataclass(frozen=True, slots=True)
class SingleChoiceBallot:
    """One ballot (or `weight` identical ones) for one candidate; `choice=None` is a blank ballot."""

    choice: str | None
    weight: Decimal | int = 1


def top_candidates(
    tallies: Mapping[str, Decimal], candidates: Sequence[str], seats: int, seed: int | None
) -> tuple[tuple[str, ...], list[Event], bool]:
    """The `seats` candidates with most votes, in order; a tie across the last place is settled by lot.

    The lot shuffles the tied candidates (in ballot order) with `random.Random(seed)` and takes the first;
    without a seed a needed lot raises CountError so the caller can draw one in public and record it.
    Returns the winners, events describing any lot, and whether a lot was used.
    """
    order = {name: i for i, name in enumerate(candidates)}
    ranked = sorted(candidates, key=lambda c: (-tallies[c], order[c]))
    places = min(seats, len(candidates))
    if places == 0:
        return (), [], False
    cut = tallies[ranked[places - 1]]
    sure = [c for c in ranked if tallies[c] > cut]
    tied = [c for c in ranked if tallies[c] == cut]
    free = places - len(sure)
    if free >= len(tied):
        return tuple(sure + tied[:free]), [], False
    if seed is None:
        names = ", ".join(tied)
        raise CountError(
            f"a tie between {names} must be decided by lot: count again with a seed drawn in public"
        )
    # Not for secrecy: a lot must be reproducible from its published seed.
    drawn = sorted(tied, key=order.__getitem__)
    random.Random(seed).shuffle(drawn)  # noqa: S311
    chosen = drawn[:free]
    events = [
        Event(
            "tie_break",
            name,
            f"{', '.join(tied)} tied on {cut} votes for the last "
            f"{'place' if free == 1 else f'{free} places'}; {name} was chosen by lot (random seed {seed}).",
        )
        for name in chosen
    ]
    return tuple(sure + chosen), events, True


def count_plurality(
    candidates: Sequence[str],
    ballots: Iterable[SingleChoiceBallot],
    *,
    seats: int = 1,
    seed: int | None = None,
    title: str = "Election",
) -> CountSheet:
    """Count a single-choice election: the `seats` candidates with most votes win."""
    if seats < 1:
        raise CountError("an election fills at least one seat")
    if len(set(candidates)) != len(candidates):
        raise CountError("candidate names must be unique")
    tallies = {name: Decimal(0) for name in candidates}
    blank = Decimal(0)
    for ballot in ballots:
        weight = Decimal(ballot.weight)
        if weight < 0:
            raise CountError("a ballot's weight cannot be negative")
        if ballot.choice is None:
            blank += weight
        elif ballot.choice in tallies:
            tallies[ballot.choice] += weight
        else:
            raise CountError(f'"{ballot.choice}" is not a candidate in this election')
    elected, events, lot_used = top_candidates(tallies, candidates, seats, seed)
    events = [
        *(Event("elected", name, f"{name} is elected with {tallies[name]} votes.") for name in elected),
        *events,
    ]
    if blank:
        events.append(Event("note", None, f"{blank} blank ballots were valid but count for no candidate."))
    return CountSheet(
        method="plurality",
        title=title,
        seats=seats,
        candidates=tuple(candidates),
        valid_poll=sum(tallies.values(), Decimal(0)),
        rounds=(
            Round(
                number=1,
                tallies=tallies,
                elected=elected,
                inactive={"blank": blank} if blank else {},
                events=tuple(events),
            ),
        ),
        elected=elected,
        seed=seed if lot_used or seed is not None else None,
        options={"tie_break": "lot", "lot_used": lot_used},
    )
