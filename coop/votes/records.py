"""A vote as members see it (`VoteInfo`), reading votes by organisation, and the names every vote page
uses (purposes, channels). Other areas read votes through here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coop.errors import Refused
from coop.pagination import KeysetPage, keyset_page
from coop.votes import ballots as choices
from coop.votes.tables import Vote

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
    tellers_needed: int = 0
    """0: the site holds the vote's key; otherwise this many of its tellers must come to count it."""

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
    Vote.tellers_needed,
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
        tellers_needed=int(row.get("tellers_needed") or 0),
    )


def vote_from_row(row: dict[str, Any]) -> VoteInfo:
    """A vote from a row of VOTE_COLUMNS, for lists paged elsewhere (the API pages by id)."""
    return _vote_info(row)


# Read on every vote page and every cast: written out once rather than rebuilt by Piccolo each time.
_GET_VOTE = (
    "SELECT id, organisation, title, question, easy_read, kind, purpose, options, seats, secret, "
    "eligible_classes, status, opens_at, closes_at, opened_at, closed_at, board_digest, result, "
    "tellers_needed "
    "FROM vote WHERE id = {} AND organisation = {}"
)


async def get_vote(organisation_id: int, vote_id: int) -> VoteInfo | None:
    """The vote, scoped by organisation: another organisation's vote is simply not found."""
    rows = await Vote.raw(_GET_VOTE, vote_id, organisation_id)
    return _vote_info(rows[0]) if rows else None


LIST_STATES = {"open": "Open votes", "draft": "Not yet open", "closed": "Closed votes"}
PER_PAGE = 25


def _in_state(organisation_id: int, state: str, now: datetime) -> Any:
    """Votes in a state as members see it: past its closing time a vote is closed to voting, even before
    the worker has closed and counted it."""
    mine = Vote.organisation == organisation_id
    if state == "draft":
        return mine & (Vote.status == "draft")
    if state == "closed":
        return mine & ((Vote.status == "closed") | ((Vote.status == "open") & (Vote.closes_at <= now)))
    return mine & (Vote.status == "open") & (Vote.closes_at > now)


@dataclass(frozen=True, slots=True)
class VotesPage:
    page: KeysetPage
    """The page's position and links."""
    votes: list[VoteInfo]


async def votes_page(organisation_id: int, state: str, now: datetime, **position: Any) -> VotesPage:
    """One page of the organisation's votes in `state` (open, draft or closed), newest first, each item a
    VoteInfo; `position` is after=, before= or last= from the page links."""
    where = _in_state(organisation_id, state if state in LIST_STATES else "open", now)
    total = await Vote.count().where(where)
    page = await keyset_page(
        lambda: Vote.select(*VOTE_COLUMNS).where(where),
        (Vote.id,),
        total=total,
        per_page=PER_PAGE,
        descending=True,
        **position,
    )
    return VotesPage(page, [_vote_info(r) for r in page.items])


class VoteStateError(Refused):
    """A vote is not in the state an action needs; the message is safe to show (a `coop.errors.Refused`)."""


def describe_choice(vote: VoteInfo, encoded: str) -> str:
    return choices.describe(vote.kind, vote.options, encoded)
