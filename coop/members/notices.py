"""Notices to members that honour their recorded communication needs (Accessible Information Standard).

A notice has a standard text and an easy-read summary in short sentences. Each member gets it the way they
asked: by email (with the easy-read summary first if they asked for easy read, and a copy to their supporter
if they asked to be contacted through one), or as a letter for the secretary to print and post if they asked
for post or have no email address (in large print if they asked for it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.custom_types import Combinable

from coop import clock
from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry
from coop.db import write_transaction
from coop.mail.service import Email, queue_emails
from coop.members.tables import CommunicationNeed, Member, MemberLetter, MemberSupporter
from coop.public_ids import parse_public_id
from coop.settings import Settings


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str  # what it is about, e.g. "vote_reminder"; kept on letters
    subject: str
    body: str  # the standard text, without a greeting (each copy is addressed to its member)
    easy_read: tuple[str, ...]  # short sentences, one idea each


@dataclass(frozen=True, slots=True)
class Recipient:
    member_id: int
    name: str
    email: str  # "" when there is none
    address: str
    contact_by: str
    needs: tuple[str, ...]
    supporter_emails: tuple[str, ...]

    @property
    def by_post(self) -> bool:
        return self.contact_by == "post" or "post" in self.needs or not self.email


@dataclass(frozen=True, slots=True)
class Sent:
    emails: int
    letters: int


def email_text(notice: Notice, recipient: Recipient) -> str:
    """The email a member gets: easy read first when they asked for it, then the full notice."""
    text = f"Dear {recipient.name},\n\n"
    if "easy_read" in recipient.needs:
        text += "Easy read\n\n" + "\n\n".join(notice.easy_read) + "\n\n----\n\nThe full notice\n\n"
    return text + notice.body


async def recipients(organisation_id: int, member_ids: Iterable[int]) -> list[Recipient]:
    """Current members among `member_ids` (of this organisation only), with how each wants notices."""
    ids = sorted(set(member_ids))
    if not ids:
        return []
    rows = await Member.select(
        Member.id,
        Member.name,
        Member.email,
        Member.person.email.as_alias("person_email"),
        Member.address,
        Member.contact_by,
    ).where((Member.organisation == organisation_id) & Member.id.is_in(ids) & Member.ceased_on.is_null())
    needs: dict[int, list[str]] = {}
    for n in await CommunicationNeed.select(CommunicationNeed.member, CommunicationNeed.need).where(
        CommunicationNeed.member.is_in(ids) & CommunicationNeed.ended_at.is_null()
    ):
        needs.setdefault(int(n["member"]), []).append(n["need"])
    supporters: dict[int, list[str]] = {}
    for s in await MemberSupporter.select(
        MemberSupporter.member, MemberSupporter.email, MemberSupporter.person.email.as_alias("person_email")
    ).where(MemberSupporter.member.is_in(ids) & MemberSupporter.ended_at.is_null()):
        if email := s["person_email"] or s["email"]:
            supporters.setdefault(int(s["member"]), []).append(email)
    return [
        Recipient(
            member_id=int(r["id"]),
            name=r["name"],
            email=r["email"] or r["person_email"] or "",
            address=r["address"] or "",
            contact_by=r["contact_by"],
            needs=tuple(needs.get(int(r["id"]), ())),
            supporter_emails=tuple(supporters.get(int(r["id"]), ())),
        )
        for r in rows
    ]


async def send_notice(
    settings: Settings, organisation_id: int, member_ids: Iterable[int], notice: Notice
) -> Sent:
    """Queue one notice for each current member in `member_ids`, each the way they need it: letters for
    the secretary to post, emails for the worker to send. One transaction (the caller's, if open)."""
    letters: list[MemberLetter] = []
    emails: list[Email] = []
    for r in await recipients(organisation_id, member_ids):
        if r.by_post:
            letters.append(
                MemberLetter(
                    organisation=organisation_id,
                    member=r.member_id,
                    kind=notice.kind,
                    subject=notice.subject[:300],
                    body=notice.body,
                    easy_read="\n".join(notice.easy_read) if "easy_read" in r.needs else "",
                    large_print="large_print" in r.needs,
                    needs=",".join(r.needs)[:200],
                    address=r.address,
                )
            )
        else:
            emails.append(Email(r.email, notice.subject, email_text(notice, r), r.member_id))
        if r.contact_by == "supporter" or "supporter" in r.needs:
            emails.extend(
                Email(
                    email,
                    f"For {r.name}: {notice.subject}",
                    f"You are {r.name}'s supporter, so we are sending you a copy of this notice.\n\n"
                    + email_text(notice, r),
                )
                for email in r.supporter_emails
            )
    member_emails = sum(1 for e in emails if e.member_id is not None)
    async with write_transaction():
        if letters:
            await MemberLetter.insert(*letters)
        await queue_emails(settings, emails)
    return Sent(emails=member_emails, letters=len(letters))


# --- letters to send (board) ------------------------------------------------------------------------------

LETTER_COLUMNS: Sequence[Any] = (
    MemberLetter.public_id,
    MemberLetter.member.name.as_alias("name"),
    MemberLetter.kind,
    MemberLetter.subject,
    MemberLetter.body,
    MemberLetter.easy_read,
    MemberLetter.large_print,
    MemberLetter.needs,
    MemberLetter.address,
    MemberLetter.created_at,
    MemberLetter.sent_at,
)


async def letters(organisation_id: int, *, sent: bool, limit: int = 200) -> list[dict[str, Any]]:
    """Letters still to send (oldest first), or those already sent (newest first)."""
    where: Combinable = MemberLetter.organisation == organisation_id
    where &= MemberLetter.sent_at.is_not_null() if sent else MemberLetter.sent_at.is_null()
    return list(
        await MemberLetter.select(*LETTER_COLUMNS)
        .where(where)
        .order_by(MemberLetter.id, ascending=not sent)
        .limit(limit)
    )


async def letter(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    uuid = parse_public_id(public_id)
    if uuid is None:
        return None
    row: dict[str, Any] | None = (
        await MemberLetter.select(*LETTER_COLUMNS)
        .where((MemberLetter.organisation == organisation_id) & (MemberLetter.public_id == uuid))
        .first()
    )
    return row


async def mark_sent(organisation_id: int, public_id: str, actor: Actor) -> bool:
    """Record that the secretary posted the letter (once), with its audit event, in one transaction."""
    uuid = parse_public_id(public_id)
    if uuid is None:
        return False
    rows = await guarded_update(
        MemberLetter,
        {MemberLetter.sent_at: clock.now(), MemberLetter.sent_by: actor.person_id},
        (MemberLetter.organisation == organisation_id)
        & (MemberLetter.public_id == uuid)
        & MemberLetter.sent_at.is_null(),
        returning=[MemberLetter.id, MemberLetter.member],
        audit=lambda row: AuditEntry(
            "notice.letter_sent",
            organisation_id=organisation_id,
            target_type="member",
            target_id=str(row["member"]),
            detail={"letter": public_id},
        ),
        actor=actor,
    )
    return bool(rows)
