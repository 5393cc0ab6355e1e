"""Counting a closed vote from its bulletin board with the rules engine in `governance/`.

The threshold and quorum come from the constitution, by the vote's purpose: ordinary and special
resolutions, commissioning and general questions, board elections (the general meeting quorum) and board
decisions (the board's majority and quorum). Used at close and again, independently, by `coop verify`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from coop.votes import ballots as choices
from coop.votes.bulletin import BoardEntry
from governance.constitution import Comparison, Constitution, Share
from governance.counting.approval import ApprovalBallot, count_approval
from governance.counting.irv import count_irv
from governance.counting.model import Contest, CountSheet, RankedBallot, aggregate
from governance.counting.motion import MotionRules, MotionVotes, count_motion
from governance.counting.plurality import SingleChoiceBallot, count_plurality
from governance.counting.scottish import count_scottish_stv
from governance.quorum import Participant, general_meeting_quorum


def threshold_for(purpose: str, constitution: Constitution) -> tuple[Share, str]:
    """The share of votes cast a motion needs, and where that rule comes from, in words."""
    if purpose == "special_resolution":
        return constitution.resolutions.special, "a special resolution"
    if purpose == "board_decision":
        return constitution.board.decision_threshold, "a board decision"
    return constitution.resolutions.ordinary, "an ordinary resolution"


def quorum_for(
    purpose: str, constitution: Constitution, *, electorate: int, participants: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """Whether enough of the electorate took part, under the constitution's quorum for this kind of vote."""
    if purpose == "board_decision":
        rule = constitution.quorum.board
        needed = rule.min_directors
        if rule.share_of_directors is not None:
            from_share = rule.share_of_directors.smallest_whole_number(electorate)
            needed = max(needed, from_share) if rule.combine.value == "greater" else min(needed, from_share)
        needed = max(1, min(needed, electorate))
        present = len(participants)
        met = present >= needed
        return {
            "needed": needed,
            "present": present,
            "met": met,
            "message": f"{present} of {electorate} directors voted; the board quorum is {needed}.",
        }
    outcome = general_meeting_quorum(
        constitution,
        voting_members=electorate,
        participants=[Participant(member_id=m, classes=frozenset({c})) for m, c in participants],
    )
    message = f"{outcome.present} of {electorate} members voted; the quorum is {outcome.needed}."
    if outcome.violations:
        message += " " + " ".join(v.message for v in outcome.violations)
    return {"needed": outcome.needed, "present": outcome.present, "met": outcome.met, "message": message}


def count_vote(
    *,
    kind: str,
    purpose: str,
    title: str,
    options: Sequence[str],
    seats: int,
    entries: Sequence[BoardEntry],
    constitution: Constitution,
    electorate: int,
    participants: Sequence[tuple[str, str]],
    by_channel: dict[str, int],
    seed: int,
) -> dict[str, Any]:
    """The result as stored and published: count sheet, turnout, quorum, threshold and outcome in words."""
    quorum = quorum_for(purpose, constitution, electorate=electorate, participants=participants)
    threshold_text = ""
    sheet = count_sheet(
        kind=kind,
        purpose=purpose,
        title=title,
        options=options,
        seats=seats,
        entries=entries,
        constitution=constitution,
        quorum_needed=quorum["needed"],
        seed=seed,
    )
    # Decided once: every view of the result shows `chosen` and this text, never the sheet's own winners.
    chosen = chosen_after_quorum(quorum_met=bool(quorum["met"]), elected=sheet.elected)
    if kind == "motion":
        share, source = threshold_for(purpose, constitution)
        threshold_text = f"The motion needs {share} of votes cast (for and against), as {source} does."
        if not quorum["met"]:
            outcome = "The motion is not carried: not enough members voted (the vote was not quorate)."
        else:
            outcome = "The motion is carried." if chosen else "The motion is not carried."
    else:
        places = "seat" if seats == 1 else "seats"
        threshold_text = {
            "single": "The option with most votes wins.",
            "approval": f"The {seats} option{'s' if seats > 1 else ''} approved by most voters win.",
            "ranked": "Instant runoff: an option needs more than half of the votes still in the count.",
            "stv": f"Single transferable vote (Scottish rules), {seats} {places}, Droop quota.",
        }[kind]
        if not quorum["met"]:
            outcome = "No result: not enough members voted (the vote was not quorate), so nobody is chosen."
        elif chosen:
            outcome = ("Elected: " if kind == "stv" else "Chosen: ") + ", ".join(chosen) + "."
        else:
            outcome = "Nobody was chosen."
    return {
        "sheet": sheet.to_json(),
        "quorum": quorum,
        "threshold": threshold_text,
        "outcome": outcome,
        "chosen": chosen,
        "carried": bool(chosen),
        "turnout": {
            "electorate": electorate,
            "voted": len(participants),
            "ballots": len(entries),
            "by_channel": dict(sorted(by_channel.items())),
        },
        "seed": seed,
    }


def chosen_after_quorum(*, quorum_met: bool, elected: Sequence[str]) -> list[str]:
    """What a vote chose: the count's winners (or "for" a carried motion) if it was quorate, else nothing.
    The count sheet alone does not know the quorum, so its `elected` is never shown as the result."""
    return list(elected) if quorum_met else []


def chosen_in(result: Mapping[str, Any]) -> list[str]:
    """What a stored result chose, for every view of it (page, CSV, JSON). Results stored before
    `chosen` was kept are read by the same rule they were counted under."""
    if "chosen" in result:
        return list(result["chosen"])
    return chosen_after_quorum(quorum_met=bool(result["quorum"]["met"]), elected=result["sheet"]["elected"])


def count_sheet(
    *,
    kind: str,
    purpose: str,
    title: str,
    options: Sequence[str],
    seats: int,
    entries: Sequence[BoardEntry],
    constitution: Constitution,
    quorum_needed: int | None,
    seed: int,
) -> CountSheet:
    """The governance count sheet for these ballots (round by round for IRV and STV)."""
    if kind == "motion":
        share, _ = threshold_for(purpose, constitution)
        rules = MotionRules(
            fraction=share.fraction, strict=share.comparison is Comparison.MORE_THAN, quorum=quorum_needed
        )
        return count_motion(
            MotionVotes.from_ballots((e.choice, e.weight) for e in entries), rules, title=title
        )
    if kind == "single":
        return count_plurality(
            list(options),
            (SingleChoiceBallot(options[int(e.choice)], e.weight) for e in entries),
            seats=1,
            seed=seed,
            title=title,
        )
    if kind == "approval":
        return count_approval(
            list(options),
            (
                ApprovalBallot(
                    frozenset(options[i] for i in choices.decode_order(e.choice)),
                    Decimal(e.weight),
                )
                for e in entries
            ),
            seats=seats,
            seed=seed,
            title=title,
        )
    ranked = aggregate(
        RankedBallot(ranks=tuple((i,) for i in choices.decode_order(e.choice)), weight=e.weight)
        for e in entries
    )
    contest = Contest(
        title=title, candidates=tuple(options), seats=seats if kind == "stv" else 1, ballots=ranked
    )
    if kind == "ranked":
        return count_irv(contest, seed=seed)
    if not entries:
        # The STV rules refuse to count an empty poll; a vote nobody voted in still has to close.
        return CountSheet(
            method="scottish_stv",
            title=title,
            seats=seats,
            candidates=tuple(options),
            valid_poll=Decimal(0),
            rounds=(),
            elected=(),
            seed=seed,
        )
    return count_scottish_stv(contest, seed=seed)
