"""Seats on the board: which seat a director sits in, the composition at a glance, what to do about a
vacancy or a breach, and who an election seats (reserved seats class by class before open seats)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from governance.board import (
    AppointmentRoute,
    Director,
    appointment_violations,
    board_composition_violations,
    counts_toward_user_led,
)
from governance.constitution.schema import Constitution
from governance.violations import Violation

OPEN_SEAT = ""
"""The seat key of a seat open to anyone (a reserved seat's key is its member class)."""


def reserved_vacancies(constitution: Constitution, directors: Sequence[Director]) -> dict[str, int]:
    """Empty reserved seats per member class, in the constitution's order: a director fills one seat of
    their own class (a director in two reserving classes counts for the first with a seat still empty)."""
    empty = {rule.key: rule.reserved_seats for rule in constitution.board.classes if rule.reserved_seats}
    for d in directors:
        for key in empty:
            if key in d.classes and empty[key] > 0:
                empty[key] -= 1
                break
    return empty


def seat_for(constitution: Constitution, directors: Sequence[Director], newcomer: Director) -> str:
    """The seat a newcomer to `directors` takes: an empty reserved seat of one of their classes, else open."""
    empty = reserved_vacancies(constitution, directors)
    for key, count in empty.items():
        if count > 0 and key in newcomer.classes:
            return key
    return OPEN_SEAT


@dataclass(frozen=True, slots=True)
class CompositionLine:
    """One rule of the composition and where the board stands against it, in words."""

    text: str
    met: bool


def composition_lines(
    constitution: Constitution, directors: Sequence[Director]
) -> tuple[CompositionLine, ...]:
    """The composition at a glance, such as "2 of at least 2 budget holders"."""
    board = constitution.board
    n = len(directors)
    lines = [
        CompositionLine(
            f"{n} directors (the constitution allows {board.min_seats} to {board.max_seats})",
            board.min_seats <= n <= board.max_seats,
        )
    ]
    for rule in board.classes:
        count = sum(rule.key in d.classes for d in directors)
        plural = constitution.class_plural(rule.key)
        limits = []
        if rule.min:
            limits.append(f"at least {rule.min}")
        if rule.max is not None:
            limits.append(f"at most {rule.max}")
        if not limits:
            continue
        seats = f"; {rule.reserved_seats} seats reserved" if rule.reserved_seats else ""
        met = count >= rule.min and (rule.max is None or count <= rule.max)
        lines.append(CompositionLine(f"{count} of {' and '.join(limits)} {plural}{seats}", met))
    share = board.user_led.share
    if share is not None:
        counted = sum(counts_toward_user_led(constitution, d) for d in directors)
        lines.append(
            CompositionLine(
                f"{counted} of {n} directors counted as user-led (the constitution requires {share})",
                share.is_met(counted, n),
            )
        )
    if board.max_co_opted is not None:
        co_opted = sum(d.route is AppointmentRoute.CO_OPTED for d in directors)
        lines.append(
            CompositionLine(
                f"{co_opted} co-opted (at most {board.max_co_opted})", co_opted <= board.max_co_opted
            )
        )
    return tuple(lines)


def next_steps(constitution: Constitution, directors: Sequence[Director]) -> tuple[str, ...]:
    """What the constitution says to do about the board as it stands: nothing when it keeps every rule."""
    found = board_composition_violations(constitution, directors)
    if not found:
        return ()
    board = constitution.board
    steps: list[str] = []
    short = {v.code for v in found} & {
        "board.class_minimum",
        "board.too_few_directors",
        "board.user_led_share",
    }
    for key, count in reserved_vacancies(constitution, directors).items():
        if count:
            steps.append(
                f"Fill the {count} empty {'seat' if count == 1 else 'seats'} reserved for "
                f"{constitution.class_plural(key)}: only one of them may take "
                f"{'it' if count == 1 else 'them'}."
            )
    if short:
        co_opted = sum(d.route is AppointmentRoute.CO_OPTED for d in directors)
        room = None if board.max_co_opted is None else board.max_co_opted - co_opted
        if room is None or room > 0:
            until = " until the next AGM" if board.co_opted_serve_until_next_agm else ""
            limit = "" if room is None else f" (up to {room} more)"
            steps.append(f"The board may co-opt a director{limit} who puts this right{until}.")
        steps.append("Otherwise hold an election for the empty seats at a general meeting.")
        steps.append("Until then the board may act only to put its composition right or to call a meeting.")
    if {v.code for v in found} & {"board.class_maximum", "board.too_many_directors", "board.reserved_seats"}:
        steps.append(
            "A director must stand down, or move to a seat the constitution allows, before anyone else joins."
        )
    return tuple(steps)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate as the seating rule sees them: the member they are, if one could be found."""

    name: str
    director: Director | None
    """None: they cannot be seated, for the reason in `why_not`."""
    why_not: str = "No single current member has this name, so they cannot be seated."


@dataclass(frozen=True, slots=True)
class Seating:
    seated: tuple[tuple[Director, str], ...]
    """Who takes a seat, in order, with the seat (a member class key, or OPEN_SEAT)."""
    passed_over: tuple[tuple[str, str], ...]
    """Candidates in the count's order who were not seated, with why (plain English)."""


def seat_candidates(
    constitution: Constitution,
    directors: Sequence[Director],
    standing: Sequence[Candidate],
    seats: int,
    *,
    elected_on: date,
) -> Seating:
    """Who an election of `seats` seats puts on the board, from `standing` (the count's order: those it
    elected, in order of election, then the rest, best placed first).

    The rule (docs/board.md): reserved seats are filled first, class by class in the constitution's order,
    each by the best-placed candidate of that class; the seats left are then filled in the count's order.
    A candidate whose appointment would break the constitution is passed over and the next eligible
    candidate taken, so the board the election produces always keeps its rules.
    """
    board = list(directors)
    seated: list[tuple[Director, str]] = []
    taken: set[str] = set()
    reasons: dict[str, str] = {}

    def try_seat(candidate: Candidate) -> bool:
        if candidate.director is None:
            reasons[candidate.name] = candidate.why_not
            return False
        newcomer = replace(candidate.director, route=AppointmentRoute.ELECTED, term_start=elected_on)
        check = appointment_violations(constitution, board, newcomer)
        if not check.allowed:
            reasons[candidate.name] = " ".join(v.message for v in check.would_break)
            return False
        seated.append((newcomer, seat_for(constitution, board, newcomer)))
        board.append(newcomer)
        taken.add(candidate.name)
        reasons.pop(candidate.name, None)
        return True

    for key, empty in reserved_vacancies(constitution, board).items():
        for candidate in standing:
            if empty <= 0 or len(seated) >= seats:
                break
            if candidate.name in taken or candidate.director is None or key not in candidate.director.classes:
                continue
            if try_seat(candidate):
                empty -= 1
    for candidate in standing:
        if len(seated) >= seats:
            break
        if candidate.name not in taken:
            try_seat(candidate)
    passed = tuple((c.name, reasons[c.name]) for c in standing if c.name not in taken and c.name in reasons)
    return Seating(tuple(seated), passed)


def standing_order(
    elected: Sequence[str], candidates: Sequence[str], rounds: Sequence[Mapping[str, object]]
) -> tuple[str, ...]:
    """Candidates from best placed to worst: those elected in order of election, then the rest by how late
    they stayed in the count and then by their last votes (ties kept in ballot-paper order)."""
    last_round: dict[str, int] = {}
    last_votes: dict[str, float] = {}
    for number, stage in enumerate(rounds):
        tallies = stage.get("tallies", {})
        if isinstance(tallies, Mapping):
            for name, votes in tallies.items():
                last_round[str(name)] = number
                last_votes[str(name)] = float(str(votes))
    rest = [c for c in candidates if c not in elected]
    rest.sort(key=lambda c: (-last_round.get(c, -1), -last_votes.get(c, 0.0)))
    return (*elected, *rest)


def violation_text(violations: Sequence[Violation]) -> str:
    return " ".join(v.message for v in violations)
