"""Quorum: whether enough members (general meetings) or directors (board, item by item) take part."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from governance.board import Director
from governance.constitution.schema import Combine, Constitution
from governance.constitution.share import Share
from governance.violations import Violation


@dataclass(frozen=True, slots=True)
class QuorumOutcome:
    """Whether a meeting (or one item of it) is quorate, with the numbers and the reasons in words."""

    met: bool
    needed: int
    present: int
    message: str
    violations: tuple[Violation, ...] = ()


@dataclass(frozen=True, slots=True)
class Participant:
    """A member taking part in a general meeting, in person or represented by a proxy."""

    member_id: str
    classes: frozenset[str] = frozenset()
    by_proxy: bool = False


def _needed(minimum: int, share: Share | None, whole: int, combine: Combine) -> int:
    needed = minimum
    if share is not None:
        from_share = share.smallest_whole_number(whole)
        needed = max(minimum, from_share) if combine is Combine.GREATER else min(minimum, from_share)
    # Never more than everyone, so a small organisation can always meet with everyone there; never none.
    return max(1, min(needed, whole)) if whole > 0 else max(1, needed)


def _people(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def general_meeting_quorum(
    constitution: Constitution, *, voting_members: int, participants: Sequence[Participant]
) -> QuorumOutcome:
    """Whether a general meeting is quorate.

    Each member counts once however they take part: two proxies for the same member, or a member present
    and also represented, make one. Members represented by proxy count only if the constitution says so.
    """
    rule = constitution.quorum.general_meeting
    counted: dict[str, Participant] = {}
    for p in participants:
        if p.by_proxy and not rule.proxies_count:
            continue
        counted.setdefault(p.member_id, p)
    present = len(counted)
    needed = _needed(rule.min_members, rule.share_of_members, voting_members, rule.combine)
    violations: list[Violation] = []
    if present < needed:
        violations.append(
            Violation(
                "quorum.not_met",
                f"{_people(present, 'member is', 'members are')} taking part; the constitution needs "
                f"{needed} for a general meeting to be quorate.",
            )
        )
    for key in rule.must_include_classes:
        if not any(key in p.classes for p in counted.values()):
            violations.append(
                Violation(
                    "quorum.class_missing",
                    f"No {constitution.class_plural(key)} are taking part; the constitution needs at least "
                    "one for a general meeting to be quorate.",
                )
            )
    return _outcome(needed, present, violations, "members")


def board_quorum(
    constitution: Constitution,
    *,
    directors: Sequence[Director],
    present_ids: Collection[str],
    conflicted_ids: Collection[str] = (),
) -> QuorumOutcome:
    """Whether a board meeting is quorate for one item.

    `directors` are those in office (a share-of-directors quorum is counted against them); directors with
    a conflict of interest in the item do not count toward the quorum for it.
    """
    rule = constitution.quorum.board
    in_office = {d.id: d for d in directors}
    present = [in_office[i] for i in dict.fromkeys(present_ids) if i in in_office]
    counted = [d for d in present if d.id not in conflicted_ids]
    left_out = len(present) - len(counted)
    needed = _needed(rule.min_directors, rule.share_of_directors, len(in_office), rule.combine)
    violations: list[Violation] = []
    if len(counted) < needed:
        conflict_note = ""
        if left_out:
            conflict_note = (
                f" ({_people(left_out, 'director', 'directors')} with a conflict of interest "
                f"{'is' if left_out == 1 else 'are'} not counted)"
            )
        violations.append(
            Violation(
                "quorum.not_met",
                f"{_people(len(counted), 'director', 'directors')} can be counted for this item"
                f"{conflict_note}; the constitution needs {needed} for the board to be quorate.",
            )
        )
    for key in rule.must_include_classes:
        if not any(key in d.classes for d in counted):
            violations.append(
                Violation(
                    "quorum.class_missing",
                    f"No {constitution.class_plural(key)} can be counted for this item; the constitution "
                    "needs at least one for the board to be quorate.",
                )
            )
    return _outcome(needed, len(counted), violations, "directors")


def _outcome(needed: int, present: int, violations: list[Violation], who: str) -> QuorumOutcome:
    if violations:
        return QuorumOutcome(
            False, needed, present, " ".join(v.message for v in violations), tuple(violations)
        )
    return QuorumOutcome(True, needed, present, f"Quorate: {present} {who} counted; {needed} needed.")
