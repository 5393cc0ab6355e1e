"""Resolution outcomes: whether a members' resolution or a board decision passes under the constitution.

Covers ordinary, special and written resolutions, board decisions (with conflicts and the chair's casting
vote) and named decisions with stricter majorities, turnout rules and class vetoes. Exact arithmetic only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from governance.constitution.schema import Constitution, VoteBase
from governance.constitution.share import Comparison, Share
from governance.quorum import QuorumOutcome
from governance.violations import Violation


class ResolutionKind(StrEnum):
    ORDINARY = "ordinary"
    SPECIAL = "special"
    WRITTEN_ORDINARY = "written_ordinary"
    WRITTEN_SPECIAL = "written_special"
    BOARD = "board"
    """A decision of the directors at a board meeting."""
    NAMED = "named"
    """A decision the constitution names (e.g. dissolution), at a meeting or in writing."""

    @property
    def plain_name(self) -> str:
        return _KIND_NAMES[self]


_KIND_NAMES = {
    ResolutionKind.ORDINARY: "An ordinary resolution",
    ResolutionKind.SPECIAL: "A special resolution",
    ResolutionKind.WRITTEN_ORDINARY: "A written ordinary resolution",
    ResolutionKind.WRITTEN_SPECIAL: "A written special resolution",
    ResolutionKind.BOARD: "A board decision",
    ResolutionKind.NAMED: "This decision",
}


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class ResolutionStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    OPEN = "open"
    """A written resolution still circulating: not yet passed and not yet lapsed."""


@dataclass(frozen=True, slots=True)
class CastVote:
    """One vote (or one member's agreement to a written resolution).

    `weight` is how many votes it carries; None means the member class's vote weight (1 if no class).
    `proxy_holder` names who cast it when a proxy did. `conflicted` marks a director's vote on an item in
    which they have a conflict of interest; it is not counted. `agreed_on` is when a member signified
    agreement to a written resolution.
    """

    choice: Choice
    weight: int | None = None
    member_class: str | None = None
    voter_id: str | None = None
    proxy_holder: str | None = None
    conflicted: bool = False
    agreed_on: date | None = None


@dataclass(frozen=True, slots=True)
class ResolutionFacts:
    """Everything needed to decide one resolution.

    Meetings (ordinary, special, board, named at a meeting) need `quorum`. Written resolutions need
    `eligible_votes` (every vote that could be cast) and `circulated_on`; `as_of` is the day of the count
    (None means the final count, at the lapse date). `eligible_votes_by_class` is needed only for a class
    veto on a written resolution. `chair_casting_vote` is the chair's choice should a board vote tie;
    `chair_may_vote_on_item` is False when the chair is conflicted on the item.
    """

    kind: ResolutionKind
    votes: tuple[CastVote, ...]
    named_decision: str | None = None
    written: bool = False
    quorum: QuorumOutcome | None = None
    eligible_votes: int | None = None
    eligible_votes_by_class: Mapping[str, int] = field(default_factory=dict)
    circulated_on: date | None = None
    as_of: date | None = None
    chair_casting_vote: Choice | None = None
    chair_may_vote_on_item: bool = True
    also_vetoable_as: tuple[str, ...] = ()
    """More decision keys whose class vetoes apply (e.g. from RequiredResolution.vetoable_as)."""


@dataclass(frozen=True, slots=True)
class ResolutionOutcome:
    """The result, the rule applied and the reasons in words.

    `votes_for` etc. are after weights and class caps; abstentions are never votes cast. `violations`
    holds the coded reasons for failure and any input the rules made us ignore (e.g. a casting vote at a
    general meeting).
    """

    status: ResolutionStatus
    threshold: Share
    base: VoteBase
    votes_for: Fraction
    votes_against: Fraction
    abstentions: Fraction
    counted_against: Fraction
    casting_vote_used: bool
    reasons: tuple[str, ...]
    violations: tuple[Violation, ...]

    @property
    def passed(self) -> bool:
        return self.status is ResolutionStatus.PASSED


def written_resolution_lapse_date(constitution: Constitution, circulated_on: date) -> date:
    """The last day a written resolution can pass: it lapses at the end of this day if not passed by then."""
    return circulated_on + timedelta(days=constitution.resolutions.written_lapse_days)


def written_resolution_violations(
    constitution: Constitution, *, removes_director: bool = False, removes_auditor: bool = False
) -> list[Violation]:
    """Why members may not decide this by written resolution, if they may not: the constitution may not
    allow written resolutions, and the law never allows one to remove a director or an auditor before the
    end of their term (Companies Act 2006, s288(2)): those need a meeting where they can be heard."""
    found: list[Violation] = []
    if not constitution.resolutions.written_allowed:
        found.append(
            Violation(
                "resolution.written_not_allowed", "The constitution does not allow written resolutions."
            )
        )
    if removes_director or removes_auditor:
        who = "a director" if removes_director else "an auditor"
        found.append(
            Violation(
                "resolution.removal_needs_meeting",
                f"Removing {who} cannot be done by written resolution: the law says it must be decided at a "
                "general meeting, where they have the right to be heard (Companies Act 2006, section 288).",
            )
        )
    return found


def _words(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _percent(part: Fraction, whole: Fraction) -> str:
    if whole == 0:
        return "no votes"
    exact = part * 100 / whole
    if exact.denominator == 1:
        return f"{exact.numerator}%"
    return f"{float(exact):.1f}%"


@dataclass(frozen=True, slots=True)
class _Rule:
    threshold: Share
    base: VoteBase
    turnout: Share | None
    written: bool
    veto_key: str | None
    describe: str


def _rule_for(constitution: Constitution, facts: ResolutionFacts) -> tuple[_Rule, list[Violation]]:
    res = constitution.resolutions
    kind = facts.kind
    problems: list[Violation] = []
    if kind is ResolutionKind.NAMED:
        if facts.named_decision is None:
            raise ValueError("a named decision needs named_decision")
        decision = constitution.named_decision(facts.named_decision)
        if decision is None:
            raise ValueError(f"the constitution names no decision {facts.named_decision!r}")
        if facts.written and decision.meeting_only:
            problems.append(
                Violation(
                    "resolution.meeting_only",
                    f"{decision.description} can be decided only at a meeting, not by written resolution.",
                )
            )
        base = VoteBase.ELIGIBLE_VOTES if facts.written else decision.base
        rule = _Rule(
            decision.threshold, base, decision.min_turnout, facts.written, decision.key, decision.description
        )
    else:
        written = kind in {ResolutionKind.WRITTEN_ORDINARY, ResolutionKind.WRITTEN_SPECIAL}
        if kind is ResolutionKind.BOARD:
            threshold, veto = constitution.board.decision_threshold, None
        elif kind in {ResolutionKind.ORDINARY, ResolutionKind.WRITTEN_ORDINARY}:
            threshold, veto = res.ordinary, "ordinary"
        else:
            threshold, veto = res.special, "special"
        base = VoteBase.ELIGIBLE_VOTES if written else VoteBase.VOTES_CAST
        rule = _Rule(threshold, base, None, written, veto, kind.plain_name)
    if rule.written and not res.written_allowed:
        problems.append(
            Violation(
                "resolution.written_not_allowed", "The constitution does not allow written resolutions."
            )
        )
    return rule, problems


def resolution_outcome(constitution: Constitution, facts: ResolutionFacts) -> ResolutionOutcome:
    """Decide a resolution under the constitution; see ResolutionFacts for what each kind needs."""
    rule, violations = _rule_for(constitution, facts)
    reasons: list[str] = []
    is_board = facts.kind is ResolutionKind.BOARD

    if not rule.written and facts.quorum is None:
        raise ValueError("a resolution at a meeting needs the meeting's quorum outcome")
    if rule.written and (facts.eligible_votes is None or facts.circulated_on is None):
        raise ValueError("a written resolution needs eligible_votes and circulated_on")
    if (rule.turnout is not None or rule.base is VoteBase.ELIGIBLE_VOTES) and facts.eligible_votes is None:
        raise ValueError("this decision is measured against eligible votes: give eligible_votes")

    counted, ignored = _countable_votes(constitution, facts, rule, violations)
    reasons.extend(ignored)

    class_totals = _class_totals(constitution, counted)
    scale = {} if (is_board or rule.written) else _cap_scales(constitution, class_totals)
    votes_for = votes_against = abstain = Fraction(0)
    for vote in counted:
        weight = _weight(constitution, vote) * scale.get(vote.member_class or "", Fraction(1))
        if vote.choice is Choice.FOR:
            votes_for += weight
        elif vote.choice is Choice.AGAINST:
            votes_against += weight
        else:
            abstain += weight
    for key, factor in scale.items():
        if factor != 1:
            reasons.append(
                f"The {constitution.class_plural(key)}' votes are capped, so each counts as "
                f"{factor.numerator}/{factor.denominator} of a vote."
            )

    cast = votes_for + votes_against
    whole = Fraction(facts.eligible_votes or 0) if rule.base is VoteBase.ELIGIBLE_VOTES else cast
    tally = f"For: {_words(votes_for)}, against: {_words(votes_against)}"
    if abstain:
        tally += f", abstentions: {_words(abstain)} (abstentions are not votes cast)"
    reasons.append(tally + ".")

    if facts.quorum is not None and not rule.written and not facts.quorum.met:
        violations.append(
            Violation("resolution.not_quorate", f"The meeting was not quorate. {facts.quorum.message}")
        )

    if (
        rule.turnout is not None
        and facts.eligible_votes is not None
        and not rule.turnout.is_met(cast, facts.eligible_votes)
    ):
        violations.append(
            Violation(
                "resolution.turnout",
                f"{_words(cast)} of {facts.eligible_votes} eligible votes were cast; this decision needs "
                f"{rule.turnout} of eligible votes to be cast.",
            )
        )

    met = rule.threshold.is_met(votes_for, whole)
    base_words = "of all eligible votes" if rule.base is VoteBase.ELIGIBLE_VOTES else "of votes cast"
    reasons.append(
        f"{rule.describe} needs {rule.threshold} {base_words}: {_words(votes_for)} of {_words(whole)} is "
        f"{_percent(votes_for, whole)}."
    )

    casting_used = False
    tied = not rule.written and votes_for == votes_against and cast > 0
    if facts.chair_casting_vote is not None and not is_board:
        violations.append(
            Violation(
                "resolution.casting_vote_not_allowed",
                "The chair has no casting vote at a general meeting, so it was not counted.",
            )
        )
    elif is_board and tied and not met:
        if not constitution.board.chair_casting_vote:
            reasons.append("The votes are tied and the constitution gives the chair no casting vote.")
        elif not facts.chair_may_vote_on_item:
            reasons.append("The votes are tied; the chair may not vote on this item, so has no casting vote.")
        elif facts.chair_casting_vote is None:
            reasons.append("The votes are tied and the chair did not use the casting vote.")
        else:
            casting_used = True
            met = facts.chair_casting_vote is Choice.FOR
            reasons.append(
                f"The votes are tied; the chair used the casting vote {facts.chair_casting_vote.value}."
            )

    if rule.veto_key is not None or facts.also_vetoable_as:
        violations.extend(_vetoes(constitution, facts, rule, counted))

    blocking = [v for v in violations if v.code != "resolution.casting_vote_not_allowed"]
    if met and not blocking:
        status = ResolutionStatus.PASSED
    elif rule.written and not blocking and facts.as_of is not None and facts.circulated_on is not None:
        lapse = written_resolution_lapse_date(constitution, facts.circulated_on)
        if facts.as_of <= lapse:
            status = ResolutionStatus.OPEN
            reasons.append(f"It has not passed yet; it lapses if not passed by {lapse.isoformat()}.")
        else:
            status = ResolutionStatus.FAILED
            reasons.append(f"It lapsed on {lapse.isoformat()} without passing.")
    else:
        status = ResolutionStatus.FAILED
        if not met:
            violations.append(
                Violation(
                    "resolution.threshold_not_met",
                    f"{rule.describe} needs {rule.threshold} {base_words}; it got "
                    f"{_percent(votes_for, whole)}.",
                )
            )
    # The threshold line above already says why the count fell short; don't repeat it.
    reasons.extend(v.message for v in violations if v.code != "resolution.threshold_not_met")
    verdict = {ResolutionStatus.PASSED: "It passes.", ResolutionStatus.FAILED: "It does not pass."}
    if status in verdict:
        reasons.append(verdict[status])
    return ResolutionOutcome(
        status,
        rule.threshold,
        rule.base,
        votes_for,
        votes_against,
        abstain,
        whole,
        casting_used,
        tuple(reasons),
        tuple(violations),
    )


def _weight(constitution: Constitution, vote: CastVote) -> Fraction:
    if vote.weight is not None:
        return Fraction(vote.weight)
    member_class = constitution.member_class(vote.member_class) if vote.member_class else None
    return Fraction(member_class.vote_weight if member_class else 1)


def _countable_votes(
    constitution: Constitution, facts: ResolutionFacts, rule: _Rule, violations: list[Violation]
) -> tuple[list[CastVote], list[str]]:
    """The votes that count, and a sentence for each group left out (conflicts, late agreement, ...)."""
    counted: list[CastVote] = []
    conflicted = late = no_vote = proxy_refused = 0
    lapse = (
        written_resolution_lapse_date(constitution, facts.circulated_on)
        if rule.written and facts.circulated_on
        else None
    )
    cutoff = min(facts.as_of, lapse) if (facts.as_of and lapse) else lapse
    held: dict[str, int] = {}
    for vote in facts.votes:
        if facts.kind is ResolutionKind.BOARD and vote.conflicted:
            conflicted += 1
            continue
        member_class = constitution.member_class(vote.member_class) if vote.member_class else None
        if facts.kind is not ResolutionKind.BOARD and member_class is not None and not member_class.can_vote:
            no_vote += 1
            continue
        if vote.proxy_holder is not None:
            if not constitution.proxies.allowed:
                proxy_refused += 1
                continue
            held[vote.proxy_holder] = held.get(vote.proxy_holder, 0) + 1
        if rule.written and cutoff is not None and vote.agreed_on is not None and vote.agreed_on > cutoff:
            late += 1
            continue
        counted.append(vote)
    notes: list[str] = []
    if conflicted:
        notes.append(f"{conflicted} vote(s) from directors with a conflict of interest were not counted.")
    if no_vote:
        notes.append(f"{no_vote} vote(s) from members of a class without voting rights were not counted.")
    if proxy_refused:
        notes.append(
            f"{proxy_refused} proxy vote(s) were not counted: the constitution does not allow proxies."
        )
    if late:
        notes.append(f"{late} agreement(s) given after the count date or the lapse date were not counted.")
    limit = constitution.proxies.max_held
    if limit is not None:
        for holder, count in held.items():
            if count > limit:
                violations.append(
                    Violation(
                        "resolution.proxy_limit",
                        f"{holder} cast {count} proxy votes; the constitution allows one person at most "
                        f"{limit}. Correct the record of proxies before counting.",
                    )
                )
    return counted, notes


def _class_totals(constitution: Constitution, votes: list[CastVote]) -> dict[str, Fraction]:
    totals: dict[str, Fraction] = {}
    for vote in votes:
        if vote.member_class and vote.choice is not Choice.ABSTAIN:
            totals[vote.member_class] = totals.get(vote.member_class, Fraction(0)) + _weight(
                constitution, vote
            )
    return totals


def _cap_scales(constitution: Constitution, class_totals: dict[str, Fraction]) -> dict[str, Fraction]:
    """How much each capped class's votes are scaled so it holds no more than its cap of the votes cast.

    With caps p_c on classes in S that bind, the total T solves T = rest + sum(p_c * T), so
    T = rest / (1 - sum p_c). Classes are added to S until no other capped class exceeds its cap.
    """
    caps = {
        mc.key: mc.voting_cap.fraction
        for mc in constitution.member_classes
        if mc.voting_cap is not None and mc.voting_cap.comparison is Comparison.AT_MOST
    }
    grand = sum(class_totals.values(), Fraction(0))
    binding: set[str] = set()
    while True:
        rest = grand - sum((class_totals.get(k, Fraction(0)) for k in binding), Fraction(0))
        total = rest / (1 - sum((caps[k] for k in binding), Fraction(0)))
        newly = {
            k for k, p in caps.items() if k not in binding and class_totals.get(k, Fraction(0)) > p * total
        }
        if not newly:
            break
        binding |= newly
    return {k: caps[k] * total / class_totals[k] for k in binding if class_totals.get(k)}


def _vetoes(
    constitution: Constitution, facts: ResolutionFacts, rule: _Rule, votes: list[CastVote]
) -> list[Violation]:
    found: list[Violation] = []
    for member_class in constitution.member_classes:
        keys = {rule.veto_key, *facts.also_vetoable_as}
        if not keys.intersection(member_class.vetoes):
            continue
        mine = [v for v in votes if v.member_class == member_class.key]
        yes = sum((_weight(constitution, v) for v in mine if v.choice is Choice.FOR), Fraction(0))
        no = sum((_weight(constitution, v) for v in mine if v.choice is Choice.AGAINST), Fraction(0))
        if rule.written:
            if member_class.key not in facts.eligible_votes_by_class:
                raise ValueError(
                    f"a class veto on a written resolution needs eligible votes for {member_class.key}"
                )
            whole = Fraction(facts.eligible_votes_by_class[member_class.key])
            if whole == 0:
                continue
        else:
            whole = yes + no
            if whole == 0:
                # A class that casts no votes has not used its veto.
                continue
        if not member_class.veto_threshold.is_met(yes, whole):
            found.append(
                Violation(
                    "resolution.class_veto",
                    f"The {member_class.plural} used their class veto: {_words(yes)} of {_words(whole)} of "
                    f"their votes were for it; it needs {member_class.veto_threshold} of them.",
                )
            )
    return found
