"""The demo's meetings: a board meeting held two months ago with a declared conflict of interest and
minutes approved at the next board meeting and signed by the chair, that next meeting (held last month),
and an upcoming AGM whose notice has gone out to every member the way each asked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from coop import clock
from coop.audit.service import SYSTEM, AuditEntry, record
from coop.boards.service import as_director, current_directors
from coop.db import write_transaction
from coop.meetings.minutes import draft_text
from coop.meetings.notices import notice_text
from coop.meetings.service import MeetingInfo, invitee_ids, meeting_by_id
from coop.meetings.tables import AgendaItem, Attendance, DirectorInterest, InterestDeclaration, Meeting
from coop.members.notices import send_notice
from coop.members.tables import Member
from coop.organisations.service import constitution_of
from coop.organisations.tables import Organisation
from coop.settings import Settings
from coop.template_filters import LONDON
from coop.urls import absolute_url, org_path
from governance.quorum import board_quorum
from governance.resolutions import ResolutionFacts, ResolutionKind, resolution_outcome
from governance.show_of_hands import Hands

CONFLICT = "Her son works for Bright Care Ltd as a personal assistant"


def _at(days: int, hour: int = 18) -> datetime:
    day = clock.now().date() + timedelta(days=days)
    return datetime.combine(day, time(hour, 30), tzinfo=LONDON)


async def _members(organisation_id: int) -> dict[str, int]:
    rows = await Member.select(Member.id, Member.name).where(Member.organisation == organisation_id)
    return {r["name"]: int(r["id"]) for r in rows}


async def _meeting(organisation_id: int, **fields: Any) -> int:
    rows = await Meeting.insert(Meeting(organisation=organisation_id, **fields)).returning(Meeting.id)
    return int(rows[0]["id"])


async def _item(meeting: int, position: int, title: str, **fields: Any) -> int:
    rows = await AgendaItem.insert(
        AgendaItem(meeting=meeting, position=position, title=title, **fields)
    ).returning(AgendaItem.id)
    return int(rows[0]["id"])


async def _held_board_meeting(organisation_id: int, people: dict[str, int], days: int, title: str) -> int:
    starts = _at(days)
    meeting = await _meeting(
        organisation_id,
        kind="board",
        title=title,
        starts_at=starts,
        place="The Hub, 12 Mill Lane, Riverside",
        chair=people["Amara Okafor"],
        status="closed",
        notice_send_on=(starts - timedelta(days=12)).date(),
        notice_sent_on=(starts - timedelta(days=12)).date(),
        notice_emails=5,
    )
    for name, mode in (
        ("Amara Okafor", "room"),
        ("Daniel Price", "room"),
        ("Helen Jones", "room"),
        ("Priya Shah", "room"),
        ("Tom Evans", "online"),
    ):
        await Attendance.insert(
            Attendance(
                meeting=meeting,
                member=people[name],
                mode=mode,
                arrived_at=starts,
                left_at=starts + timedelta(hours=2),
            )
        )
    return meeting


async def _decided(organisation_id: int, people: dict[str, int]) -> dict[str, Any]:
    """The contract vote decided by the rules, as the live meeting would: five directors present, Priya
    conflicted (out of the quorum and the vote), 3 for and 1 against."""
    constitution = await constitution_of(organisation_id)
    directors = [as_director(r) for r in await current_directors(organisation_id)]
    quorum = board_quorum(
        constitution,
        directors=directors,
        present_ids=[d.id for d in directors],
        conflicted_ids={str(people["Priya Shah"])},
    )
    facts = ResolutionFacts(ResolutionKind.BOARD, Hands(3, 1, 0).as_votes(), quorum=quorum)
    outcome = resolution_outcome(constitution, facts)
    return {
        "result": "passed" if outcome.passed else "failed",
        "result_reasons": "\n".join(outcome.reasons),
        "quorum_note": quorum.message,
    }


async def seed_meetings(organisation_id: int, settings: Settings) -> None:
    people = await _members(organisation_id)
    async with write_transaction():
        await DirectorInterest.insert(
            DirectorInterest(
                organisation=organisation_id,
                member=people["Priya Shah"],
                description=CONFLICT,
                declared_on=date(2024, 4, 1),
            )
        )
        first = await _held_board_meeting(organisation_id, people, -60, "Board meeting: shared PA contract")
        contract = await _item(
            first,
            1,
            "Contract with Bright Care Ltd for shared personal assistants",
            paper=(
                "Bright Care Ltd offers 40 hours a week of personal assistance shared by four budget holders "
                "at £16.50 an hour."
            ),
            paper_easy_read="We want to buy help from Bright Care.\nFour people will share the helpers.",
            resolution_kind="board",
            resolution_text="That we sign the contract with Bright Care Ltd for one year.",
            votes_for=3,
            votes_against=1,
            abstentions=0,
            **await _decided(organisation_id, people),
            decided_at=_at(-60, 19),
        )
        await InterestDeclaration.insert(
            InterestDeclaration(item=contract, member=people["Priya Shah"], nature=CONFLICT)
        )
        await _item(
            first, 2, "Easy read policy", paper="Every paper for members comes with an easy read version."
        )
        second = await _held_board_meeting(organisation_id, people, -30, "Board meeting: accounts")
        await _item(second, 1, "Minutes of the last meeting")
        held = await meeting_by_id(organisation_id, first)
        assert held is not None
        await Meeting.update(
            {
                Meeting.minutes: await draft_text(held),
                Meeting.minutes_state: "signed",
                Meeting.minutes_approved_at: second,
                Meeting.minutes_signed_by: people["Amara Okafor"],
                Meeting.minutes_signed_at: _at(-30, 19),
            }
        ).where(Meeting.id == first)
        await record(
            AuditEntry(
                "meeting.minutes_signed",
                organisation_id,
                "meeting",
                str(held.public_id),
                detail={"chair": "Amara Okafor"},
            ),
            SYSTEM,
        )
    await _agm(organisation_id, people, settings)


async def _agm(organisation_id: int, people: dict[str, int], settings: Settings) -> None:
    """The AGM in six weeks, its notice sent today to every member (email, or a letter to post)."""
    today = clock.today_in_london()
    async with write_transaction():
        agm = await _meeting(
            organisation_id,
            kind="annual_general",
            title="Annual general meeting 2027",
            starts_at=_at(42),
            place="The Mill Hall, Riverside",
            online_link="https://meet.example.org/riverside-agm",
            chair=people["Amara Okafor"],
            status="notice_sent",
            notice_send_on=today,
        )
        await _item(
            agm,
            1,
            "Accounts for the year",
            resolution_kind="ordinary",
            resolution_text="That the accounts for the year be received.",
            paper_easy_read="We will look at how we spent our money.",
        )
        await _item(
            agm,
            2,
            "Change our objects to include short breaks",
            resolution_kind="special",
            resolution_text="That the articles be changed to add short breaks to our objects.",
            paper_easy_read="We want to help people take short breaks.\nThis needs 3 in 4 votes.",
        )
        meeting = await meeting_by_id(organisation_id, agm)
        assert meeting is not None
        await _send(meeting, settings, today)


async def _send(meeting: MeetingInfo, settings: Settings, today: date) -> None:
    org = (
        await Organisation.select(Organisation.slug, Organisation.name)
        .where(Organisation.id == meeting.organisation_id)
        .first()
    )
    assert org is not None
    from coop.meetings.service import agenda

    link = absolute_url(settings, org_path(org["slug"], "meetings", meeting.public_id))
    sent = await send_notice(
        settings,
        meeting.organisation_id,
        await invitee_ids(meeting, limit=10_000),
        notice_text(meeting, await agenda(meeting), link, org["name"]),
    )
    await Meeting.update(
        {
            Meeting.notice_sent_on: today,
            Meeting.notice_emails: sent.emails,
            Meeting.notice_letters: sent.letters,
        }
    ).where(Meeting.id == meeting.id)
    await record(
        AuditEntry(
            "meeting.notice_sent",
            meeting.organisation_id,
            "meeting",
            meeting.public_id,
            detail={"sent_on": today.isoformat()},
        ),
        SYSTEM,
    )
