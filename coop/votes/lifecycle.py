"""A vote's life before its count: creating a draft, opening it (freezing the electorate) and reminding
those who have not voted. Time is always passed in (`now`), never read here."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from coop.audit.guarded import guarded_change
from coop.audit.service import Actor, AuditEntry, record
from coop.db import insert_in_batches, write_transaction
from coop.members.leaving import settle_due_resignations
from coop.members.notices import Notice
from coop.organisations.service import constitution_of
from coop.settings import Settings
from coop.template_filters import date_time
from coop.urls import absolute_url, org_path
from coop.votes import ballots as choices
from coop.votes import sealed_store, timetable
from coop.votes.records import ELECTION_KINDS, PURPOSES, VoteInfo, VoteStateError, get_vote
from coop.votes.roll import turnout, write_roll
from coop.votes.tables import Vote, VoteRoll
from governance.constitution import Constitution


@dataclass(frozen=True, slots=True)
class NewVote:
    title: str
    question: str
    kind: str
    purpose: str
    closes_at: datetime
    easy_read: str = ""
    options: tuple[str, ...] = ()
    seats: int = 1
    secret: bool = True
    eligible_classes: tuple[str, ...] = ()
    opens_at: datetime | None = None


def new_vote_problems(new: NewVote, constitution: Constitution, now: datetime) -> dict[str, str]:
    """What is wrong with a new vote, by form field; empty when it can be created."""
    errors: dict[str, str] = {}
    if not new.title.strip():
        errors["title"] = "Enter a title for the vote"
    elif len(new.title) > 200:
        errors["title"] = "The title must be 200 characters or fewer"
    if not new.question.strip():
        errors["question"] = "Enter the full text members will vote on"
    if new.kind not in choices.KINDS:
        errors["kind"] = "Select the kind of vote"
    if new.purpose not in PURPOSES:
        errors["purpose"] = "Select what the vote is for"
    if new.kind in ELECTION_KINDS:
        names = [o.strip() for o in new.options if o.strip()]
        if len(names) < 2:
            errors["options"] = "Enter at least 2 options or candidates, one on each line"
        elif len(set(names)) != len(names):
            errors["options"] = "Each option or candidate must have a different name"
        elif len(names) > 50:
            errors["options"] = "Enter 50 options or fewer"
        elif new.kind in ("single", "ranked") and new.seats != 1:
            errors["seats"] = "This kind of vote fills 1 place; use an election (STV) or approval for more"
        elif not 1 <= new.seats < len(names) and new.kind in ("stv", "approval"):
            errors["seats"] = "The number of seats must be at least 1 and fewer than the number of candidates"
    if new.kind == "motion" and new.purpose == "board_election":
        errors["kind"] = "A board election needs candidates: choose single choice, approval, ranked or STV"
    if new.kind in ELECTION_KINDS and new.purpose in (
        "ordinary_resolution",
        "special_resolution",
        "board_decision",
    ):
        errors["kind"] = "A resolution is a motion: choose for, against or abstain"
    unknown = [c for c in new.eligible_classes if constitution.member_class(c) is None]
    if unknown:
        errors["eligible_classes"] = "Select member classes from the list"
    if new.closes_at <= now:
        errors["closes_at"] = "The closing time must be in the future"
    elif new.opens_at is not None and new.opens_at >= new.closes_at:
        errors["opens_at"] = "The vote must open before it closes"
    return errors


async def create_vote(organisation_id: int, new: NewVote, *, actor: Actor) -> int:
    options = [o.strip() for o in new.options if o.strip()] if new.kind in ELECTION_KINDS else []
    async with write_transaction():
        rows = await Vote.insert(
            Vote(
                organisation=organisation_id,
                title=new.title.strip(),
                question=new.question.strip(),
                easy_read=new.easy_read.strip(),
                kind=new.kind,
                purpose=new.purpose,
                options=json.dumps(options),
                seats=new.seats if new.kind in ("stv", "approval") else 1,
                secret=new.secret,
                eligible_classes=",".join(new.eligible_classes),
                status="draft",
                opens_at=new.opens_at,
                closes_at=new.closes_at,
                created_by=actor.person_id,
            )
        ).returning(Vote.id)
        vote_id = int(rows[0]["id"])
        await record(
            AuditEntry(
                "vote.created",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={"kind": new.kind, "purpose": new.purpose, "secret": new.secret},
            ),
            actor,
        )
    return vote_id


async def open_vote(
    organisation_id: int,
    vote_id: int,
    *,
    now: datetime,
    actor: Actor,
    electorate: Sequence[tuple[int, int]] | None = None,
    proxies: Mapping[int, int] | None = None,
) -> int:
    """Open a draft vote and freeze its electorate. Returns the number of people on the roll.

    `electorate` (member id, weight) replaces the register's when the caller has already decided who may
    vote (a vote at a meeting: the members present); `proxies` maps a member on it to the proxy
    appointment that votes for them there."""
    vote = await get_vote(organisation_id, vote_id)
    if vote is None:
        raise VoteStateError("There is no such vote")
    constitution = await constitution_of(organisation_id)
    # The roll is written from the register as written: first write down resignations now in effect.
    await settle_due_resignations(organisation_id, now.date())
    held = proxies or {}
    async with sealed_store.new_vote_key(vote_id) as key, write_transaction():
        opened = await guarded_change(  # audited below, with the size of the roll it writes
            Vote,
            {Vote.status: "open", Vote.opened_at: now, Vote.seal_public_key: key.public},
            (Vote.id == vote_id) & (Vote.organisation == organisation_id) & (Vote.status == "draft"),
            returning=[Vote.id],
        )
        if not opened:
            raise VoteStateError("This vote has already been opened")
        await key.store_shares()
        if electorate is None:
            # One INSERT … SELECT, whatever the size of the electorate.
            on_roll = await write_roll(vote, constitution, now.date())
        else:
            # The caller decided who may vote (those present at a meeting): a bounded list, with proxies.
            on_roll = await insert_in_batches(
                VoteRoll,
                (
                    VoteRoll(vote=vote_id, member=m, weight=w, proxy_appointment=held.get(m))
                    for m, w in electorate
                ),
            )
        if not on_roll:  # an empty roll undoes the opening
            raise VoteStateError("Nobody could vote in this vote: check the member classes it is open to")
        # The roll never changes after this: its size is stored for the vote's pages to read.
        await Vote.update({Vote.electorate: on_roll}).where(Vote.id == vote_id)
        # Telling the electorate and closing on time are the worker's (coop/votes/schedule.py).
        await timetable.schedule_opened_vote(vote, now=now)
        await record(
            AuditEntry(
                "vote.opened",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={"electorate": on_roll, "secret": vote.secret},
            ),
            actor,
        )
    return on_roll


async def send_reminders(vote: VoteInfo, *, now: datetime, actor: Actor) -> int:
    """Queue a reminder to everyone on the roll who has not voted yet, each as they asked (email or a
    letter to post); the worker sends them in batches. Returns how many it will go to."""
    if not vote.accepting_at(now):
        raise VoteStateError("Reminders can only be sent while the vote is open")
    figures = await turnout(vote.id)
    waiting = figures.electorate - figures.voted
    async with write_transaction():
        await timetable.queue_reminders_now(vote, now=now)
        await record(
            AuditEntry(
                "vote.reminders_sent",
                organisation_id=vote.organisation_id,
                target_type="vote",
                target_id=str(vote.id),
                detail={"sent": waiting},
            ),
            actor,
        )
    return waiting


def reminder_notice(vote: VoteInfo, slug: str, settings: Settings) -> Notice:
    link = absolute_url(settings, org_path(slug, "votes", vote.id))
    return Notice(
        kind="vote_reminder",
        subject=f"Reminder: please vote in {vote.title}",
        body=(
            f"You have not voted yet in: {vote.title}\n\n"
            f"Voting closes on {date_time(vote.closes_at)}.\n\n"
            f"Vote here: {link}\n\n"
            "If you have already voted on paper or at a meeting, you do not need to do anything.\n"
        ),
        easy_read=(
            f"There is a vote about: {vote.title}.",
            *((vote.easy_read,) if vote.easy_read else ()),
            "You have not voted yet.",
            f"You can vote until {date_time(vote.closes_at)}.",
            f"You can vote on the website: {link}",
            "You can ask someone you trust to help you.",
        ),
    )
