"""Directors' terms, retirement by rotation at the AGM and re-election eligibility."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from governance.board import AppointmentRoute, Director
from governance.constitutions import load_model_constitution
from governance.terms import (
    director_term_end,
    reelection_violations,
    retirements_at_agm,
    rotation_number,
    term_end_date,
)

SEED = load_model_constitution("cic_guarantee")  # 3-year terms, one third by rotation, 3 terms in a row
AGM = date(2025, 9, 20)


def director(id: str, start: date, route: AppointmentRoute = AppointmentRoute.ELECTED) -> Director:
    return Director(id=id, name=id.title(), term_start=start, route=route)


def test_term_ends_on_the_same_date_term_years_later() -> None:
    assert term_end_date(SEED, date(2024, 9, 21)) == date(2027, 9, 21)


def test_term_starting_on_29_february_ends_on_28_february() -> None:
    assert term_end_date(SEED, date(2024, 2, 29)) == date(2027, 2, 28)


def test_recorded_term_end_wins_over_the_computed_one() -> None:
    d = replace(director("ann", date(2024, 1, 1)), term_end=date(2025, 6, 30))
    assert director_term_end(SEED, d) == date(2025, 6, 30)


def test_rotation_number_is_the_nearest_to_one_third() -> None:
    third = Fraction(1, 3)
    assert [rotation_number(third, n) for n in range(7)] == [0, 1, 1, 1, 1, 2, 2]


def test_longest_in_office_retire_first_by_rotation() -> None:
    board = [
        director("ann", date(2024, 9, 1)),
        director("bob", date(2023, 9, 1)),
        director("cat", date(2024, 9, 1)),
        director("dev", date(2022, 10, 1)),
        director("eve", date(2024, 9, 1)),
    ]
    outcome = retirements_at_agm(SEED, board, AGM)
    assert outcome.rotation_number == 2
    assert outcome.retiring_ids == ("dev", "bob")
    assert outcome.tie_break is None


def test_directors_whose_term_has_ended_count_toward_the_rotation_number() -> None:
    board = [
        director("ann", date(2022, 9, 1)),  # term ended 2025-09-01
        director("bob", date(2023, 9, 1)),
        director("cat", date(2024, 9, 1)),
    ]
    outcome = retirements_at_agm(SEED, board, AGM)
    assert outcome.rotation_number == 1
    assert outcome.retiring_ids == ("ann",)


def test_co_opted_director_stands_at_the_next_agm_and_is_not_subject_to_rotation() -> None:
    board = [
        director("ann", date(2024, 9, 1)),
        director("bob", date(2023, 9, 1)),
        director("cat", date(2025, 3, 1), AppointmentRoute.CO_OPTED),
    ]
    outcome = retirements_at_agm(SEED, board, AGM)
    assert outcome.retiring_ids == ("cat", "bob")


def test_ties_in_length_of_office_are_settled_in_the_given_order_without_a_seed() -> None:
    board = [director(name, date(2024, 9, 1)) for name in ("ann", "bob", "cat")]
    outcome = retirements_at_agm(SEED, board, AGM)
    assert outcome.retiring_ids == ("ann",)
    assert (
        outcome.tie_break
        == "Ann, Bob, Cat have been in office equally long; 1 of them chosen by lot (in the order given)."
    )


def test_ties_settled_by_seed_are_reproducible_and_recorded() -> None:
    board = [director(name, date(2024, 9, 1)) for name in ("ann", "bob", "cat", "dev", "eve", "fay")]
    first = retirements_at_agm(SEED, board, AGM, seed=2025)
    again = retirements_at_agm(SEED, board, AGM, seed=2025)
    assert first.retiring_ids == again.retiring_ids and len(first.retiring_ids) == 2
    assert first.tie_break is not None and "random seed 2025" in first.tie_break


def test_no_rotation_when_the_constitution_has_none() -> None:
    no_rotation = replace(SEED, board=replace(SEED.board, retire_by_rotation=None))
    board = [director("ann", date(2024, 9, 1)), director("bob", date(2021, 9, 1))]
    assert retirements_at_agm(no_rotation, board, AGM).retiring_ids == ("bob",)


def test_director_who_served_the_most_terms_in_a_row_may_not_stand_again() -> None:
    ann = director("ann", date(2022, 9, 1))
    assert reelection_violations(SEED, ann, 2) == []
    found = reelection_violations(SEED, ann, 3)
    assert [v.message for v in found] == [
        "Ann has served 3 terms in a row; the constitution allows at most 3 before a break."
    ]


@given(st.lists(st.dates(date(2020, 1, 1), date(2025, 9, 1)), min_size=1, max_size=12), st.integers(0, 10**6))
def test_rotation_never_passes_over_someone_longer_in_office(starts: list[date], seed: int) -> None:
    board = [director(f"d{i}", start) for i, start in enumerate(starts)]
    outcome = retirements_at_agm(SEED, board, date(2025, 9, 2), seed=seed)
    retiring = set(outcome.retiring_ids)
    staying = [d for d in board if d.id not in retiring]
    for gone in (d for d in board if d.id in retiring):
        assert all(
            gone.term_start <= s.term_start or director_term_end(SEED, gone) <= date(2025, 9, 2)
            for s in staying
        )
    assert len(retiring) >= outcome.rotation_number
