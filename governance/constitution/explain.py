"""The constitution in plain English, generated from its data: the rules section by section, an easy-read
summary, and the difference between two versions rule by rule ("was 10%, now 20%")."""

from __future__ import annotations

from dataclasses import dataclass

from governance.constitution.amend import diff_constitutions, item_name, show_value
from governance.constitution.schema import (
    Combine,
    Constitution,
    ExpulsionBy,
    MemberClass,
    NamedDecision,
    UserLedGroup,
    VoteBase,
)
from governance.constitution.share import Share


@dataclass(frozen=True, slots=True)
class RuleSection:
    """One part of the rules: a heading and the sentences that say what the rules are."""

    heading: str
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleDifference:
    """One rule that differs between two versions, as it was and as it is now."""

    rule: str
    was: str
    now: str


def _directors(count: int) -> str:
    return f"{count} director" + ("" if count == 1 else "s")


def _pounds(pence: int) -> str:
    return show_value(pence, "_pence")


def _class_sentence(c: Constitution, mc: MemberClass) -> str:
    parts = [f"{mc.plural.capitalize()}: {mc.description}"]
    if not mc.can_vote:
        parts.append("They cannot vote at general meetings.")
    elif mc.vote_weight == 1:
        parts.append("Each has one vote at general meetings.")
    else:
        parts.append(f"Each has {mc.vote_weight} votes at general meetings.")
    if mc.voting_cap is not None:
        parts.append(f"Together their votes count for {mc.voting_cap} of the votes cast.")
    if mc.vetoes:
        what = ", ".join(_decision_words(c, key) for key in mc.vetoes)
        parts.append(f"They can block, as a class, {what}: it needs {mc.veto_threshold} of their own votes.")
    if mc.user_led_group is UserLedGroup.USES_SUPPORT or (
        mc.user_led_group is UserLedGroup.FAMILY_CARER and c.board.user_led.family_carers_count
    ):
        parts.append("As directors they count toward the user-led share, if they agree.")
    return " ".join(parts)


def _decision_words(c: Constitution, key: str) -> str:
    if key == "ordinary":
        return "ordinary resolutions"
    if key == "special":
        return "special resolutions"
    decision = c.named_decision(key)
    return decision.description.lower() if decision else key.replace("_", " ")


def _named_sentence(d: NamedDecision) -> str:
    base = "of all the votes that could be cast" if d.base is VoteBase.ELIGIBLE_VOTES else "of the votes cast"
    text = f"{d.description}: needs {d.threshold} {base}"
    if d.min_turnout is not None:
        text += f", with {d.min_turnout} of members voting"
    if d.meeting_only:
        text += ", and only at a meeting"
    return text + "."


def _quorum_sentence(
    c: Constitution, who: str, fixed: int, share: Share | None, combine: Combine, classes: tuple[str, ...]
) -> str:
    text = f"at least {fixed} {who}"
    if share is not None:
        which = "whichever is more" if combine is Combine.GREATER else "whichever is fewer"
        text += f" or {share} of them, {which}"
    if classes:
        text += ", including at least one of the " + " and ".join(c.class_plural(k) for k in classes)
    return text + "."


def _quorum_sentences(c: Constitution) -> tuple[str, str]:
    g, b = c.quorum.general_meeting, c.quorum.board
    general = "A general meeting can decide only with " + _quorum_sentence(
        c, "members", g.min_members, g.share_of_members, g.combine, g.must_include_classes
    )
    general += " Members represented by a proxy count." if g.proxies_count else " Proxies do not count."
    board = "The board can decide only with " + _quorum_sentence(
        c, "directors", b.min_directors, b.share_of_directors, b.combine, b.must_include_classes
    )
    return general, board + " Directors with a conflict of interest in an item do not count for that item."


def _board_sentences(c: Constitution) -> list[str]:
    b = c.board
    out = [f"The board has between {b.min_seats} and {b.max_seats} directors."]
    for rule in b.classes:
        plural = c.class_plural(rule.key)
        if rule.min and rule.max is not None:
            out.append(f"At least {rule.min} and at most {_directors(rule.max)} from the {plural}.")
        elif rule.min:
            out.append(f"At least {_directors(rule.min)} from the {plural}.")
        elif rule.max is not None:
            out.append(f"At most {_directors(rule.max)} from the {plural}.")
        if rule.reserved_seats:
            out.append(f"{rule.reserved_seats} seats are kept for {plural}.")
        if rule.only_class_may_remove:
            out.append(f"Only the {plural} may remove a director they chose.")
    if b.user_led.share is not None:
        who = "disabled people or people who use support"
        carers = " Family carers count." if b.user_led.family_carers_count else " Family carers do not count."
        out.append(f"{str(b.user_led.share).capitalize()} of directors must be {who}.{carers}")
    term = f"Directors serve {b.term_years}-year terms"
    if b.max_consecutive_terms is not None:
        term += f", at most {b.max_consecutive_terms} in a row"
    out.append(term + ".")
    if b.max_co_opted is not None:
        out.append(f"The board may co-opt at most {_directors(b.max_co_opted)} between general meetings.")
    out.append(f"Board decisions need {b.decision_threshold} of directors' votes cast.")
    out.append(
        "The chair has a casting vote when a board vote is tied."
        if b.chair_casting_vote
        else "The chair has no casting vote."
    )
    return out


def rule_sections(c: Constitution) -> tuple[RuleSection, ...]:
    """The rules in force, section by section, in plain English."""
    res, n, s = c.resolutions, c.notice, c.spending
    voting = [
        f"Ordinary resolutions need {res.ordinary} of the votes cast.",
        f"Special resolutions need {res.special} of the votes cast.",
        *(_named_sentence(d) for d in res.named),
        (
            f"Members may decide by written resolution; one lapses after {res.written_lapse_days} days."
            if res.written_allowed
            else "Members decide only at meetings, not by written resolution."
        ),
    ]
    spending = []
    if s.members_vote_above_pence is not None:
        spending.append(f"Spending over {_pounds(s.members_vote_above_pence)} needs a members' vote.")
    if s.members_vote_on_new_contracts:
        spending.append("Every new contract with a provider needs a members' vote.")
    spending.append(
        f"Payments of {_pounds(s.two_person_threshold_pence)} or more need two people to approve them. "
        f"Payments to the same payee within {s.two_person_approval_window_days} days are added together."
    )
    notice = [
        f"General meetings need {n.general_meeting_clear_days} clear days' notice; the AGM "
        f"{n.agm_clear_days}; board meetings {n.board_meeting_clear_days}.",
        (
            f"Members may appoint a proxy; a proxy form must arrive {c.proxies.deadline_hours} hours before "
            "the meeting."
            if c.proxies.allowed
            else "Members may not appoint proxies."
        ),
    ]
    m = c.membership
    joining = [
        "The board decides each application to join." if m.board_admits else "Anyone eligible is admitted.",
        "Members are expelled by the "
        + ("board" if m.expulsion_by is ExpulsionBy.BOARD else "members at a general meeting")
        + f", with {m.expulsion_notice_days} days' notice and {m.expulsion_threshold} of the votes.",
    ]
    lock = c.asset_lock
    assets = []
    if lock.asset_locked:
        assets.append("The organisation's assets are locked: they are used for the community it serves.")
        if lock.specified_bodies:
            assets.append("If it closes, its assets go to " + "; ".join(lock.specified_bodies) + ".")
    else:
        assets.append("The organisation's assets are not locked.")
    if lock.dividend_cap is not None:
        assets.append(f"Dividends are capped at {show_value(lock.dividend_cap)} of distributable profits.")
    return (
        RuleSection(
            "Who the members are and what each may do",
            tuple(_class_sentence(c, mc) for mc in c.member_classes),
        ),
        RuleSection("Who votes on what", tuple(voting)),
        RuleSection(
            "Quorum: how many must take part",
            _quorum_sentences(c),
        ),
        RuleSection("Spending and approvals", tuple(spending)),
        RuleSection("The board", tuple(_board_sentences(c))),
        RuleSection("Joining and leaving", tuple(joining)),
        RuleSection("Meetings, notice and proxies", tuple(notice)),
        RuleSection("Money and assets", tuple(assets)),
    )


def easy_read_summary(c: Constitution) -> tuple[str, ...]:
    """The main rules in short, easy-read sentences."""
    out = [f"We are a {c.legal_form.plain_name}.", "Our members make the big decisions together."]
    kinds = [mc.plural for mc in c.member_classes if mc.can_vote]
    out.append("These members can vote: " + ", ".join(kinds) + ".")
    out.append(f"Most decisions need {c.resolutions.ordinary} of the votes.")
    amendment = c.named_decision("constitution_amendment")
    threshold = amendment.threshold if amendment else c.resolutions.special
    out.append(f"Changing these rules needs {threshold} of the votes.")
    out.append(f"Our board has {c.board.min_seats} to {c.board.max_seats} people.")
    if c.board.user_led.share is not None:
        who = (
            "disabled people or family carers" if c.board.user_led.family_carers_count else "disabled people"
        )
        out.append(f"{str(c.board.user_led.share).capitalize()} of the board must be {who}.")
    q = c.quorum.general_meeting
    out.append(f"A members' meeting needs at least {q.min_members} members to make decisions.")
    if c.spending.members_vote_above_pence is not None:
        out.append(f"Spending over {_pounds(c.spending.members_vote_above_pence)} needs a members' vote.")
    if c.asset_lock.asset_locked:
        out.append("Our money and things must be used for our community.")
    return tuple(out)


def rule_differences(old: Constitution, new: Constitution) -> tuple[RuleDifference, ...]:
    """Every rule that differs between two versions, in the order the constitution lists them."""
    out = []
    for change in diff_constitutions(old, new):
        name = change.path.rsplit(".", 1)[-1]
        # Every description is "<the rule in words>: <what>"; amounts are shown in pounds, not pence.
        rule = change.description.split(": ", 1)[0].replace(" (pence)", "")
        if change.old is None and change.new is not None and hasattr(change.new, "key"):
            out.append(RuleDifference(rule, "not there", f"added {item_name(change.new)}"))
        elif change.new is None and change.old is not None and hasattr(change.old, "key"):
            out.append(RuleDifference(rule, item_name(change.old), "removed"))
        else:
            out.append(RuleDifference(rule, show_value(change.old, name), show_value(change.new, name)))
    return tuple(out)
