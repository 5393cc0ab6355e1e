"""Quorum at general meetings and board meetings, with conflicted directors left out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from governance.board import Director
from governance.constitution import Combine, Share
from governance.constitutions import load_model_constitution
from governance.quorum import Participant, board_quorum, general_meeting_quorum

SEED = load_model_constitution("cic_guarantee")  # greater of 3 members or 10%; a budget holder must attend


def member(i: int, cls: str = "budget_holder", by_proxy: bool = False) -> Participant:
    return Participant(f"m{i}", frozenset({cls}), by_proxy)


def test_general_meeting_needs_the_greater_of_three_members_or_ten_percent() -> None:
    assert general_meeting_quorum(SEED, voting_members=20, participants=[]).needed == 3
    assert general_meeting_quorum(SEED, voting_members=45, participants=[]).needed == 5  # 10% of 45 = 4.5


def test_general_meeting_with_exactly_the_quorum_is_quorate() -> None:
    outcome = general_meeting_quorum(SEED, voting_members=40, participants=[member(i) for i in range(4)])
    assert outcome.met and outcome.needed == 4 and outcome.present == 4


def test_general_meeting_one_short_is_not_quorate_and_says_so() -> None:
    outcome = general_meeting_quorum(SEED, voting_members=40, participants=[member(i) for i in range(3)])
    assert not outcome.met
    assert [v.code for v in outcome.violations] == ["quorum.not_met"]
    assert (
        outcome.message
        == "3 members are taking part; the constitution needs 4 for a general meeting to be quorate."
    )


def test_two_proxies_for_the_same_member_count_once() -> None:
    outcome = general_meeting_quorum(
        SEED, voting_members=10, participants=[member(1), member(2, by_proxy=True), member(2, by_proxy=True)]
    )
    assert outcome.present == 2 and not outcome.met


def test_proxies_do_not_count_when_the_constitution_says_so() -> None:
    rules = replace(SEED.quorum, general_meeting=replace(SEED.quorum.general_meeting, proxies_count=False))
    no_proxies = replace(SEED, quorum=rules)
    people = [member(1), member(2), member(3, by_proxy=True)]
    assert general_meeting_quorum(SEED, voting_members=10, participants=people).met
    assert not general_meeting_quorum(no_proxies, voting_members=10, participants=people).met


def test_general_meeting_without_a_required_class_is_not_quorate() -> None:
    people = [member(i, "family_carer") for i in range(5)]
    outcome = general_meeting_quorum(SEED, voting_members=10, participants=people)
    assert not outcome.met
    assert [v.code for v in outcome.violations] == ["quorum.class_missing"]
    assert "No budget holders are taking part" in outcome.message


def test_lesser_of_number_and_share() -> None:
    gm = replace(
        SEED.quorum.general_meeting,
        min_members=20,
        share_of_members=Share.parse("at least 10%"),
        combine=Combine.LESSER,
    )
    constitution = replace(SEED, quorum=replace(SEED.quorum, general_meeting=gm))
    assert general_meeting_quorum(constitution, voting_members=100, participants=[]).needed == 10


def test_tiny_organisation_can_meet_with_everyone_present() -> None:
    outcome = general_meeting_quorum(SEED, voting_members=2, participants=[member(1), member(2)])
    assert outcome.met and outcome.needed == 2


def director(i: int, cls: str = "budget_holder") -> Director:
    return Director(f"d{i}", f"D{i}", date(2024, 1, 1), frozenset({cls}))


BOARD = [
    director(1),
    director(2),
    director(3, "family_carer"),
    director(4, "family_carer"),
    director(5, "professional"),
]


def test_board_needs_the_greater_of_three_or_a_majority_of_directors_in_office() -> None:
    outcome = board_quorum(SEED, directors=BOARD, present_ids=["d1", "d2", "d3"])
    assert outcome.met and outcome.needed == 3 and outcome.present == 3


def test_conflicted_director_is_not_counted_for_the_item() -> None:
    outcome = board_quorum(SEED, directors=BOARD, present_ids=["d1", "d3", "d4"], conflicted_ids=["d3"])
    assert not outcome.met
    assert outcome.present == 2
    assert outcome.violations[0].message == (
        "2 directors can be counted for this item (1 director with a conflict of interest is not counted); "
        "the constitution needs 3 for the board to be quorate."
    )


def test_board_without_a_budget_holder_counted_is_not_quorate() -> None:
    outcome = board_quorum(SEED, directors=BOARD, present_ids=["d1", "d3", "d4", "d5"], conflicted_ids=["d1"])
    assert not outcome.met
    assert [v.code for v in outcome.violations] == ["quorum.class_missing"]


def test_people_not_in_office_do_not_count() -> None:
    outcome = board_quorum(SEED, directors=BOARD, present_ids=["d1", "d2", "visitor"])
    assert outcome.present == 2 and not outcome.met


@given(st.integers(1, 500), st.integers(0, 500))
def test_general_quorum_is_met_exactly_when_enough_distinct_members_take_part(
    total: int, present: int
) -> None:
    present = min(present, total)
    outcome = general_meeting_quorum(
        SEED, voting_members=total, participants=[member(i) for i in range(present)]
    )
    assert outcome.met == (present >= outcome.needed)
    assert 1 <= outcome.needed <= max(total, 1)
