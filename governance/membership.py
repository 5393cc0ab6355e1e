"""Joining and leaving: eligibility answers, when a resignation takes effect, and whether an expulsion
followed the procedure the constitution sets (notice with reasons, the right to be heard, the majority)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from governance.constitution.schema import Constitution, ExpulsionBy, MemberClass
from governance.violations import Violation


def eligibility_violations(member_class: MemberClass, answers: Sequence[bool | None]) -> list[Violation]:
    """Why these answers do not make a person eligible for the class (empty if they do)."""
    found: list[Violation] = []
    for number, (question, answer) in enumerate(
        zip(member_class.eligibility_questions, answers, strict=True)
    ):
        if answer is None:
            found.append(Violation(f"eligibility.unanswered.{number}", f"Answer the question: {question}"))
        elif not answer:
            found.append(
                Violation(
                    f"eligibility.no.{number}",
                    f"To join as a {member_class.name} the answer must be yes: {question}",
                )
            )
    return found


def resignation_takes_effect(constitution: Constitution, notice_given_on: date) -> date:
    """The day a resignation takes effect: the notice period after the member gives notice."""
    return notice_given_on + timedelta(days=constitution.membership.resignation_notice_days)


def earliest_expulsion_decision(constitution: Constitution, notice_given_on: date) -> date:
    """The first day an expulsion may be decided: the member's notice period must have passed."""
    return notice_given_on + timedelta(days=constitution.membership.expulsion_notice_days)


def expulsion_violations(
    constitution: Constitution,
    *,
    notice_given_on: date | None,
    decided_on: date,
    member_heard: bool,
    decided_by: ExpulsionBy,
    votes_for: int,
    votes_cast: int,
) -> list[Violation]:
    """Why an expulsion may not go ahead as proposed (empty if it may)."""
    rules = constitution.membership
    found: list[Violation] = []
    if notice_given_on is None:
        return [
            Violation("expulsion.no_notice", "The member has not been given written notice with the reasons.")
        ]
    earliest = earliest_expulsion_decision(constitution, notice_given_on)
    if decided_on < earliest:
        found.append(
            Violation(
                "expulsion.too_soon",
                f"The member must have {rules.expulsion_notice_days} days' notice. "
                f"The earliest day to decide is {earliest.day} {earliest:%B %Y}.",
            )
        )
    if not member_heard:
        found.append(
            Violation(
                "expulsion.not_heard",
                "Record what the member said, or that they chose not to be heard, before deciding.",
            )
        )
    if decided_by is not rules.expulsion_by:
        who = "the board" if rules.expulsion_by is ExpulsionBy.BOARD else "a general meeting of the members"
        found.append(Violation("expulsion.wrong_body", f"The constitution says {who} decides an expulsion."))
    if votes_cast <= 0 or votes_for > votes_cast or votes_for < 0:
        found.append(Violation("expulsion.votes", "Enter the votes for and the votes cast."))
    elif not rules.expulsion_threshold.is_met(votes_for, votes_cast):
        found.append(
            Violation(
                "expulsion.majority",
                f"{votes_for} of {votes_cast} votes were for expelling; the constitution needs "
                f"{rules.expulsion_threshold}.",
            )
        )
    return found
