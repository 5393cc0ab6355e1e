"""Resolution outcomes: thresholds at their exact edges, written resolutions, casting votes, vetoes, caps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.constitutions import load_model_constitution
from governance.quorum import QuorumOutcome
from governance.resolutions import (
    CastVote,
    Choice,
    ResolutionFacts,
    ResolutionKind,
    ResolutionStatus,
    resolution_outcome,
    written_resolution_lapse_date,
)

SEED = load_model_constitution("cic_guarantee")
QUORATE = QuorumOutcome(True, 3, 10, "Quorate.")
INQUORATE = QuorumOutcome(False, 3, 2, "2 members are taking part; the constitution needs 3.")
F, A, X = Choice.FOR, Choice.AGAINST, Choice.ABSTAIN


def votes(n_for: int, n_against: int, n_abstain: int = 0, cls: str = "family_carer") -> tuple[CastVote, ...]:
    return tuple(
        CastVote(choice, member_class=cls)
        for choice, n in ((F, n_for), (A, n_against), (X, n_abstain))
        for _ in range(n)
    )


def at_meeting(kind: ResolutionKind, cast: tuple[CastVote, ...], **more: object) -> ResolutionFacts:
    return ResolutionFacts(kind=kind, votes=cast, quorum=QUORATE, **more)  # type: ignore[arg-type]


def test_special_resolution_passes_at_exactly_75_percent_of_votes_cast() -> None:
    outcome = resolution_outcome(SEED, at_meeting(ResolutionKind.SPECIAL, votes(3, 1)))
    assert outcome.passed
    assert "A special resolution needs at least 75% of votes cast: 3 of 4 is 75%." in outcome.reasons


def test_special_resolution_fails_just_below_75_percent() -> None:
    outcome = resolution_outcome(SEED, at_meeting(ResolutionKind.SPECIAL, votes(74, 26)))
    assert not outcome.passed
    assert [v.code for v in outcome.violations] == ["resolution.threshold_not_met"]


def test_ordinary_resolution_fails_at_exactly_half_and_passes_just_above() -> None:
    assert not resolution_outcome(SEED, at_meeting(ResolutionKind.ORDINARY, votes(2, 2))).passed
    assert resolution_outcome(SEED, at_meeting(ResolutionKind.ORDINARY, votes(3, 2))).passed


def test_abstentions_are_not_votes_cast() -> None:
    outcome = resolution_outcome(SEED, at_meeting(ResolutionKind.SPECIAL, votes(3, 1, 10)))
    assert outcome.passed
    assert outcome.counted_against == 4 and outcome.abstentions == 10
    assert "abstentions are not votes cast" in outcome.reasons[0]


def test_no_votes_cast_fails() -> None:
    assert not resolution_outcome(SEED, at_meeting(ResolutionKind.ORDINARY, votes(0, 0, 5))).passed


def test_inquorate_meeting_passes_nothing() -> None:
    facts = ResolutionFacts(ResolutionKind.ORDINARY, votes(9, 0), quorum=INQUORATE)
    outcome = resolution_outcome(SEED, facts)
    assert not outcome.passed
    assert "resolution.not_quorate" in [v.code for v in outcome.violations]


def test_meeting_resolution_without_a_quorum_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="quorum"):
        resolution_outcome(SEED, ResolutionFacts(ResolutionKind.ORDINARY, votes(1, 0)))


def written(
    kind: ResolutionKind, cast: tuple[CastVote, ...], eligible: int, **more: object
) -> ResolutionFacts:
    return ResolutionFacts(
        kind=kind,
        votes=cast,
        eligible_votes=eligible,
        circulated_on=date(2025, 3, 1),
        **more,  # type: ignore[arg-type]
    )


def test_written_ordinary_resolution_is_counted_against_all_eligible_votes_not_votes_cast() -> None:
    # 5 agreements and nobody against: 100% of votes cast, but only half of the 10 eligible votes.
    outcome = resolution_outcome(SEED, written(ResolutionKind.WRITTEN_ORDINARY, votes(5, 0), 10))
    assert not outcome.passed
    assert outcome.counted_against == 10
    assert resolution_outcome(SEED, written(ResolutionKind.WRITTEN_ORDINARY, votes(6, 0), 10)).passed


def test_written_special_resolution_needs_75_percent_of_eligible_votes() -> None:
    assert resolution_outcome(SEED, written(ResolutionKind.WRITTEN_SPECIAL, votes(75, 0), 100)).passed
    assert not resolution_outcome(SEED, written(ResolutionKind.WRITTEN_SPECIAL, votes(74, 0), 100)).passed


def test_written_resolution_lapses_28_days_after_circulation_by_default() -> None:
    assert written_resolution_lapse_date(SEED, date(2025, 3, 1)) == date(2025, 3, 29)
    shorter = replace(SEED, resolutions=replace(SEED.resolutions, written_lapse_days=14))
    assert written_resolution_lapse_date(shorter, date(2025, 3, 1)) == date(2025, 3, 15)


def test_written_resolution_is_open_until_it_lapses_then_fails() -> None:
    cast = votes(3, 0)
    open_outcome = resolution_outcome(
        SEED, written(ResolutionKind.WRITTEN_ORDINARY, cast, 10, as_of=date(2025, 3, 29))
    )
    assert open_outcome.status is ResolutionStatus.OPEN
    lapsed = resolution_outcome(
        SEED, written(ResolutionKind.WRITTEN_ORDINARY, cast, 10, as_of=date(2025, 3, 30))
    )
    assert lapsed.status is ResolutionStatus.FAILED
    assert "It lapsed on 2025-03-29 without passing." in lapsed.reasons


def test_agreement_after_the_lapse_date_does_not_count() -> None:
    on_time = tuple(CastVote(F, agreed_on=date(2025, 3, 29)) for _ in range(5))
    late = (CastVote(F, agreed_on=date(2025, 3, 30)),)
    outcome = resolution_outcome(SEED, written(ResolutionKind.WRITTEN_ORDINARY, on_time + late, 10))
    assert not outcome.passed and outcome.votes_for == 5
    assert resolution_outcome(
        SEED, written(ResolutionKind.WRITTEN_ORDINARY, on_time + on_time[:1], 10)
    ).passed


def test_director_cannot_be_removed_by_written_resolution() -> None:
    facts = written(ResolutionKind.NAMED, votes(10, 0), 10, named_decision="director_removal", written=True)
    outcome = resolution_outcome(SEED, facts)
    assert not outcome.passed
    assert "resolution.meeting_only" in [v.code for v in outcome.violations]


def board(n_for: int, n_against: int, **more: object) -> ResolutionFacts:
    return at_meeting(ResolutionKind.BOARD, votes(n_for, n_against), **more)


def test_board_tie_fails_without_a_casting_vote() -> None:
    outcome = resolution_outcome(SEED, board(2, 2))
    assert not outcome.passed
    assert "The votes are tied and the chair did not use the casting vote." in outcome.reasons


def test_board_tie_is_decided_by_the_chairs_casting_vote_where_the_constitution_allows_it() -> None:
    outcome = resolution_outcome(SEED, board(2, 2, chair_casting_vote=F))
    assert outcome.passed and outcome.casting_vote_used
    assert not resolution_outcome(SEED, board(2, 2, chair_casting_vote=A)).passed


def test_casting_vote_is_ignored_when_the_constitution_gives_none() -> None:
    no_casting = replace(SEED, board=replace(SEED.board, chair_casting_vote=False))
    outcome = resolution_outcome(no_casting, board(2, 2, chair_casting_vote=F))
    assert not outcome.passed and not outcome.casting_vote_used
    assert "The votes are tied and the constitution gives the chair no casting vote." in outcome.reasons


def test_casting_vote_only_on_an_equality() -> None:
    outcome = resolution_outcome(SEED, board(1, 2, chair_casting_vote=F))
    assert not outcome.passed and not outcome.casting_vote_used


def test_conflicted_chair_has_no_casting_vote() -> None:
    outcome = resolution_outcome(SEED, board(2, 2, chair_casting_vote=F, chair_may_vote_on_item=False))
    assert not outcome.passed and not outcome.casting_vote_used


def test_no_casting_vote_at_a_general_meeting() -> None:
    outcome = resolution_outcome(SEED, at_meeting(ResolutionKind.ORDINARY, votes(2, 2), chair_casting_vote=F))
    assert not outcome.passed and not outcome.casting_vote_used
    assert "resolution.casting_vote_not_allowed" in [v.code for v in outcome.violations]


def test_conflicted_directors_votes_are_not_counted() -> None:
    cast = (*votes(2, 2), CastVote(F, member_class="family_carer", conflicted=True))
    outcome = resolution_outcome(SEED, at_meeting(ResolutionKind.BOARD, cast))
    assert outcome.votes_for == 2 and not outcome.passed


def test_budget_holders_can_veto_a_constitution_amendment() -> None:
    cast = votes(20, 0, cls="family_carer") + votes(1, 2, cls="budget_holder")
    outcome = resolution_outcome(
        SEED, at_meeting(ResolutionKind.NAMED, cast, named_decision="constitution_amendment")
    )
    assert not outcome.passed
    assert [v.message for v in outcome.violations if v.code == "resolution.class_veto"] == [
        "The budget holders used their class veto: 1 of 3 of their votes were for it; it needs more than 50% "
        "of them."
    ]
    cast = votes(20, 0, cls="family_carer") + votes(2, 1, cls="budget_holder")
    assert resolution_outcome(
        SEED, at_meeting(ResolutionKind.NAMED, cast, named_decision="constitution_amendment")
    ).passed


def test_dissolution_needs_half_of_members_to_vote() -> None:
    facts = at_meeting(ResolutionKind.NAMED, votes(4, 0), named_decision="dissolution", eligible_votes=10)
    outcome = resolution_outcome(SEED, facts)
    assert not outcome.passed and "resolution.turnout" in [v.code for v in outcome.violations]
    facts = replace(facts, votes=votes(5, 0))
    assert resolution_outcome(SEED, facts).passed


def test_investor_votes_are_capped_at_ten_percent_of_votes_cast() -> None:
    coop = load_model_constitution("multi_stakeholder_coop")
    cast = votes(4, 5, cls="user") + votes(30, 0, cls="investor")
    outcome = resolution_outcome(coop, at_meeting(ResolutionKind.ORDINARY, cast))
    # Investors' 30 votes shrink to 1 (10% of the 10 votes then cast): 5 for, 5 against, not a majority.
    assert outcome.votes_for == 5 and outcome.votes_against == 5
    assert not outcome.passed


def test_proxy_holder_over_the_limit_stops_the_count() -> None:
    coop = load_model_constitution("cooperative_society")  # one proxy each
    cast = (CastVote(F, proxy_holder="Sam"), CastVote(F, proxy_holder="Sam"), CastVote(A))
    outcome = resolution_outcome(coop, at_meeting(ResolutionKind.ORDINARY, cast))
    assert not outcome.passed and "resolution.proxy_limit" in [v.code for v in outcome.violations]


def test_proxy_votes_count_as_votes_cast() -> None:
    cast = (CastVote(F, proxy_holder="Sam"), CastVote(F), CastVote(A))
    assert resolution_outcome(SEED, at_meeting(ResolutionKind.ORDINARY, cast)).votes_for == 2


def test_unknown_named_decision_is_refused() -> None:
    with pytest.raises(ValueError, match="no decision"):
        resolution_outcome(SEED, at_meeting(ResolutionKind.NAMED, votes(1, 0), named_decision="merger"))


KINDS = [ResolutionKind.ORDINARY, ResolutionKind.SPECIAL, ResolutionKind.BOARD]


@given(st.sampled_from(KINDS), st.integers(0, 40), st.integers(0, 40), st.integers(0, 5), st.integers(1, 5))
def test_outcome_is_monotone_in_votes_for(
    kind: ResolutionKind, n_for: int, n_against: int, n_abs: int, more: int
) -> None:
    before = resolution_outcome(SEED, at_meeting(kind, votes(n_for, n_against, n_abs)))
    after = resolution_outcome(SEED, at_meeting(kind, votes(n_for + more, n_against, n_abs)))
    assert after.passed or not before.passed
    switched = resolution_outcome(SEED, at_meeting(kind, votes(n_for + 1, max(n_against - 1, 0), n_abs)))
    assert switched.passed or not before.passed


@given(st.integers(0, 60), st.integers(0, 60))
def test_special_resolution_agrees_with_integer_arithmetic(n_for: int, n_against: int) -> None:
    outcome = resolution_outcome(SEED, at_meeting(ResolutionKind.SPECIAL, votes(n_for, n_against)))
    cast = n_for + n_against
    assert outcome.passed == (cast > 0 and 4 * n_for >= 3 * cast)


@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))
def test_capped_investors_never_exceed_their_cap(users_for: int, users_against: int, investors: int) -> None:
    coop = load_model_constitution("multi_stakeholder_coop")
    cast = votes(users_for, users_against, cls="user") + votes(investors, 0, cls="investor")
    outcome = resolution_outcome(coop, at_meeting(ResolutionKind.ORDINARY, cast))
    total = outcome.votes_for + outcome.votes_against
    investor_part = outcome.votes_for - users_for
    assert investor_part <= total / 10 or investor_part == investors
    assert investor_part <= investors


def test_society_dissolution_at_a_meeting_is_counted_against_all_members() -> None:
    coop = load_model_constitution("cooperative_society")  # dissolution: at least 75% of eligible votes
    facts = at_meeting(
        ResolutionKind.NAMED, votes(8, 0, cls="member"), named_decision="dissolution", eligible_votes=12
    )
    assert not resolution_outcome(coop, facts).passed  # 8 of 12 is 66.7%
    assert resolution_outcome(coop, replace(facts, votes=votes(9, 0, cls="member"))).passed
    with pytest.raises(ValueError, match="eligible votes"):
        resolution_outcome(coop, replace(facts, eligible_votes=None))


def test_a_written_resolution_to_remove_a_director_or_an_auditor_is_refused_with_the_law() -> None:
    from governance.resolutions import written_resolution_violations

    assert written_resolution_violations(SEED) == []
    (director,) = written_resolution_violations(SEED, removes_director=True)
    assert director.code == "resolution.removal_needs_meeting"
    assert "director" in director.message and "section 288" in director.message
    (auditor,) = written_resolution_violations(SEED, removes_auditor=True)
    assert "auditor" in auditor.message


def test_a_constitution_without_written_resolutions_refuses_them() -> None:
    from governance.resolutions import written_resolution_violations

    closed = replace(SEED, resolutions=replace(SEED.resolutions, written_allowed=False))
    codes = [v.code for v in written_resolution_violations(closed)]
    assert codes == ["resolution.written_not_allowed"]
