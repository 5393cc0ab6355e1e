"""Votes: create, open (freezing the electorate), cast secret ballots, enter paper ballots, remind, close.

One member, one vote rests on the UNIQUE index on `vote_participation (vote, member)`: the participation
insert is `ON CONFLICT DO NOTHING`, and when it inserts nothing the member has already voted and nothing
else is written. The participation, the ballot and the audit event (participation only, never the choice
or tracker) land in one `write_transaction()`. Time is always passed in (`now`), never read here.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.boards.service import seat_election_winners
from coop.db import current_engine, is_sqlite, write_transaction
from coop.errors import Refused
from coop.members.leaving import settle_due_resignations
from coop.members.notices import Notice
from coop.members.tables import Member, RoleGrant
from coop.organisations.service import constitution_of
from coop.settings import Settings
from coop.template_filters import date_time
from coop.votes import ballots as choices
from coop.votes import timetable
from coop.votes.bulletin import BoardEntry, board_digest, new_tracker, sorted_board
from coop.votes.tables import Ballot, Vote, VoteParticipation, VoteRoll
from coop.votes.tally import count_vote
from governance.constitution import Constitution

logger = logging.getLogger("coop.votes")

PURPOSES: dict[str, str] = {
    "general": "A general question for members",
    "ordinary_resolution": "An ordinary resolution of the members",
    "special_resolution": "A special resolution of the members",
    "commission": "Commissioning a service (members decide what to buy)",
    "board_election": "Electing directors to the board",
    "board_decision": "A decision of the board (directors vote)",
}
CHANNELS = {
    "online": "Online",
    "proxy": "Online by a proxy",
    "paper": "Paper or postal ballot",
    "in_room": "In the room at a meeting",
}
ELECTION_KINDS = ("single", "approval", "ranked", "stv")


# --- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoteInfo:
    """A vote as members see it."""

    id: int
    organisation_id: int
    title: str
    question: str
    easy_read: str
    kind: str
    purpose: str
    options: tuple[str, ...]
    seats: int
    secret: bool
    eligible_classes: tuple[str, ...]
    status: str
    opens_at: datetime | None
    closes_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    board_digest: str | None
    result: dict[str, Any] | None

    @property
    def kind_name(self) -> str:
        return choices.KINDS[self.kind]

    @property
    def purpose_name(self) -> str:
        return PURPOSES.get(self.purpose, self.purpose)

    def accepting_at(self, now: datetime) -> bool:
        return (
            self.status == "open" and (self.opens_at is None or self.opens_at <= now) and now < self.closes_at
        )

    def due_to_close(self, now: datetime) -> bool:
        return self.status == "open" and now >= self.closes_at


VOTE_COLUMNS = (
    Vote.id,
    Vote.organisation,
    Vote.title,
    Vote.question,
    Vote.easy_read,
    Vote.kind,
    Vote.purpose,
    Vote.options,
    Vote.seats,
    Vote.secret,
    Vote.eligible_classes,
    Vote.status,
    Vote.opens_at,
    Vote.closes_at,
    Vote.opened_at,
    Vote.closed_at,
    Vote.board_digest,
    Vote.result,
)


def _vote_info(row: dict[str, Any]) -> VoteInfo:
    return VoteInfo(
        id=int(row["id"]),
        organisation_id=int(row["organisation"]),
        title=row["title"],
        question=row["question"],
        easy_read=row["easy_read"],
        kind=row["kind"],
        purpose=row["purpose"],
        options=tuple(json.loads(row["options"] or "[]")),
        seats=int(row["seats"]),
        secret=bool(row["secret"]),
        eligible_classes=tuple(c for c in (row["eligible_classes"] or "").split(",") if c),
        status=row["status"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        board_digest=row["board_digest"],
        result=json.loads(row["result"]) if row["result"] else None,
    )


def vote_from_row(row: dict[str, Any]) -> VoteInfo:
    """A vote from a row of VOTE_COLUMNS, for lists paged elsewhere (the API pages by id)."""
    return _vote_info(row)


# Read on every vote page and every cast: written out once rather than rebuilt by Piccolo each time.
_GET_VOTE = (
    "SELECT id, organisation, title, question, easy_read, kind, purpose, options, seats, secret, "
    "eligible_classes, status, opens_at, closes_at, opened_at, closed_at, board_digest, result "
    "FROM vote WHERE id = {} AND organisation = {}"
)


async def get_vote(organisation_id: int, vote_id: int) -> VoteInfo | None:
    """The vote, scoped by organisation: another organisation's vote is simply not found."""
    rows = await Vote.raw(_GET_VOTE, vote_id, organisation_id)
    return _vote_info(rows[0]) if rows else None


async def list_votes(organisation_id: int) -> list[VoteInfo]:
    rows = (
        await Vote.select(*VOTE_COLUMNS)
        .where(Vote.organisation == organisation_id)
        .order_by(Vote.closes_at, ascending=False)
    )
    return [_vote_info(r) for r in rows]


@dataclass(frozen=True, slots=True)
class VoterStatus:
    on_roll: bool
    voted: bool
    channel: str | None = None


async def voter_status(vote_id: int, member_id: int) -> VoterStatus:
    on_roll = await VoteRoll.exists().where((VoteRoll.vote == vote_id) & (VoteRoll.member == member_id))
    row = (
        await VoteParticipation.select(VoteParticipation.channel)
        .where((VoteParticipation.vote == vote_id) & (VoteParticipation.member == member_id))
        .first()
    )
    return VoterStatus(on_roll=on_roll, voted=row is not None, channel=row["channel"] if row else None)


@dataclass(frozen=True, slots=True)
class Turnout:
    electorate: int
    voted: int
    ballots: int
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def counts_match(self) -> bool:
        return self.voted == self.ballots


async def turnout(vote_id: int) -> Turnout:
    electorate = await VoteRoll.count().where(VoteRoll.vote == vote_id)
    rows = await VoteParticipation.select(VoteParticipation.channel).where(VoteParticipation.vote == vote_id)
    by_channel: dict[str, int] = {}
    for r in rows:
        by_channel[r["channel"]] = by_channel.get(r["channel"], 0) + 1
    ballots = await Ballot.count().where(Ballot.vote == vote_id)
    return Turnout(electorate=electorate, voted=len(rows), ballots=ballots, by_channel=by_channel)


async def board_entries(vote_id: int) -> list[BoardEntry]:
    rows = await Ballot.select(Ballot.tracker, Ballot.choice, Ballot.weight).where(Ballot.vote == vote_id)
    return sorted_board(BoardEntry(r["tracker"], r["choice"], int(r["weight"])) for r in rows)


async def board_trackers(vote_id: int) -> list[str]:
    """During voting the board shows trackers only, never choices (no running tally)."""
    rows = await Ballot.select(Ballot.tracker).where(Ballot.vote == vote_id)
    return sorted(r["tracker"] for r in rows)


async def lookup_tracker(vote_id: int, tracker: str) -> BoardEntry | None:
    row = (
        await Ballot.select(Ballot.tracker, Ballot.choice, Ballot.weight)
        .where((Ballot.vote == vote_id) & (Ballot.tracker == tracker))
        .first()
    )
    return BoardEntry(row["tracker"], row["choice"], int(row["weight"])) if row else None


async def recorded_choices(vote: VoteInfo) -> list[dict[str, str]]:
    """A recorded (open) vote's names and choices, published by design. Empty for secret ballots."""
    if vote.secret:
        return []
    rows = (
        await VoteParticipation.select(
            VoteParticipation.member.name.as_alias("name"),
            VoteParticipation.recorded_choice,
            VoteParticipation.channel,
        )
        .where(VoteParticipation.vote == vote.id)
        .order_by(VoteParticipation.member.name)
    )
    return [
        {
            "name": r["name"],
            "choice": choices.describe(vote.kind, vote.options, r["recorded_choice"]),
            "channel": CHANNELS.get(r["channel"], r["channel"]),
        }
        for r in rows
        if r["recorded_choice"] is not None
    ]


# --- creating and opening --------------------------------------------------------------------------------


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


async def electorate_for(vote: VoteInfo, constitution: Constitution, today: date) -> list[tuple[int, int]]:
    """(member id, weight) of everyone who may vote, as of now: current members of voting classes
    (restricted to the vote's classes if it names any); for board decisions, the directors in office."""
    rows = (
        await Member.select(Member.id, Member.member_class)
        .where(
            (Member.organisation == vote.organisation_id)
            & Member.ceased_on.is_null()
            & (Member.admitted_on <= today)
        )
        .order_by(Member.id)
    )
    directors: set[int] | None = None
    if vote.purpose == "board_decision":
        grants = await RoleGrant.select(RoleGrant.member).where(
            (RoleGrant.member.organisation == vote.organisation_id)
            & (RoleGrant.role == "director")
            & RoleGrant.revoked_at.is_null()
        )
        directors = {int(g["member"]) for g in grants}
    roll: list[tuple[int, int]] = []
    for r in rows:
        if directors is not None:
            if int(r["id"]) in directors:
                roll.append((int(r["id"]), 1))  # directors vote one each
            continue
        member_class = constitution.member_class(r["member_class"])
        if member_class is None or not member_class.can_vote:
            continue
        if vote.eligible_classes and r["member_class"] not in vote.eligible_classes:
            continue
        roll.append((int(r["id"]), member_class.vote_weight))
    return roll


class VoteStateError(Refused):
    """A vote is not in the state an action needs; the message is safe to show (a `coop.errors.Refused`)."""


async def open_vote(organisation_id: int, vote_id: int, *, now: datetime, actor: Actor) -> int:
    """Open a draft vote and freeze its electorate. Returns the number of people on the roll."""
    vote = await get_vote(organisation_id, vote_id)
    if vote is None:
        raise VoteStateError("There is no such vote")
    constitution = await constitution_of(organisation_id)
    # The roll is written from the register as written: first write down resignations now in effect.
    await settle_due_resignations(organisation_id, now.date())
    roll = await electorate_for(vote, constitution, now.date())
    if not roll:
        raise VoteStateError("Nobody could vote in this vote: check the member classes it is open to")
    async with write_transaction():
        opened = (
            await Vote.update({Vote.status: "open", Vote.opened_at: now})
            .where((Vote.id == vote_id) & (Vote.organisation == organisation_id) & (Vote.status == "draft"))
            .returning(Vote.id)
        )
        if not opened:
            raise VoteStateError("This vote has already been opened")
        await VoteRoll.insert(*(VoteRoll(vote=vote_id, member=m, weight=w) for m, w in roll))
        # Telling the electorate and closing on time are the worker's (coop/votes/schedule.py).
        await timetable.schedule_opened_vote(vote, now=now)
        await record(
            AuditEntry(
                "vote.opened",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={"electorate": len(roll), "secret": vote.secret},
            ),
            actor,
        )
    return len(roll)


# --- casting ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CastOutcome:
    """What happened to a ballot: `status` is cast, already_voted, not_eligible, closed or not_open."""

    status: str
    tracker: str | None = None
    closes_at: datetime | None = None

    @property
    def counted(self) -> bool:
        return self.status == "cast"


# The writes of a cast, written out: they run while every other writer waits (SQLite has one write lock),
# so Piccolo building them inside it cost every queued voter too. The UNIQUE (vote, member) index makes the
# second of two concurrent casts insert nothing.
_PARTICIPATE = (
    "INSERT INTO vote_participation (vote, member, channel, recorded_choice, assisted_by) "
    "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (vote, member) DO NOTHING RETURNING vote"
)
_BALLOT = "INSERT INTO vote_ballot (tracker, vote, choice, weight) VALUES ({}, {}, {}, {})"
_CURRENT_ON_ROLL = (
    "SELECT r.weight AS weight FROM vote_roll r JOIN member m ON m.id = r.member "
    "WHERE r.vote = {} AND r.member = {} AND m.ceased_on IS NULL"
)


async def cast_ballot(
    organisation_id: int,
    vote_id: int,
    member_id: int,
    choice: str,
    *,
    now: datetime,
    actor: Actor,
    channel: str = "online",
    assisted_by: int | None = None,
) -> CastOutcome:
    """Record one member's ballot, or say why not. Safe under any number of concurrent calls.
    `assisted_by`: the member's supporter who helped, kept on the participation (never the ballot)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    async with write_transaction():
        query = Vote.select(
            Vote.status, Vote.opens_at, Vote.closes_at, Vote.secret, Vote.kind, Vote.options
        ).where((Vote.id == vote_id) & (Vote.organisation == organisation_id))
        if not is_sqlite():
            # Closing takes this row's lock, so a ballot either commits before the close reads the
            # ballots (and is counted) or sees the vote closed (and is refused): never lost in between.
            query = query.lock_rows("SHARE")
        vote = await query.first()
        if (
            vote is None
            or vote["status"] == "draft"
            or (vote["opens_at"] is not None and now < vote["opens_at"])
        ):
            return CastOutcome("not_open")
        if vote["status"] != "open" or now >= vote["closes_at"]:
            return CastOutcome("closed", closes_at=vote["closes_at"])
        if not choices.valid_encoding(vote["kind"], json.loads(vote["options"]), choice):
            raise ValueError("the ballot does not fit this vote")
        # Ceased members lose their vote at once, even though they stay on the frozen roll.
        on_roll = await VoteRoll.raw(_CURRENT_ON_ROLL, vote_id, member_id)
        if not on_roll:
            return CastOutcome("not_eligible")
        roll = on_roll[0]
        inserted = await VoteParticipation.raw(
            _PARTICIPATE, vote_id, member_id, channel, None if vote["secret"] else choice, assisted_by
        )
        if not inserted:
            return CastOutcome("already_voted")
        tracker = new_tracker()
        await Ballot.raw(_BALLOT, tracker, vote_id, choice, int(roll["weight"]))
        await record(
            AuditEntry(
                "vote.participated",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={"channel": channel, "assisted": True} if assisted_by else {"channel": channel},
            ),
            actor,
        )
    return CastOutcome("cast", tracker=tracker)


# --- reminders -------------------------------------------------------------------------------------------


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
    link = f"{settings.base_url}/o/{slug}/votes/{vote.id}"
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


# --- closing ---------------------------------------------------------------------------------------------


async def close_vote(
    organisation_id: int,
    vote_id: int,
    *,
    now: datetime,
    actor: Actor,
    notify: bool = False,
) -> VoteInfo:
    """Close the vote, re-write its ballots in tracker order, publish the board digest and count; with
    `notify`, also queue the result for the electorate (in the same transaction: the worker sends it).

    Before the closing time a vote may close early only when everyone on the roll has voted, so nobody
    loses their chance to vote. Closing twice is harmless: the second call changes nothing.
    """
    vote = await get_vote(organisation_id, vote_id)
    if vote is None:
        raise VoteStateError("There is no such vote")
    if vote.status != "open":
        raise VoteStateError("This vote is not open")
    constitution = await constitution_of(organisation_id)
    async with write_transaction():
        if now < vote.closes_at:
            figures = await turnout(vote_id)
            if figures.voted < figures.electorate:
                raise VoteStateError(
                    "The vote can close early only when everyone who can vote has voted "
                    f"({figures.voted} of {figures.electorate} have)"
                )
        closed = (
            await Vote.update({Vote.status: "closed", Vote.closed_at: now})
            .where((Vote.id == vote_id) & (Vote.status == "open"))
            .returning(Vote.id)
        )
        if not closed:
            raise VoteStateError("This vote is not open")
        entries = await board_entries(vote_id)
        # The re-write: delete and insert again in tracker (random) order in this one transaction, so
        # neither row order nor PostgreSQL's xmin links a ballot to the participation inserted with it.
        await Ballot.delete().where(Ballot.vote == vote_id)
        if entries:
            await Ballot.insert(
                *(Ballot(tracker=e.tracker, vote=vote_id, choice=e.choice, weight=e.weight) for e in entries)
            )
        digest = board_digest(vote_id, entries)
        figures = await turnout(vote_id)
        participants = await VoteParticipation.select(
            VoteParticipation.member, VoteParticipation.member.member_class.as_alias("member_class")
        ).where(VoteParticipation.vote == vote_id)
        seed = secrets.randbelow(2**31)
        result = count_vote(
            kind=vote.kind,
            purpose=vote.purpose,
            title=vote.title,
            options=vote.options,
            seats=vote.seats,
            entries=entries,
            constitution=constitution,
            electorate=figures.electorate,
            participants=[(str(p["member"]), p["member_class"]) for p in participants],
            by_channel=figures.by_channel,
            seed=seed,
        )
        await Vote.update({Vote.board_digest: digest, Vote.result: json.dumps(result, sort_keys=True)}).where(
            Vote.id == vote_id
        )
        # A board election's winners take their seats in the same transaction as the result.
        await seat_election_winners(organisation_id, vote_id, on=now.date(), actor=actor)
        await record(
            AuditEntry(
                "vote.closed",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={
                    "board_digest": digest,
                    "ballots": len(entries),
                    "participants": figures.voted,
                    "early": now < vote.closes_at,
                },
            ),
            actor,
        )
        if notify:
            await timetable.queue_results(vote, now=now)
    await scrub_storage()
    closed_vote = await get_vote(organisation_id, vote_id)
    assert closed_vote is not None
    return closed_vote


async def scrub_storage() -> None:
    """After the re-write, leave no old copy of the ballot rows where a database copy could find them:
    SQLite rebuilds the file and empties the WAL; PostgreSQL vacuums away the dead row versions."""
    engine = current_engine()
    try:
        if is_sqlite():
            await engine.run_ddl("VACUUM")
            await engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            await engine.run_ddl("VACUUM vote_ballot")
    except Exception:  # a busy database must not undo a close; the next close or backup vacuums again
        logger.warning("could not vacuum after closing a vote", exc_info=True)


def result_notice(vote: VoteInfo, slug: str, settings: Settings) -> Notice:
    outcome = (vote.result or {}).get("outcome", "")
    results = f"{settings.base_url}/o/{slug}/votes/{vote.id}/results"
    return Notice(
        kind="vote_result",
        subject=f"Result: {vote.title}",
        body=(
            f"The vote has closed: {vote.title}\n\n{outcome}\n\n"
            f"See the full result and count: {results}\n\n"
            f"Every ballot is listed on the bulletin board by its tracking code: "
            f"{settings.base_url}/o/{slug}/votes/{vote.id}/board\n"
            f"The board's fingerprint (SHA-256) is:\n{vote.board_digest}\n"
            "Keep this email: if the board is ever changed, its fingerprint will no longer match.\n"
        ),
        easy_read=(
            f"The vote about {vote.title} has ended.",
            f"The result: {outcome}" if outcome else "The votes have been counted.",
            f"You can see the full result on the website: {results}",
        ),
    )


def choice_counts_text(by_channel: dict[str, int]) -> str:
    parts = [f"{n} {CHANNELS.get(c, c).lower()}" for c, n in sorted(by_channel.items())]
    return ", ".join(parts)


def describe_choice(vote: VoteInfo, encoded: str) -> str:
    return choices.describe(vote.kind, vote.options, encoded)


def options_of(vote: VoteInfo) -> Sequence[str]:
    return vote.options


async def members_not_voted(vote_id: int) -> list[dict[str, Any]]:
    """Current members on the roll who have not voted: whose paper ballot the secretary may enter."""
    roll = (
        await VoteRoll.select(
            VoteRoll.member.public_id.as_alias("public_id"),
            VoteRoll.member.name.as_alias("name"),
            VoteRoll.member.id.as_alias("member_id"),
        )
        .where((VoteRoll.vote == vote_id) & VoteRoll.member.ceased_on.is_null())
        .order_by(VoteRoll.member.name)
    )
    voted = {
        int(r["member"])
        for r in await VoteParticipation.select(VoteParticipation.member).where(
            VoteParticipation.vote == vote_id
        )
    }
    return [
        {"public_id": str(r["public_id"]), "name": r["name"]}
        for r in roll
        if int(r["member_id"]) not in voted
    ]


async def proxy_appointers(vote: VoteInfo, proxy_member_id: int) -> list[dict[str, Any]]:
    """Members on this vote's roll who have appointed `proxy_member_id` their standing proxy (membership's
    ProxyAppointment, not revoked), when the constitution allows proxies. A proxy for one meeting does not
    extend to an online vote."""
    from coop.members.tables import ProxyAppointment

    constitution = await constitution_of(vote.organisation_id)
    if not constitution.proxies.allowed:
        return []
    rows = await ProxyAppointment.select(
        ProxyAppointment.member.id.as_alias("member_id"),
        ProxyAppointment.member.public_id.as_alias("public_id"),
        ProxyAppointment.member.name.as_alias("name"),
    ).where(
        (ProxyAppointment.proxy_member == proxy_member_id)
        & (ProxyAppointment.organisation == vote.organisation_id)
        & ProxyAppointment.standing.eq(True)
        & ProxyAppointment.revoked_at.is_null()
        & ProxyAppointment.member.ceased_on.is_null()
    )
    roll = {int(r["member"]) for r in await VoteRoll.select(VoteRoll.member).where(VoteRoll.vote == vote.id)}
    return [
        {"member_id": int(r["member_id"]), "public_id": str(r["public_id"]), "name": r["name"]}
        for r in rows
        if int(r["member_id"]) in roll
    ]
