"""Board composition rules and the what-if checks for appointments, resignations and removals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.board import (
    AppointmentRoute,
    Director,
    appointment_violations,
    board_composition_violations,
    counts_toward_user_led,
    removal_violations,
    resignation_violations,
    user_led_share,
    user_led_status_by_definition,
)
from governance.constitution import OnBreach, Share, UserLedGroup
from governance.constitutions import load_model_constitution

SEED = load_model_constitution("cic_guarantee")
START = date(2024, 6, 1)


def director(
    id: str,
    *classes: str,
    consent: bool = True,
    route: AppointmentRoute = AppointmentRoute.ELECTED,
    by: str | None = None,
) -> Director:
    return Director(
        id=id,
        name=id.title(),
        term_start=START,
        classes=frozenset(classes),
        user_led_consent=consent,
        route=route,
        appointed_by_class=by,
    )


SEED_BOARD = [
    director("ann", "budget_holder"),
    director("bob", "budget_holder"),
    director("cat", "family_carer"),
    director("dev", "family_carer"),
    director("eve", "professional"),
]


def codes(violations: object) -> list[str]:
    return [v.code for v in violations]  # type: ignore[attr-defined]


def test_seed_board_of_two_budget_holders_two_carers_and_a_professional_keeps_every_rule() -> None:
    assert board_composition_violations(SEED, SEED_BOARD) == []


def test_carer_resigning_would_break_the_carer_minimum_in_words() -> None:
    check = resignation_violations(SEED, SEED_BOARD, "cat")
    assert not check.allowed
    assert [v.message for v in check.would_break if v.code == "board.class_minimum"] == [
        "The board would have 1 family carer; the constitution requires at least 2."
    ]
    assert check.already_broken == ()


def test_professional_resigning_leaves_a_vacancy_that_is_within_the_rules() -> None:
    check = resignation_violations(SEED, SEED_BOARD, "eve")
    assert check.allowed
    assert check.would_break == check.warnings == check.already_broken == ()


def test_second_professional_would_break_the_class_maximum_and_the_board_size() -> None:
    check = appointment_violations(SEED, SEED_BOARD, director("fay", "professional"))
    assert set(codes(check.would_break)) == {
        "board.class_maximum",
        "board.too_many_directors",
        "board.user_led_share",
    }
    assert "The board would have 2 professionals; the constitution allows at most 1." in [
        v.message for v in check.would_break
    ]


def test_existing_breach_is_reported_as_already_broken_not_caused_by_an_unrelated_change() -> None:
    three_seat_minimum = replace(SEED, board=replace(SEED.board, min_seats=3))
    short_of_a_carer = [d for d in SEED_BOARD if d.id != "dev"]
    assert codes(board_composition_violations(three_seat_minimum, short_of_a_carer)) == [
        "board.class_minimum"
    ]
    check = resignation_violations(three_seat_minimum, short_of_a_carer, "eve")
    assert check.allowed
    assert [v.message for v in check.already_broken] == [
        "The board has 1 family carer; the constitution requires at least 2."
    ]


def test_change_that_makes_an_existing_breach_worse_would_break_the_rule() -> None:
    short_of_a_carer = [d for d in SEED_BOARD if d.id != "dev"]
    check = resignation_violations(SEED, short_of_a_carer, "cat")
    assert "The board would have 0 family carers; the constitution requires at least 2." in [
        v.message for v in check.would_break
    ]


def test_appointment_that_fills_a_missing_seat_resolves_the_breach() -> None:
    short_of_a_carer = [d for d in SEED_BOARD if d.id != "dev"]
    check = appointment_violations(SEED, short_of_a_carer, director("gus", "family_carer"))
    assert check.allowed
    assert codes(check.resolves) == ["board.class_minimum"]


def test_board_below_the_fewest_seats_is_reported() -> None:
    board = SEED_BOARD[:3]
    messages = [v.message for v in board_composition_violations(SEED, board)]
    assert "The board has 3 directors; the constitution requires at least 4." in messages


def test_reserved_seats_cannot_be_taken_by_other_classes() -> None:
    # Two professionals would also break the class maximum; use a constitution without it to isolate.
    rules = replace(SEED.board, classes=tuple(replace(r, max=None) for r in SEED.board.classes))
    constitution = replace(SEED, board=rules)
    board = [*SEED_BOARD[:3], director("fay", "professional"), director("gus", "professional")]
    found = board_composition_violations(constitution, board)
    assert "board.reserved_seats" in codes(found)


def test_director_in_two_reserving_classes_fills_only_one_reserved_seat() -> None:
    rules = replace(SEED.board, classes=tuple(replace(r, min=0, max=None) for r in SEED.board.classes))
    constitution = replace(
        SEED,
        board=rules,
    )
    both = director("hal", "budget_holder", "family_carer")
    board = [both, director("ivy", "professional"), director("jon", "professional")]
    # 4 reserved seats, 1 open: hal fills one reserved seat, leaving 2 directors for 1 open seat.
    assert "board.reserved_seats" in codes(board_composition_violations(constitution, board))


def test_user_led_share_counts_carers_only_when_the_constitution_says_so() -> None:
    assert user_led_share(SEED, SEED_BOARD) == Fraction(4, 5)
    no_carers = replace(
        SEED, board=replace(SEED.board, user_led=replace(SEED.board.user_led, family_carers_count=False))
    )
    assert user_led_share(no_carers, SEED_BOARD) == Fraction(2, 5)
    assert "board.user_led_share" in codes(board_composition_violations(no_carers, SEED_BOARD))


def test_director_is_not_counted_as_user_led_without_consent() -> None:
    assert not counts_toward_user_led(SEED, director("kit", "budget_holder", consent=False))
    assert counts_toward_user_led(SEED, director("kit", "budget_holder"))


def test_explicit_user_led_basis_overrides_the_classes() -> None:
    disabled_professional = replace(director("lou", "professional"), user_led_basis=UserLedGroup.USES_SUPPORT)
    assert counts_toward_user_led(SEED, disabled_professional)


def test_at_least_75_percent_user_led_passes_at_exactly_three_quarters_and_fails_just_below() -> None:
    rules = replace(SEED.board, classes=(), min_seats=1, max_seats=9)
    constitution = replace(SEED, board=rules)
    exactly = [director(f"u{i}", "budget_holder") for i in range(3)] + [director("p", "professional")]
    assert board_composition_violations(constitution, exactly) == []
    below = [*exactly[:2], director("p", "professional"), director("q", "professional")]
    found = board_composition_violations(constitution, below)
    assert [v.message for v in found] == [
        "The board has 2 out of 4 directors counted as disabled people, people who use support or family "
        "carers (50%); the constitution requires at least 75%."
    ]


def test_more_than_half_user_led_fails_at_exactly_half() -> None:
    constitution = load_model_constitution("cic_shares")
    constitution = replace(constitution, board=replace(constitution.board, classes=()))
    half = [
        director("a", "budget_holder"),
        director("b", "budget_holder"),
        director("c", "worker"),
        director("d", "worker"),
    ]
    assert codes(board_composition_violations(constitution, half)) == ["board.user_led_share"]
    assert board_composition_violations(constitution, [*half, director("e", "budget_holder")]) == []


def test_warn_only_user_led_rule_warns_instead_of_blocking() -> None:
    warn = replace(
        SEED, board=replace(SEED.board, user_led=replace(SEED.board.user_led, on_breach=OnBreach.WARN))
    )
    warn = replace(warn, board=replace(warn.board, classes=(), min_seats=1))
    check = resignation_violations(warn, SEED_BOARD, "ann")  # 3 of 4 = 75%: still fine
    assert check.allowed and check.warnings == ()
    check = resignation_violations(warn, SEED_BOARD[1:], "bob")  # 2 of 3 directors user-led
    assert check.allowed
    assert codes(check.warnings) == ["board.user_led_share"]


def test_co_option_beyond_the_limit_would_break_the_rule() -> None:
    board = [*SEED_BOARD[:4], director("coa", "professional", route=AppointmentRoute.CO_OPTED)]
    assert board_composition_violations(SEED, board) == []
    smaller = board[:3] + board[4:]
    check = appointment_violations(
        SEED, smaller, director("cob", "family_carer", route=AppointmentRoute.CO_OPTED)
    )
    assert [v.message for v in check.would_break] == [
        "The board would have 2 co-opted directors; the constitution allows at most 1."
    ]


def test_only_the_class_may_remove_its_own_director() -> None:
    coop = load_model_constitution("multi_stakeholder_coop")
    board = [
        *(director(f"u{i}", "user", route=AppointmentRoute.APPOINTED_BY_CLASS, by="user") for i in range(4)),
        *(
            director(f"w{i}", "worker", route=AppointmentRoute.APPOINTED_BY_CLASS, by="worker")
            for i in range(2)
        ),
    ]
    assert board_composition_violations(coop, board) == []
    by_members = removal_violations(coop, board, "u0")
    assert codes(by_members.would_break) == ["board.removal_by_class"]
    assert by_members.would_break[0].message == (
        "U0 was chosen by the members who use support; the constitution says only the members who use "
        "support may remove them."
    )
    assert removal_violations(coop, board, "u0", removed_by_class="user").allowed


def test_appointing_someone_already_on_the_board_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="already a director"):
        appointment_violations(SEED, SEED_BOARD, SEED_BOARD[0])
    with pytest.raises(ValueError, match="no director"):
        resignation_violations(SEED, SEED_BOARD, "nobody")


CLASSES = ("budget_holder", "family_carer", "professional")
boards = st.lists(
    st.tuples(st.sampled_from(CLASSES), st.booleans()),
    max_size=9,
).map(lambda rows: [director(f"d{i}", cls, consent=consent) for i, (cls, consent) in enumerate(rows)])


@given(boards)
def test_composition_check_never_accepts_a_board_below_a_class_minimum(board: list[Director]) -> None:
    found = codes(board_composition_violations(SEED, board))
    for rule in SEED.board.classes:
        count = sum(rule.key in d.classes for d in board)
        if count < rule.min:
            assert "board.class_minimum" in found
    if len(board) < SEED.board.min_seats:
        assert "board.too_few_directors" in found
    if not found:
        assert SEED.board.min_seats <= len(board) <= SEED.board.max_seats


@given(boards, st.sampled_from(["more than", "at least"]), st.integers(1, 99))
def test_user_led_check_agrees_with_exact_fraction_arithmetic(
    board: list[Director], comparison: str, percent: int
) -> None:
    share = Share.parse(f"{comparison} {percent}%")
    rules = replace(
        SEED.board, classes=(), min_seats=1, max_seats=20, user_led=replace(SEED.board.user_led, share=share)
    )
    constitution = replace(SEED, board=rules)
    counted = sum(d.user_led_consent and "professional" not in d.classes for d in board)
    n = len(board)
    if comparison == "more than":
        expected_ok = n > 0 and Fraction(counted, n) > Fraction(percent, 100)
    else:
        expected_ok = n > 0 and Fraction(counted, n) >= Fraction(percent, 100)
    assert (
        "board.user_led_share" not in codes(board_composition_violations(constitution, board))
    ) == expected_ok


@given(boards, st.integers(0, 8))
def test_an_allowed_resignation_never_takes_a_class_below_its_minimum(
    board: list[Director], pick: int
) -> None:
    if not board:
        return
    leaving = board[pick % len(board)]
    check = resignation_violations(SEED, board, leaving.id)
    after = [d for d in board if d.id != leaving.id]
    for rule in SEED.board.classes:
        before_count = sum(rule.key in d.classes for d in board)
        after_count = sum(rule.key in d.classes for d in after)
        if after_count < rule.min and after_count < before_count:
            assert not check.allowed
    if len(after) < SEED.board.min_seats and len(after) < len(board):
        assert not check.allowed


def test_seed_board_is_shown_against_each_published_definition() -> None:
    results = {r.definition: (r.counted, r.met) for r in user_led_status_by_definition(SEED, SEED_BOARD)}
    # The worked example: 2 disabled people, 2 carers, 1 professional.
    assert results["User-led organisation, DH/ODI test (counting family carers)"] == (4, True)
    assert results["User-led organisation, DH/ODI test"] == (2, False)
    assert results["User-led organisation, Department of Health fund test"] == (2, False)
    assert results["Disabled people's organisation, Disability Rights UK board test"] == (2, False)
