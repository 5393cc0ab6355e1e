"""A meeting's notice over HTTP and through the worker: too-short notice refused with the rule in words,
short-notice consent, and the notice sent on the day that gives the clear days, by each invitee's channel."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs
from tests.coop.meetings.helpers import MEMBER, SECRETARY, add_item, call_meeting, in_days, meeting_row


def _send_on(client, meeting, day=None, **consent):
    data = dict(consent)
    if day is not None:
        data.update(send_on_day=str(day.day), send_on_month=str(day.month), send_on_year=str(day.year))
    return post_form(client, f"/o/riverside/meetings/{meeting}/notice", data)


def _letters(subject: str = "Notice of meeting: General meeting"):
    from coop.members.tables import MemberLetter

    return run(
        MemberLetter.select(
            MemberLetter.member.name.as_alias("name"), MemberLetter.large_print, MemberLetter.easy_read
        )
        .where((MemberLetter.kind == "meeting_notice") & (MemberLetter.subject == subject))
        .order_by(MemberLetter.id)
    )


def test_too_short_notice_is_refused_with_the_rule_and_changes_nothing(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, days=20)
    refused = _send_on(client, meeting)
    assert refused.status_code == 422
    assert "Add the business" in page_text(refused.text)
    assert add_item(client, meeting, "Accounts").status_code == 303
    too_late = _send_on(client, meeting, in_days(17))
    assert too_late.status_code == 422
    text = page_text(too_late.text)
    assert "counts as received on" in text and "the constitution requires 7" in text
    assert meeting_row(meeting)["status"] == "planned"
    # A board meeting cannot be held at short notice by consent.
    consented = _send_on(client, meeting, in_days(17), consent_members="5")
    assert consented.status_code == 422
    assert "does not allow shorter notice for board meetings" in page_text(consented.text)


def test_notice_goes_out_on_the_last_day_for_full_notice_by_each_members_channel(demo, client, settings):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=40, title="General meeting")
    add_item(
        client,
        meeting,
        "Shared PA service",
        "special",
        "That we set up a shared PA service.",
        paper_easy_read="We want to share personal assistants.",
    )
    assert _send_on(client, meeting).status_code == 303
    row = meeting_row(meeting)
    assert row["status"] == "notice_scheduled"
    send_on = row["notice_send_on"]
    if isinstance(send_on, str):
        from datetime import date

        send_on = date.fromisoformat(send_on)
    from governance.constitutions import load_model_constitution
    from governance.notice import DeliveryMethod, MeetingKind, NoticeSent, notice_violations

    constitution = load_model_constitution("cic_guarantee")
    day = in_days(40)
    for method in (DeliveryMethod.POST, DeliveryMethod.EMAIL):
        sent = [NoticeSent("m", send_on, method)]
        assert notice_violations(constitution, MeetingKind.GENERAL, day, sent) == []
        # One day later would be too late by post or email (the latest day is the last that works).
    later = [NoticeSent("m", send_on + timedelta(days=1), DeliveryMethod.POST)]
    assert notice_violations(constitution, MeetingKind.GENERAL, day, later)

    # Before the day, the worker sends nothing.
    before = datetime.combine(send_on, time(0, 0), tzinfo=UTC) - timedelta(hours=12)
    run_jobs(settings, at=before)
    assert meeting_row(meeting)["status"] == "notice_scheduled" and not _letters()
    run_jobs(settings, at=datetime.combine(send_on, time(12, 0), tzinfo=UTC))
    row = meeting_row(meeting)
    assert row["status"] == "notice_sent" and row["notice_emails"] > 0
    letters = {r["name"]: r for r in _letters()}
    assert letters["Ben Williams"]["large_print"] is True or letters["Ben Williams"]["large_print"] == 1
    assert "share personal assistants" in letters["Margaret Hughes"]["easy_read"]
    from coop.mail.tables import OutboxMessage

    emails = run(OutboxMessage.select().where(OutboxMessage.subject == "Notice of meeting: General meeting"))
    assert len(emails) == row["notice_emails"]
    body = emails[0]["body"]
    assert "SPECIAL RESOLUTION" in body and "right to appoint a proxy" in body
    # Rerunning the worker sends nothing twice.
    run_jobs(settings, at=datetime.combine(send_on, time(13, 0), tzinfo=UTC))
    assert len(
        run(OutboxMessage.select().where(OutboxMessage.subject == "Notice of meeting: General meeting"))
    ) == len(emails)
    sign_in(client, MEMBER)
    text = page_text(client.get(f"/o/riverside/meetings/{meeting}").text)
    assert "Notice went out on" in text and "clear days before the meeting" in text


def test_short_notice_consent_is_checked_against_the_votes(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=5, title="Urgent general meeting")
    add_item(client, meeting, "Urgent business")
    weak = _send_on(client, meeting, consent_members="1")
    assert weak.status_code == 422
    assert "a majority of members in number must agree" in page_text(weak.text)
    assert meeting_row(meeting)["status"] == "planned"
    too_many = _send_on(client, meeting, consent_members="100000")
    assert too_many.status_code == 422 and "There are only" in page_text(too_many.text)
    from coop.members.tables import Member

    everyone = run(
        Member.count().where((Member.organisation.slug == "riverside") & Member.ceased_on.is_null())
    )
    assert _send_on(client, meeting, consent_members=str(everyone)).status_code == 303
    assert meeting_row(meeting)["short_notice_members"] == everyone


def test_the_last_day_for_full_notice_is_accepted_and_the_day_after_refused(demo, client):
    from governance.constitutions import load_model_constitution
    from governance.notice import DeliveryMethod, MeetingKind, notice_sending_date

    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=30, title="General meeting")
    add_item(client, meeting, "Accounts")
    last = notice_sending_date(
        load_model_constitution("cic_guarantee"),
        MeetingKind.GENERAL,
        in_days(30),
        [DeliveryMethod.EMAIL, DeliveryMethod.POST],
    )
    late = _send_on(client, meeting, last + timedelta(days=1))
    assert late.status_code == 422 and "the constitution requires 14" in page_text(late.text)
    assert meeting_row(meeting)["status"] == "planned"
    assert _send_on(client, meeting, last).status_code == 303
    assert str(meeting_row(meeting)["notice_send_on"]) == last.isoformat()
