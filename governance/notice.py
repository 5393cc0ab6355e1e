"""Meeting notice in clear days: when a notice counts as received, whether it is long enough, short notice
by members' consent where the constitution allows it, and the deadline for proxy appointments.

Clear days leave out both the day notice is received (deemed given) and the day of the meeting (CA06 s.360).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from governance.constitution.schema import Constitution
from governance.constitution.share import Share
from governance.violations import Violation

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """ "5 March 2025", independent of the process locale."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


class MeetingKind(StrEnum):
    GENERAL = "general"
    ANNUAL_GENERAL = "annual_general"
    BOARD = "board"
    CLASS = "class"
    """A meeting of one class of members: called and held as a general meeting is (CA06 s.334)."""


class DeliveryMethod(StrEnum):
    HAND = "hand"
    """Handed over, or left at the address: received the same day."""
    POST = "post"
    EMAIL = "email"


@dataclass(frozen=True, slots=True)
class NoticeSent:
    """A notice of a meeting sent to one recipient (or to a group, sent the same way on the same day)."""

    recipient: str
    sent_on: date
    method: DeliveryMethod


@dataclass(frozen=True, slots=True)
class ShortNoticeConsent:
    """Members' agreement to hold a general meeting at shorter notice than the constitution requires."""

    members_agreeing: int
    members_entitled: int
    votes_agreeing: int
    total_votes: int


def is_working_day(day: date, non_working_days: Collection[date] = frozenset()) -> bool:
    """Monday to Friday and not in `non_working_days` (the bank holidays the caller knows of)."""
    return day.weekday() < 5 and day not in non_working_days


def deemed_received(
    constitution: Constitution,
    sent_on: date,
    method: DeliveryMethod,
    non_working_days: Collection[date] = frozenset(),
) -> date:
    """The day a notice counts as received: by hand the same day; by post or email after the constitution's
    number of working days (CA06 s.1147: 48 hours, not counting days that are not working days)."""
    if method is DeliveryMethod.HAND:
        return sent_on
    days = (
        constitution.notice.post_deemed_working_days
        if method is DeliveryMethod.POST
        else constitution.notice.email_deemed_working_days
    )
    day = sent_on
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, non_working_days):
            counted += 1
    return day


def clear_days(received: date, meeting: date) -> int:
    """Whole days strictly between the day notice is received and the day of the meeting."""
    return max(0, (meeting - received).days - 1)


def required_clear_days(constitution: Constitution, kind: MeetingKind) -> int:
    notice = constitution.notice
    return {
        MeetingKind.GENERAL: notice.general_meeting_clear_days,
        MeetingKind.ANNUAL_GENERAL: notice.agm_clear_days,
        MeetingKind.BOARD: notice.board_meeting_clear_days,
        MeetingKind.CLASS: notice.general_meeting_clear_days,
    }[kind]


def earliest_meeting_date(
    constitution: Constitution,
    kind: MeetingKind,
    sent_on: date,
    method: DeliveryMethod,
    non_working_days: Collection[date] = frozenset(),
) -> date:
    """The first day a meeting can be held on full notice sent on `sent_on` by `method`."""
    received = deemed_received(constitution, sent_on, method, non_working_days)
    return received + timedelta(days=required_clear_days(constitution, kind) + 1)


def latest_sending_date(
    constitution: Constitution,
    kind: MeetingKind,
    meeting_date: date,
    method: DeliveryMethod,
    non_working_days: Collection[date] = frozenset(),
) -> date:
    """The last day notice can be sent by `method` for a meeting on `meeting_date` with full notice."""
    day = meeting_date - timedelta(days=required_clear_days(constitution, kind) + 1)
    while earliest_meeting_date(constitution, kind, day, method, non_working_days) > meeting_date:
        day -= timedelta(days=1)
    return day


def notice_sending_date(
    constitution: Constitution,
    kind: MeetingKind,
    meeting_date: date,
    methods: Collection[DeliveryMethod],
    non_working_days: Collection[date] = frozenset(),
) -> date:
    """The last day one notice can go to everyone, each by their own method, and still give full notice:
    the earliest of each method's latest sending date (post is slower than email, so it usually decides)."""
    return min(
        latest_sending_date(constitution, kind, meeting_date, method, non_working_days)
        for method in (methods or (DeliveryMethod.EMAIL,))
    )


def short_notice_rule(constitution: Constitution, kind: MeetingKind) -> Share | None:
    """The consent needed for shorter notice, or None where shorter notice is never allowed."""
    if kind in {MeetingKind.GENERAL, MeetingKind.CLASS}:
        return constitution.notice.short_notice_consent
    if kind is MeetingKind.ANNUAL_GENERAL:
        return constitution.notice.agm_short_notice_consent
    return None


def short_notice_consent_violations(
    constitution: Constitution, kind: MeetingKind, consent: ShortNoticeConsent
) -> list[Violation]:
    """Why this consent is not enough for shorter notice (empty if it is): it needs a majority of members
    in number who also hold the constitution's share of the votes (CA06 s.307: 90%, up to 95%)."""
    rule = short_notice_rule(constitution, kind)
    if rule is None:
        what = "board meetings" if kind is MeetingKind.BOARD else "this meeting"
        return [
            Violation(
                "notice.short_notice_not_allowed",
                f"The constitution does not allow shorter notice for {what}.",
            )
        ]
    found: list[Violation] = []
    if not 2 * consent.members_agreeing > consent.members_entitled:
        found.append(
            Violation(
                "notice.short_notice_consent",
                f"{consent.members_agreeing} of {consent.members_entitled} members agreed to short notice; a "
                "majority of members in number must agree.",
            )
        )
    if not rule.is_met(consent.votes_agreeing, consent.total_votes):
        found.append(
            Violation(
                "notice.short_notice_consent",
                f"The members agreeing to short notice hold {consent.votes_agreeing} of "
                f"{consent.total_votes} votes; they must hold {rule} of the votes.",
            )
        )
    return found


def notice_violations(
    constitution: Constitution,
    kind: MeetingKind,
    meeting_date: date,
    notices: Sequence[NoticeSent],
    *,
    short_notice_consent: ShortNoticeConsent | None = None,
    non_working_days: Collection[date] = frozenset(),
) -> list[Violation]:
    """Whether notice of a meeting was long enough for every recipient, or shorter notice was agreed."""
    if not notices:
        return [Violation("notice.none_sent", "No notice of the meeting has been recorded as sent.")]
    required = required_clear_days(constitution, kind)
    short: list[tuple[int, NoticeSent, date]] = []
    for sent in notices:
        received = deemed_received(constitution, sent.sent_on, sent.method, non_working_days)
        days = clear_days(received, meeting_date)
        if days < required or received >= meeting_date:
            short.append((days, sent, received))
    if not short:
        return []
    if short_notice_consent is not None:
        consent_problems = short_notice_consent_violations(constitution, kind, short_notice_consent)
        if not consent_problems:
            return []
    else:
        consent_problems = []
    days, worst, received = min(short, key=lambda item: (item[0], item[1].recipient))
    others = len(short) - 1
    also = f" ({others} other notice{'s' if others != 1 else ''} also too short)" if others else ""
    message = (
        f"Notice to {worst.recipient} by {worst.method.value}, sent on {long_date(worst.sent_on)}, counts as "
        f"received on {long_date(received)}, leaving {days} clear day{'s' if days != 1 else ''} before the "
        f"meeting on {long_date(meeting_date)}; the constitution requires {required}{also}."
    )
    return [Violation("notice.too_short", message), *consent_problems]


def proxy_deadline(
    constitution: Constitution, meeting_start: datetime, non_working_days: Collection[date] = frozenset()
) -> datetime:
    """The latest moment a proxy appointment may arrive: the constitution's hours before the meeting,
    leaving out every part of a day that is not a working day (CA06 s.327; never more than 48 hours)."""
    remaining = timedelta(hours=constitution.proxies.deadline_hours)
    moment = meeting_start
    while remaining > timedelta(0):
        day_start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        if day_start == moment:
            day_start -= timedelta(days=1)
        available = moment - day_start
        if is_working_day(day_start.date(), non_working_days):
            if available >= remaining:
                return moment - remaining
            remaining -= available
        moment = day_start
    return moment


def proxy_appointment_violations(
    constitution: Constitution,
    *,
    received_at: datetime,
    meeting_start: datetime,
    proxies_already_held: int,
    proxy_is_member: bool,
    non_working_days: Collection[date] = frozenset(),
) -> list[Violation]:
    """Why a proxy appointment cannot be accepted for a meeting (empty if it can)."""
    rules = constitution.proxies
    if not rules.allowed:
        return [Violation("proxy.not_allowed", "The constitution does not allow proxies.")]
    found: list[Violation] = []
    deadline = proxy_deadline(constitution, meeting_start, non_working_days)
    if received_at > deadline:
        found.append(
            Violation(
                "proxy.late",
                f"The proxy form arrived after the deadline of {deadline:%H:%M} on "
                f"{long_date(deadline.date())} ({rules.deadline_hours} working hours before the meeting).",
            )
        )
    if rules.max_held is not None and proxies_already_held >= rules.max_held:
        found.append(
            Violation(
                "proxy.too_many",
                f"This person already holds {proxies_already_held} proxies; the constitution allows at most "
                f"{rules.max_held}.",
            )
        )
    if rules.must_be_member and not proxy_is_member:
        found.append(Violation("proxy.not_a_member", "The constitution says a proxy must be a member."))
    return found
