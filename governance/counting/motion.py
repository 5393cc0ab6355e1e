"""Counting a motion: for / against / abstain, with the threshold, denominator and quorum made explicit
(counting.md §7). Thresholds are compared in exact arithmetic, never in floats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from governance.counting.model import CountError, CountSheet, Event, Round

FOR, AGAINST, ABSTAIN = "For", "Against", "Abstain"


class Denominator(StrEnum):
    """What the required fraction is a fraction of."""

    FOR_AGAINST = "for_against"
    """Votes cast: for plus against (abstentions are not votes cast)."""
    FOR_AGAINST_ABSTAIN = "for_against_abstain"
    MEMBERS_PRESENT = "members_present"
    ALL_MEMBERS = "all_members"


class QuorumBasis(StrEnum):
    BALLOTS_CAST = "ballots_cast"
    MEMBERS_PRESENT = "members_present"


@dataclass(frozen=True, slots=True)
class MotionRules:
    """The policy parameters of a motion count; the defaults are a simple majority of votes cast."""

    fraction: Fraction = Fraction(1, 2)
    strict: bool = True
    """True: more than the fraction (`>`); False: at least the fraction (`>=`)."""
    denominator: Denominator = Denominator.FOR_AGAINST
    quorum: int | None = None
    """The fewest participants for the count to stand, or None for no quorum."""
    quorum_basis: QuorumBasis = QuorumBasis.BALLOTS_CAST
    abstentions_count_for_quorum: bool = True


SIMPLE_MAJORITY = MotionRules()
SPECIAL_MAJORITY = MotionRules(fraction=Fraction(3, 4), strict=False)


@dataclass(frozen=True, slots=True)
class MotionVotes:
    """The (weighted) totals of a motion, and the membership and attendance when the rules need them."""

    votes_for: Decimal
    votes_against: Decimal
    abstentions: Decimal = Decimal(0)
    members_present: int | None = None
    members_total: int | None = None

    @classmethod
    def from_ballots(
        cls,
        ballots: Iterable[tuple[str, Decimal | int]],
        *,
        members_present: int | None = None,
        members_total: int | None = None,
    ) -> MotionVotes:
        """Add up (choice, weight) pairs; choice is "for", "against" or "abstain" (any case)."""
        totals = {"for": Decimal(0), "against": Decimal(0), "abstain": Decimal(0)}
        for choice, weight in ballots:
            key = choice.lower()
            if key not in totals:
                raise CountError(f'a motion vote must be for, against or abstain, not "{choice}"')
            if weight < 0:
                raise CountError("a vote's weight cannot be negative")
            totals[key] += Decimal(weight)
        return cls(totals["for"], totals["against"], totals["abstain"], members_present, members_total)


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _number_text(value: Fraction) -> str:
    """ "3", "2.5", or "16/3 (about 5.33)" when no short decimal is exact."""
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        return f"{_exact_decimal(value).normalize():f}"
    return f"{_fraction_text(value)} (about {_exact_decimal(value):.2f})"


def _exact_decimal(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(value.numerator) / Decimal(value.denominator)


def count_motion(
    votes: MotionVotes, rules: MotionRules = SIMPLE_MAJORITY, *, title: str = "Motion"
) -> CountSheet:
    """Count a motion. The sheet elects "For" when the motion is carried, nobody otherwise.

    A tie (as many votes for as against) fails the motion whatever the fraction; so does a count with no
    denominator (nobody voted) and an inquorate count.
    """
    f, a, x = votes.votes_for, votes.votes_against, votes.abstentions
    if min(f, a, x) < 0:
        raise CountError("vote totals cannot be negative")
    events: list[Event] = []

    if rules.denominator is Denominator.FOR_AGAINST:
        whole, whole_words = f + a, "votes for and against"
    elif rules.denominator is Denominator.FOR_AGAINST_ABSTAIN:
        whole, whole_words = f + a + x, "votes for, against and abstentions"
    elif rules.denominator is Denominator.MEMBERS_PRESENT:
        if votes.members_present is None:
            raise CountError("this motion is counted against members present: give members_present")
        whole, whole_words = Decimal(votes.members_present), "members present"
    else:
        if votes.members_total is None:
            raise CountError("this motion is counted against all members: give members_total")
        whole, whole_words = Decimal(votes.members_total), "all members"

    needed = rules.fraction * Fraction(whole)
    comparison = "more than" if rules.strict else "at least"
    meets = Fraction(f) > needed if rules.strict else Fraction(f) >= needed
    carried = meets and whole > 0
    events.append(
        Event(
            "note",
            None,
            f"For {f}, against {a}, abstentions {x}. The motion needs {comparison} "
            f"{_fraction_text(rules.fraction)} of {whole_words} ({whole}): {comparison} "
            f"{_number_text(needed)} votes for.",
        )
    )
    if whole == 0:
        events.append(Event("note", None, "No votes count toward the total, so the motion is not carried."))
    if f == a and carried:
        carried = False
        events.append(Event("note", None, "The votes for and against are equal; a tie fails the motion."))

    if rules.quorum is not None:
        if rules.quorum_basis is QuorumBasis.MEMBERS_PRESENT:
            if votes.members_present is None:
                raise CountError("the quorum is counted on members present: give members_present")
            taking_part = Decimal(votes.members_present)
        else:
            taking_part = f + a + (x if rules.abstentions_count_for_quorum else Decimal(0))
        if taking_part < rules.quorum:
            carried = False
            events.append(
                Event("note", None, f"Not quorate: {taking_part} took part and the quorum is {rules.quorum}.")
            )
    events.append(Event("note", None, "The motion is carried." if carried else "The motion is not carried."))

    elected = (FOR,) if carried else ()
    count_round = Round(
        number=1,
        tallies={FOR: f, AGAINST: a, ABSTAIN: x},
        threshold=_exact_decimal(needed),
        elected=elected,
        events=tuple(events),
    )
    return CountSheet(
        method="motion",
        title=title,
        seats=1,
        candidates=(FOR, AGAINST, ABSTAIN),
        valid_poll=f + a + x,
        rounds=(count_round,),
        elected=elected,
        options={
            "fraction": _fraction_text(rules.fraction),
            "comparison": ">" if rules.strict else ">=",
            "denominator": rules.denominator.value,
            "quorum": rules.quorum,
            "quorum_basis": rules.quorum_basis.value,
            "abstentions_count_for_quorum": rules.abstentions_count_for_quorum,
            "tie": "fails",
        },
    )


def motion_carried(sheet: CountSheet) -> bool:
    """Whether a motion count sheet records the motion as carried."""
    return sheet.method == "motion" and sheet.elected == (FOR,)
