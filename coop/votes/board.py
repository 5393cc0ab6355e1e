"""Reading the bulletin board: every ballot by its tracker (choices only once the vote has closed), a page
at a time for people, and the whole board as a JSON file streamed in batches for recounting."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from coop.pagination import KeysetPage, keyset_page
from coop.votes.bulletin import BoardEntry, normalise_tracker, show_tracker, sorted_board
from coop.votes.records import VoteInfo, describe_choice
from coop.votes.roll import Turnout, turnout
from coop.votes.tables import Ballot

BOARD_PAGE = 50
JSON_BATCH = 2000


async def board_entries(vote_id: int) -> list[BoardEntry]:
    """Every ballot, for counting and verifying (closing reads them all anyway)."""
    rows = await Ballot.select(Ballot.tracker, Ballot.choice, Ballot.weight).where(Ballot.vote == vote_id)
    return sorted_board(BoardEntry(r["tracker"], r["choice"], int(r["weight"])) for r in rows)


async def lookup_tracker(vote_id: int, tracker: str) -> BoardEntry | None:
    row = (
        await Ballot.select(Ballot.tracker, Ballot.choice, Ballot.weight)
        .where((Ballot.vote == vote_id) & (Ballot.tracker == tracker))
        .first()
    )
    return BoardEntry(row["tracker"], row["choice"], int(row["weight"])) if row else None


@dataclass(frozen=True, slots=True)
class BoardView:
    """One page of the board, the numbers to check it by, and a looked-up tracker."""

    turnout: Turnout
    page: KeysetPage
    """Items: tracker (in groups of four), and once closed the choice in words and its weight."""
    lookup: dict[str, Any] | None
    errors: dict[str, str]


async def board_view(vote: VoteInfo, typed: str | None, **position: Any) -> BoardView:
    """The board's page in tracker order. During voting it shows trackers only, never choices (no
    running tally). `typed`: a tracking code someone looked up (None when nobody did)."""
    closed = vote.status == "closed"
    figures = await turnout(vote.id)
    columns = (Ballot.tracker, Ballot.choice, Ballot.weight) if closed else (Ballot.tracker,)
    page = await keyset_page(
        lambda: Ballot.select(*columns).where(Ballot.vote == vote.id),
        (Ballot.tracker,),
        total=figures.ballots,
        per_page=BOARD_PAGE,
        **position,
    )
    items = [
        {
            "tracker": show_tracker(r["tracker"]),
            "choice": describe_choice(vote, r["choice"]),
            "weight": r["weight"],
        }
        if closed
        else {"tracker": show_tracker(r["tracker"])}
        for r in page.items
    ]
    page = KeysetPage(items, page.per_page, page.total, page.after, page.before, page.first, page.last)
    lookup, errors = await _lookup(vote, typed)
    return BoardView(figures, page, lookup, errors)


async def _lookup(vote: VoteInfo, typed: str | None) -> tuple[dict[str, Any] | None, dict[str, str]]:
    if typed is None:
        return None, {}
    wanted = normalise_tracker(typed)
    if not wanted:
        return None, {"tracker": "Enter your tracking code"}
    entry = await lookup_tracker(vote.id, wanted)
    closed = vote.status == "closed"
    return {
        "typed": typed,
        "found": entry is not None,
        "closed": closed,
        "choice": describe_choice(vote, entry.choice) if entry is not None and closed else None,
    }, {}


async def board_json_chunks(vote: VoteInfo) -> AsyncIterator[bytes]:
    """The closed vote's whole board as JSON (what `coop verify` and the verifier read), written out in
    batches of JSON_BATCH ballots in tracker order, so a board of any size starts at once and never sits
    whole in memory."""
    head = {
        "vote": vote.id,
        "title": vote.title,
        "kind": vote.kind,
        "options": list(vote.options),
        "seats": vote.seats,
        "board_digest": vote.board_digest,
    }
    yield (json.dumps(head, indent=1)[:-2] + ',\n "ballots": [').encode()
    after, first = "", True
    while True:
        query = Ballot.select(Ballot.tracker, Ballot.choice, Ballot.weight).where(Ballot.vote == vote.id)
        if after:
            query = query.where(Ballot.tracker > after)
        rows = await query.order_by(Ballot.tracker).limit(JSON_BATCH)
        if not rows:
            break
        text = ",".join(json.dumps([r["tracker"], r["choice"], int(r["weight"])]) for r in rows)
        yield (("\n  " if first else ",\n  ") + text).encode()
        after, first = rows[-1]["tracker"], False
    yield b"\n ]\n}\n"
