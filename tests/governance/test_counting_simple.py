"""Motion, plurality and approval counts (counting.md §7 vectors), returning full count sheets."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.counting.approval import ApprovalBallot, count_approval
from governance.counting.model import CountError
from governance.counting.motion import (
    SIMPLE_MAJORITY,
    SPECIAL_MAJORITY,
    Denominator,
    MotionRules,
    MotionVotes,
    QuorumBasis,
    count_motion,
    motion_carried,
)
from governance.counting.plurality import SingleChoiceBallot, count_plurality

D = Decimal


def motion(f: int, a: int, x: int = 0, **more: int) -> MotionVotes:
    return MotionVotes(D(f), D(a), D(x), **more)


def test_three_yes_one_no_is_exactly_75_percent_and_carries_a_special_motion() -> None:
    sheet = count_motion(motion(3, 1), SPECIAL_MAJORITY)
    assert motion_carried(sheet)
    assert sheet.rounds[0].threshold == D(3)
    assert sheet.options["comparison"] == ">="


def test_just_under_75_percent_fails_a_special_motion() -> None:
    sheet = count_motion(motion(74, 26), SPECIAL_MAJORITY)
    assert not motion_carried(sheet)
    assert sheet.elected == ()


def test_zero_votes_cast_does_not_carry() -> None:
    sheet = count_motion(motion(0, 0))
    assert not motion_carried(sheet)
    assert any("No votes count" in e.message for e in sheet.rounds[0].events)


def test_everyone_abstaining_does_not_carry() -> None:
    assert not motion_carried(count_motion(motion(0, 0, 7)))


def test_tie_fails_the_motion_even_at_an_at_least_half_threshold() -> None:
    sheet = count_motion(motion(4, 4), MotionRules(Fraction(1, 2), strict=False))
    assert not motion_carried(sheet)
    assert any("a tie fails the motion" in e.message for e in sheet.rounds[0].events)


def test_simple_majority_is_strictly_more_than_half() -> None:
    assert not motion_carried(count_motion(motion(5, 5)))
    assert motion_carried(count_motion(motion(6, 5)))


def test_quorum_met_only_by_counting_abstentions() -> None:
    votes = motion(3, 1, 2)
    with_abstentions = MotionRules(quorum=6)
    without = MotionRules(quorum=6, abstentions_count_for_quorum=False)
    assert motion_carried(count_motion(votes, with_abstentions))
    sheet = count_motion(votes, without)
    assert not motion_carried(sheet)
    assert "Not quorate: 4 took part and the quorum is 6." in [e.message for e in sheet.rounds[0].events]


def test_quorum_on_members_present() -> None:
    rules = MotionRules(quorum=5, quorum_basis=QuorumBasis.MEMBERS_PRESENT)
    assert not motion_carried(count_motion(motion(3, 0, members_present=4), rules))
    assert motion_carried(count_motion(motion(3, 0, members_present=5), rules))


def test_denominator_of_all_members_counts_absent_members_as_not_in_favour() -> None:
    rules = MotionRules(denominator=Denominator.ALL_MEMBERS)
    assert not motion_carried(count_motion(motion(5, 0, members_total=10), rules))
    assert motion_carried(count_motion(motion(6, 0, members_total=10), rules))


def test_denominator_including_abstentions() -> None:
    rules = MotionRules(denominator=Denominator.FOR_AGAINST_ABSTAIN)
    assert not motion_carried(count_motion(motion(5, 2, 3), rules))
    assert motion_carried(count_motion(motion(6, 2, 3), rules))


def test_missing_attendance_for_a_members_present_denominator_is_an_error() -> None:
    with pytest.raises(CountError):
        count_motion(motion(1, 0), MotionRules(denominator=Denominator.MEMBERS_PRESENT))


def test_weighted_ballots_are_added_exactly() -> None:
    votes = MotionVotes.from_ballots([("for", D("1.5")), ("For", 2), ("against", D("1.5")), ("abstain", 1)])
    sheet = count_motion(votes)
    assert sheet.rounds[0].tallies == {"For": D("3.5"), "Against": D("1.5"), "Abstain": D(1)}
    assert motion_carried(sheet)


def test_unknown_motion_choice_is_an_error() -> None:
    with pytest.raises(CountError):
        MotionVotes.from_ballots([("maybe", 1)])


def test_motion_sheet_serialises_to_json() -> None:
    text = json.dumps(count_motion(motion(2, 1), SIMPLE_MAJORITY).to_json())
    assert '"method": "motion"' in text


@given(st.integers(0, 200), st.integers(0, 200), st.integers(1, 99), st.booleans())
def test_motion_agrees_with_integer_threshold_arithmetic(f: int, a: int, percent: int, strict: bool) -> None:
    rules = MotionRules(Fraction(percent, 100), strict=strict)
    cast = f + a
    expected = (100 * f > percent * cast) if strict else (100 * f >= percent * cast)
    expected = expected and cast > 0 and f != a
    assert motion_carried(count_motion(motion(f, a), rules)) == expected


@given(st.integers(0, 100), st.integers(0, 100), st.integers(1, 10))
def test_more_votes_for_never_turns_a_carried_motion_into_a_lost_one(f: int, a: int, more: int) -> None:
    if motion_carried(count_motion(motion(f, a), SPECIAL_MAJORITY)):
        assert motion_carried(count_motion(motion(f + more, a), SPECIAL_MAJORITY))


def ballots(**counts: int) -> list[SingleChoiceBallot]:
    return [SingleChoiceBallot(name, n) for name, n in counts.items()]


def test_plurality_most_votes_wins() -> None:
    sheet = count_plurality(["Ann", "Bob", "Cat"], ballots(Ann=5, Bob=7, Cat=2))
    assert sheet.elected == ("Bob",)
    assert sheet.valid_poll == D(14)
    assert sheet.rounds[0].tallies["Bob"] == D(7)


def test_plurality_two_seats_takes_the_top_two_in_order() -> None:
    sheet = count_plurality(["Ann", "Bob", "Cat"], ballots(Ann=5, Bob=7, Cat=2), seats=2)
    assert sheet.elected == ("Bob", "Ann")


def test_plurality_tie_without_a_seed_asks_for_one() -> None:
    with pytest.raises(CountError, match="by lot"):
        count_plurality(["Ann", "Bob"], ballots(Ann=4, Bob=4))


def test_plurality_tie_is_settled_by_lot_from_the_seed_and_recorded() -> None:
    sheet = count_plurality(["Ann", "Bob", "Cat"], ballots(Ann=4, Bob=4, Cat=1), seed=11)
    again = count_plurality(["Ann", "Bob", "Cat"], ballots(Ann=4, Bob=4, Cat=1), seed=11)
    assert sheet.elected == again.elected and sheet.elected[0] in {"Ann", "Bob"}
    assert sheet.seed == 11 and sheet.options["lot_used"] is True
    lots = [e for e in sheet.rounds[0].events if e.kind == "tie_break"]
    assert len(lots) == 1 and "random seed 11" in lots[0].message


def test_plurality_tie_below_the_last_seat_needs_no_lot() -> None:
    sheet = count_plurality(["Ann", "Bob", "Cat"], ballots(Ann=9, Bob=4, Cat=4))
    assert sheet.elected == ("Ann",) and sheet.options["lot_used"] is False


def test_plurality_blank_ballots_are_recorded_but_count_for_nobody() -> None:
    sheet = count_plurality(["Ann", "Bob"], [*ballots(Ann=2, Bob=1), SingleChoiceBallot(None, 3)])
    assert sheet.elected == ("Ann",) and sheet.rounds[0].inactive == {"blank": D(3)}


def test_plurality_vote_for_an_unknown_candidate_is_an_error() -> None:
    with pytest.raises(CountError):
        count_plurality(["Ann"], ballots(Zed=1))


@given(st.lists(st.integers(0, 20), min_size=2, max_size=6), st.integers(0, 1000))
def test_plurality_winner_always_has_the_most_votes(counts: list[int], seed: int) -> None:
    names = [f"C{i}" for i in range(len(counts))]
    sheet = count_plurality(
        names, [SingleChoiceBallot(n, c) for n, c in zip(names, counts, strict=True)], seed=seed
    )
    assert sheet.rounds[0].tallies[sheet.elected[0]] == max(counts)


def approve(*names: str, weight: int = 1) -> ApprovalBallot:
    return ApprovalBallot(frozenset(names), weight)


def test_approval_counts_every_approved_candidate() -> None:
    sheet = count_approval(
        ["Ann", "Bob", "Cat"],
        [approve("Ann", "Bob"), approve("Bob"), approve("Cat", "Bob"), approve("Ann")],
        seats=2,
    )
    assert sheet.rounds[0].tallies == {"Ann": D(2), "Bob": D(3), "Cat": D(1)}
    assert sheet.elected == ("Bob", "Ann")


def test_blank_and_approve_everyone_ballots_are_valid_and_change_no_order() -> None:
    base = [approve("Ann"), approve("Ann", "Bob")]
    sheet = count_approval(["Ann", "Bob"], [*base, approve(), approve("Ann", "Bob")])
    assert sheet.elected == count_approval(["Ann", "Bob"], base).elected == ("Ann",)
    assert sheet.valid_poll == D(4)


def test_approve_everyone_ballots_can_be_left_out_of_the_quorum() -> None:
    cast = [approve("Ann"), approve("Ann", "Bob"), approve("Ann", "Bob")]
    assert count_approval(["Ann", "Bob"], cast, quorum=3).elected == ("Ann",)
    sheet = count_approval(["Ann", "Bob"], cast, quorum=3, all_approved_counts_for_quorum=False)
    assert sheet.elected == ()
    assert "Not quorate: 1 ballots count toward the quorum of 3." in [
        e.message for e in sheet.rounds[0].events
    ]


def test_approval_tie_for_the_last_seat_uses_the_seed() -> None:
    sheet = count_approval(["Ann", "Bob", "Cat"], [approve("Ann", "Bob"), approve("Cat", "Ann")], seed=3)
    assert sheet.elected == ("Ann",)  # Ann leads; no lot
    sheet = count_approval(["Ann", "Bob", "Cat"], [approve("Ann", "Bob"), approve("Cat")], seats=2, seed=3)
    assert len(sheet.elected) == 2 and sheet.options["lot_used"] is True and sheet.seed == 3


def test_approval_of_an_unknown_candidate_is_an_error() -> None:
    with pytest.raises(CountError):
        count_approval(["Ann"], [approve("Zed")])
