"""Reading the bulletin board: every ballot by its tracker (choices only once the vote has closed)."""

from __future__ import annotations

from coop.votes.bulletin import BoardEntry, sorted_board
from coop.votes.tables import Ballot


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
