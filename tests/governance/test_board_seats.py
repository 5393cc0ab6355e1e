"""Seats, the composition at a glance, next steps for a breach, a director's change of class, and who an
election seats: reserved seats class by class before open seats, passing over a winner who would break
the constitution."""

from __future__ import annotations

from datetime import date

from governance.board import AppointmentRoute, class_change_violations
from governance.board_seats import (
    OPEN_SEAT,
    Candidate,
    composition_lines,
    next_steps,
    reserved_vacancies,
    seat_candidates,
    seat_for,
    standing_order,
)
from tests.governance.test_board import SEED, SEED_BOARD, director

ELECTED_ON = date(2026, 6, 1)


def candidate(name: str, *classes: str) -> Candidate:
    return Candidate(name, director(name, *classes))


def test_a_directors_class_change_that_breaks_the_board_is_named_in_words() -> None:
    check = class_change_violations(SEED, SEED_BOARD, "ann", frozenset({"professional"}))
    assert not check.allowed
    messages = [v.message for v in check.would_break]
    assert "The board would have 1 budget holder; the constitution requires at least 2." in messages
    assert "The board would have 2 professionals; the constitution allows at most 1." in messages


def test_a_class_change_that_keeps_the_rules_is_allowed() -> None:
    board = [*SEED_BOARD[:4], director("eve", "family_carer")]
    assert class_change_violations(SEED, board, "eve", frozenset({"professional"})).allowed


def test_composition_at_a_glance() -> None:
    lines = [line.text for line in composition_lines(SEED, SEED_BOARD)]
    assert "2 of at least 2 budget holders; 2 seats reserved" in lines
    assert "1 of at most 1 professionals" in lines
    assert all(line.met for line in composition_lines(SEED, SEED_BOARD))
    short = composition_lines(SEED, SEED_BOARD[1:])
    assert [line.text for line in short if not line.met] == [
        "1 of at least 2 budget holders; 2 seats reserved"
    ]


def test_next_steps_name_the_empty_reserved_seat_and_the_co_option_room() -> None:
    assert next_steps(SEED, SEED_BOARD) == ()
    steps = next_steps(SEED, SEED_BOARD[1:])
    assert steps[0] == "Fill the 1 empty seat reserved for budget holders: only one of them may take it."
    assert "The board may co-opt a director (up to 1 more) who puts this right until the next AGM." in steps
    co_opted = [*SEED_BOARD[1:4], director("eve", "professional", route=AppointmentRoute.CO_OPTED)]
    assert not any("co-opt" in s for s in next_steps(SEED, co_opted))


def test_seats_go_to_the_newcomers_own_class_while_one_is_empty() -> None:
    assert reserved_vacancies(SEED, SEED_BOARD) == {"budget_holder": 0, "family_carer": 0}
    assert seat_for(SEED, SEED_BOARD[1:], director("new", "budget_holder")) == "budget_holder"
    assert seat_for(SEED, SEED_BOARD[1:], director("new", "family_carer")) == OPEN_SEAT


def test_reserved_seats_are_filled_class_by_class_before_open_seats() -> None:
    board = [SEED_BOARD[0], SEED_BOARD[2]]  # one budget holder, one carer: one seat of each class empty
    standing = [
        candidate("pro", "professional"),
        candidate("bh", "budget_holder"),
        candidate("bh2", "budget_holder"),
        candidate("fc", "family_carer"),
    ]
    seating = seat_candidates(SEED, board, standing, 3, elected_on=ELECTED_ON)
    assert [(d.id, seat) for d, seat in seating.seated] == [
        ("bh", "budget_holder"),
        ("fc", "family_carer"),
        ("pro", OPEN_SEAT),
    ]
    assert all(d.route is AppointmentRoute.ELECTED and d.term_start == ELECTED_ON for d, _ in seating.seated)


def test_a_winner_who_would_break_the_constitution_is_passed_over_for_the_next_eligible() -> None:
    board = SEED_BOARD[:4]  # the professional's seat is empty: one open seat
    standing = [
        candidate("pro2", "professional"),
        candidate("pro3", "professional"),
        candidate("bh", "budget_holder"),
    ]
    seated_board = [*board, director("eve", "professional")]
    seating = seat_candidates(SEED, seated_board[:4], standing, 1, elected_on=ELECTED_ON)
    assert [d.id for d, _ in seating.seated] == ["pro2"]
    # With a professional already on the board, a second one is passed over, with the rule.
    seating = seat_candidates(
        SEED, seated_board, [candidate("pro2", "professional")], 1, elected_on=ELECTED_ON
    )
    assert seating.seated == ()
    assert seating.passed_over[0][0] == "pro2"
    assert (
        "The board would have 2 professionals; the constitution allows at most 1."
        in seating.passed_over[0][1]
    )


def test_a_candidate_who_is_not_a_member_is_never_seated() -> None:
    seating = seat_candidates(SEED, SEED_BOARD[:4], [Candidate("Nobody", None)], 1, elected_on=ELECTED_ON)
    assert seating.seated == () and "No single current member" in seating.passed_over[0][1]


def test_standing_order_puts_the_elected_first_then_those_who_lasted_longest() -> None:
    rounds = [
        {"tallies": {"a": "5", "b": "3", "c": "2", "d": "1"}},
        {"tallies": {"a": "5", "b": "3", "c": "2.5"}},
    ]
    assert standing_order(["a"], ["d", "c", "b", "a"], rounds) == ("a", "b", "c", "d")
    assert standing_order([], ["x", "y"], []) == ("x", "y")


def test_standing_order_keeps_ballot_paper_order_for_a_tie() -> None:
    rounds = [{"tallies": {"b": "3", "c": "3"}}]
    assert standing_order([], ["c", "b"], rounds) == ("c", "b")
