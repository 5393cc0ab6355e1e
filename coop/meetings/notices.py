"""Notice of a meeting, on time: the secretary schedules it (checked in clear days with deemed delivery,
or short notice by the members' consent where the constitution allows), and the worker sends it on the
day, in batches, to each invitee by the channel they asked for (email, or a letter to post; easy read and
large print where their needs say so). See governance/notice.py for the rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from coop.audit.service import SYSTEM, Actor, AuditEntry, record
from coop.clock import now, today_in_london
from coop.db import write_transaction
from coop.jobs.queue import NewJob, enqueue
from coop.jobs.worker import JobContext, NotYet
from coop.meetings.service import (
    MeetingError,
    MeetingInfo,
    agenda,
    invitee_ids,
    meeting_by_id,
    voting_strength,
)
from coop.meetings.tables import Meeting
from coop.members.notice_jobs import BATCH, send_batch
from coop.members.notices import Notice, Sent
from coop.organisations.service import OrgContext, constitution_of
from coop.organisations.tables import Organisation
from coop.template_filters import LONDON, date_time
from coop.urls import absolute_url, org_path
from governance.constitution import Constitution
from governance.notice import (
    DeliveryMethod,
    NoticeSent,
    ShortNoticeConsent,
    deemed_received,
    long_date,
    notice_sending_date,
    notice_violations,
    required_clear_days,
    short_notice_rule,
)
from governance.violations import Violation

NOTICE_JOB = "meeting.notice"
BOTH = (DeliveryMethod.EMAIL, DeliveryMethod.POST)


def meeting_day(meeting: MeetingInfo) -> date:
    return meeting.starts_at.astimezone(LONDON).date()


def notice_job(meeting: MeetingInfo, send_on: date, after: int = 0) -> NewJob:
    """One batch of the notice. The series is the sending day, so a rescheduled notice is a new chain and
    the old chain's jobs find they are stale and stop."""
    start = datetime.combine(send_on, time(7, 0), tzinfo=LONDON)
    return NewJob(
        NOTICE_JOB,
        {
            "organisation": meeting.organisation_id,
            "meeting": meeting.id,
            "series": send_on.isoformat(),
            "after": after,
        },
        run_at=max(start, now()) if after == 0 else now(),
        dedupe_key=f"{NOTICE_JOB}:{meeting.id}:{send_on.isoformat()}:{after}",
    )


@dataclass(frozen=True, slots=True)
class NoticeTiming:
    """When notice must go for full notice, and what the constitution says about short notice."""

    latest_send_on: date
    required_days: int
    short_notice_allowed: bool
    short_notice_rule: str


def timing(constitution: Constitution, meeting: MeetingInfo) -> NoticeTiming:
    rule = short_notice_rule(constitution, meeting.meeting_kind)
    return NoticeTiming(
        latest_send_on=notice_sending_date(constitution, meeting.meeting_kind, meeting_day(meeting), BOTH),
        required_days=required_clear_days(constitution, meeting.meeting_kind),
        short_notice_allowed=rule is not None,
        short_notice_rule=str(rule) if rule else "",
    )


async def _consent(
    constitution: Constitution, meeting: MeetingInfo, members: int | None, votes: int | None
) -> ShortNoticeConsent | None:
    if members is None and votes is None:
        return None
    entitled, total = await voting_strength(constitution, meeting.organisation_id, meeting.member_class)
    agreeing = votes if votes is not None else members or 0
    if (members or 0) > entitled:
        raise MeetingError({"consent_members": f"There are only {entitled} members entitled to vote"})
    if agreeing > total:
        raise MeetingError({"consent_votes": f"The members hold only {total} votes in all"})
    return ShortNoticeConsent(members or 0, entitled, agreeing, total)


def _errors(problems: list[Violation], consent_given: bool) -> dict[str, str]:
    too_short = [v.message for v in problems if v.code == "notice.too_short"]
    about_consent = [v.message for v in problems if v.code != "notice.too_short"]
    errors = {}
    if too_short:
        errors["send_on_day"] = " ".join(too_short)
    if about_consent and consent_given:
        errors["consent_members"] = " ".join(about_consent)
    elif about_consent:
        errors["send_on_day"] = " ".join([*too_short, *about_consent])
    return errors


async def schedule_notice(
    org: OrgContext,
    meeting: MeetingInfo,
    send_on: date | None,
    consent_members: int | None,
    consent_votes: int | None,
    actor: Actor,
) -> date:
    """Schedule the notice for `send_on` (by default the last day that gives full notice), refusing a day
    that gives too little notice unless enough members agreed to short notice. Returns the day."""
    # Once any copy has gone, a new day would start the batches again and send some twice.
    if meeting.status not in ("planned", "notice_scheduled") or meeting.notice_sent_on is not None:
        raise MeetingError({"send_on_day": "Notice of this meeting has gone out already"})
    if not await agenda(meeting):
        raise MeetingError(
            {
                "send_on_day": "Add the business (at least one agenda item) first: the notice "
                "must say what the meeting is about"
            }
        )
    constitution = await constitution_of(org.organisation_id)
    plan = timing(constitution, meeting)
    day = send_on or max(plan.latest_send_on, today_in_london())
    if day < today_in_london():
        raise MeetingError({"send_on_day": "The day to send the notice must be today or later"})
    if day >= meeting_day(meeting):
        raise MeetingError({"send_on_day": "The notice must go out before the day of the meeting"})
    consent = await _consent(constitution, meeting, consent_members, consent_votes)
    sends = [NoticeSent(f"members by {m.value}", day, m) for m in BOTH]
    problems = notice_violations(
        constitution, meeting.meeting_kind, meeting_day(meeting), sends, short_notice_consent=consent
    )
    if problems:
        raise MeetingError(_errors(problems, consent is not None))
    async with write_transaction():
        await Meeting.update(
            {
                Meeting.status: "notice_scheduled",
                Meeting.notice_send_on: day,
                Meeting.short_notice_members: consent.members_agreeing if consent else None,
                Meeting.short_notice_votes: consent.votes_agreeing if consent else None,
            }
        ).where(Meeting.id == meeting.id)
        await enqueue(notice_job(meeting, day))
        detail: dict[str, object] = {"send_on": day.isoformat()}
        if consent:
            detail["short_notice_consent"] = (
                f"{consent.members_agreeing} members, {consent.votes_agreeing} votes"
            )
        await record(
            AuditEntry(
                "meeting.notice_scheduled", org.organisation_id, "meeting", meeting.public_id, detail=detail
            ),
            actor,
        )
    return day


_LABELS = {
    "special": "pass as a SPECIAL RESOLUTION",
    "ordinary": "pass as an ordinary resolution",
    "board": "decide",
}

# --- what the notice says -----------------------------------------------------------------------------


def notice_text(meeting: MeetingInfo, items: list[dict[str, object]], link: str, org_name: str) -> Notice:
    """The notice: time, date, place and the business (CA06 s.311), special resolutions labelled as such
    (s.283), and for members' meetings their right to appoint a proxy (s.325)."""
    where = meeting.place or "online"
    lines = [
        f"{org_name} gives notice of a {meeting.kind_name.lower()}: {meeting.title}.",
        f"When: {date_time(meeting.starts_at)}.",
        f"Where: {where}.",
    ]
    if meeting.online_link:
        lines.append(f"To join online: {meeting.online_link}")
    lines.append("\nThe business of the meeting:")
    for item in items:
        lines.append(f"{item['position']}. {item['title']}")
        label = _LABELS.get(str(item["resolution_kind"]))
        if label:
            lines.append(f"   To consider and, if thought fit, {label}: {item['resolution_text']}")
    if not meeting.is_board:
        lines.append(
            "\nYou have the right to appoint a proxy to attend, speak and vote for you. "
            "Ask the secretary for a proxy form."
        )
    lines.append(f"\nThe papers: {link}")
    easy = [
        f"There is a meeting: {meeting.title}.",
        f"It is on {date_time(meeting.starts_at)}.",
        f"It is at: {where}.",
        *(str(item["paper_easy_read"]) for item in items if item["paper_easy_read"]),
        "You can bring someone you trust to help you.",
    ]
    if not meeting.is_board:
        easy.append("If you cannot come, someone else can vote for you. Ask the secretary.")
    return Notice(
        kind="meeting_notice",
        subject=f"Notice of meeting: {meeting.title}",
        body="\n".join(lines) + "\n",
        easy_read=tuple(easy),
    )


# --- the worker sends it on the day ----------------------------------------------------------------------


async def send_notice_batch(context: JobContext) -> None:
    payload = context.job.payload
    meeting = await meeting_by_id(int(payload["organisation"]), int(payload["meeting"]))
    if meeting is None or meeting.status != "notice_scheduled" or meeting.notice_send_on is None:
        return
    if meeting.notice_send_on.isoformat() != payload["series"]:
        return  # rescheduled: a newer chain sends it
    start = datetime.combine(meeting.notice_send_on, time(7, 0), tzinfo=LONDON)
    if context.now < start:
        raise NotYet(start)
    send_on = meeting.notice_send_on
    batch = await invitee_ids(meeting, int(payload["after"]), BATCH)
    org = (
        await Organisation.select(Organisation.slug, Organisation.name)
        .where(Organisation.id == meeting.organisation_id)
        .first()
    )
    assert org is not None
    link = absolute_url(context.settings, org_path(org["slug"], "meetings", meeting.public_id))
    notice = notice_text(meeting, await agenda(meeting), link, org["name"])
    sent_on = context.now.astimezone(LONDON).date()

    async def settle(sent: Sent, last: bool) -> None:
        await Meeting.update(
            {
                Meeting.notice_emails: Meeting.notice_emails + sent.emails,
                Meeting.notice_letters: Meeting.notice_letters + sent.letters,
                Meeting.notice_sent_on: meeting.notice_sent_on or sent_on,
                Meeting.status: "notice_sent" if last else "notice_scheduled",
            }
        ).where(Meeting.id == meeting.id)
        if last:
            await record(
                AuditEntry(
                    "meeting.notice_sent",
                    meeting.organisation_id,
                    "meeting",
                    meeting.public_id,
                    detail={"sent_on": sent_on.isoformat()},
                ),
                SYSTEM,
            )

    await send_batch(
        context,
        meeting.organisation_id,
        batch,
        notice,
        lambda last: notice_job(meeting, send_on, last),
        settle=settle,
    )


# --- how the notice stands --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeState:
    lines: tuple[str, ...]
    problems: tuple[str, ...]


def notice_state(constitution: Constitution, meeting: MeetingInfo) -> NoticeState:
    """What the meeting page says about its notice: sent when, received when, clear days, any shortfall."""
    day = meeting_day(meeting)
    if meeting.notice_sent_on is None:
        if meeting.notice_send_on:
            return NoticeState((f"Notice will go out on {long_date(meeting.notice_send_on)}.",), ())
        return NoticeState(("Notice has not been scheduled yet.",), ())
    methods = [
        m
        for m, n in (
            (DeliveryMethod.EMAIL, meeting.notice_emails),
            (DeliveryMethod.POST, meeting.notice_letters),
        )
        if n
    ] or [DeliveryMethod.EMAIL]
    lines = [
        f"Notice went out on {long_date(meeting.notice_sent_on)}: {meeting.notice_emails} by email and "
        f"{meeting.notice_letters} by letter."
    ]
    for m in methods:
        received = deemed_received(constitution, meeting.notice_sent_on, m)
        lines.append(
            f"By {m.value} it counts as received on {long_date(received)}, "
            f"{max(0, (day - received).days - 1)} clear days before the meeting."
        )
    if meeting.short_notice_members is not None:
        lines.append(f"{meeting.short_notice_members} members agreed to short notice.")
    sends = [NoticeSent(f"members by {m.value}", meeting.notice_sent_on, m) for m in methods]
    problems = notice_violations(constitution, meeting.meeting_kind, day, sends)
    if meeting.short_notice_members is not None:
        problems = [p for p in problems if p.code != "notice.too_short"]
    return NoticeState(tuple(lines), tuple(p.message for p in problems))
