"""Votes on a show of hands at a meeting, as the secretary counts them: whether the counts are possible,
and whether a casting vote may be used. The outcome itself is `governance.resolutions.resolution_outcome`."""

from __future__ import annotations

from dataclasses import dataclass

from governance.constitution.schema import Constitution
from governance.resolutions import CastVote, Choice
from governance.violations import Violation


@dataclass(frozen=True, slots=True)
class Hands:
    """The hands counted for, against and abstaining on one resolution."""

    votes_for: int
    votes_against: int
    abstentions: int

    @property
    def raised(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions

    @property
    def tied(self) -> bool:
        return self.votes_for == self.votes_against and self.votes_for > 0

    def as_votes(self) -> tuple[CastVote, ...]:
        """One weighted vote per choice: each hand is one vote on a show of hands."""
        counts = ((Choice.FOR, self.votes_for), (Choice.AGAINST, self.votes_against))
        votes = [CastVote(choice, weight=n) for choice, n in (*counts, (Choice.ABSTAIN, self.abstentions))]
        return tuple(v for v in votes if v.weight)


def hands_violations(hands: Hands, able_to_vote: int, conflicted: int = 0) -> list[Violation]:
    """Why these counts cannot be right (empty if they can): more hands than people who may vote."""
    if hands.raised <= able_to_vote:
        return []
    left_out = ""
    if conflicted:
        left_out = (
            f" ({conflicted} {'director has' if conflicted == 1 else 'directors have'} a conflict of "
            "interest and may not vote)"
        )
    return [
        Violation(
            "hands.too_many",
            f"{hands.raised} hands were counted but only {able_to_vote} "
            f"{'person' if able_to_vote == 1 else 'people'} may vote on this item{left_out}.",
        )
    ]


def casting_vote_violations(
    constitution: Constitution, *, board_meeting: bool, hands: Hands, chair_conflicted: bool
) -> list[Violation]:
    """Why the chair may not use a casting vote here (empty if they may). Never at a general meeting
    (CA06 ss.281-282 for companies formed since October 2007); at the board only where the constitution
    gives one, only on a tie, and not when the chair may not vote on the item."""
    if not board_meeting:
        return [
            Violation(
                "casting.general_meeting",
                "The chair has no casting vote at a general meeting: a resolution needs a majority of the "
                "members' own votes.",
            )
        ]
    if not constitution.board.chair_casting_vote:
        return [Violation("casting.not_in_constitution", "The constitution gives the chair no casting vote.")]
    if not hands.tied:
        return [
            Violation("casting.not_tied", "The chair can use a casting vote only when the votes are tied.")
        ]
    if chair_conflicted:
        return [
            Violation(
                "casting.chair_conflicted",
                "The chair declared a conflict of interest in this item, so has no casting vote on it.",
            )
        ]
    return []
