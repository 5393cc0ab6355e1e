"""Show-of-hands counts and the chair's casting vote: impossible counts and casting votes are refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from governance.constitutions import load_model_constitution
from governance.notice import DeliveryMethod, MeetingKind, notice_sending_date, required_clear_days
from governance.quorum import QuorumOutcome
from governance.resolutions import ResolutionFacts, ResolutionKind, resolution_outcome
from governance.show_of_hands import Hands, casting_vote_violations, hands_violations

SEED = load_model_constitution("cic_guarantee")  # the chair has a casting vote at board meetings
QUORATE = QuorumOutcome(True, 2, 3, "Quorate")


def test_more_hands_than_people_who_may_vote_is_refused_naming_the_conflicted() -> None:
    assert hands_violations(Hands(2, 1, 0), able_to_vote=3) == []
    (problem,) = hands_violations(Hands(2, 2, 0), able_to_vote=3, conflicted=1)
    assert problem.code == "hands.too_many"
    assert "4 hands were counted but only 3 people may vote" in problem.message
    assert "1 director has a conflict of interest" in problem.message


def test_seventy_five_percent_exactly_passes_a_special_resolution() -> None:
    def special(hands: Hands) -> bool:
        facts = ResolutionFacts(ResolutionKind.SPECIAL, hands.as_votes(), quorum=QUORATE)
        return resolution_outcome(SEED, facts).passed

    assert special(Hands(3, 1, 5))  # abstentions are not votes cast
    assert not special(Hands(74, 26, 0)) and special(Hands(75, 25, 0))


def test_casting_vote_is_refused_at_a_general_meeting_and_off_a_tie() -> None:
    tie = Hands(2, 2, 0)
    (general,) = casting_vote_violations(SEED, board_meeting=False, hands=tie, chair_conflicted=False)
    assert general.code == "casting.general_meeting"
    assert casting_vote_violations(SEED, board_meeting=True, hands=tie, chair_conflicted=False) == []
    (off,) = casting_vote_violations(SEED, board_meeting=True, hands=Hands(3, 2, 0), chair_conflicted=False)
    assert off.code == "casting.not_tied"
    (conflicted,) = casting_vote_violations(SEED, board_meeting=True, hands=tie, chair_conflicted=True)
    assert conflicted.code == "casting.chair_conflicted"
    no_casting = replace(SEED, board=replace(SEED.board, chair_casting_vote=False))
    (absent,) = casting_vote_violations(no_casting, board_meeting=True, hands=tie, chair_conflicted=False)
    assert absent.code == "casting.not_in_constitution"


def test_a_class_meeting_needs_general_meeting_notice_and_post_decides_the_sending_date() -> None:
    assert required_clear_days(SEED, MeetingKind.CLASS) == required_clear_days(SEED, MeetingKind.GENERAL)
    meeting = date(2025, 3, 31)  # a Monday
    by_email = notice_sending_date(SEED, MeetingKind.GENERAL, meeting, [DeliveryMethod.EMAIL])
    both = notice_sending_date(
        SEED, MeetingKind.GENERAL, meeting, [DeliveryMethod.EMAIL, DeliveryMethod.POST]
    )
    assert both <= by_email
    # Sent a day later by email (2 working days, over a weekend) it would leave only 13 clear days.
    assert by_email == date(2025, 3, 12)
