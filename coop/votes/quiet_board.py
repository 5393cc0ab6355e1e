"""The bulletin board as members see it: quiet while the vote is open, everything once it has closed.

While the vote is open the board lists only the sealed ballots' fingerprints and how many there are (plus
the trackers of readable ballots in votes opened before ballots were sealed), never a choice or a weight.
After close it lists every tracker with its choice, and a weight only where the published board shows
one (weight groups, `bulletin.published_board`). A member's code is looked up the same way in both: a
fingerprint while the vote is open, a tracker after it closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coop.votes.board import board_entries, board_trackers, lookup_tracker
from coop.votes.bulletin import normalise_tracker, published_board
from coop.votes.records import VoteInfo
from coop.votes.sealed_store import fingerprint_recorded, sealed_fingerprints


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the board says about a code a member typed: `found`, and once closed the choice (encoded)."""

    typed: str
    found: bool
    closed: bool
    choice: str | None = None


async def recorded_codes(vote_id: int) -> list[str]:
    """While the vote is open: every sealed ballot's fingerprint (and any readable ballot's tracker)."""
    return sorted([*await sealed_fingerprints(vote_id), *await board_trackers(vote_id)])


async def lookup_code(vote: VoteInfo, typed: str) -> Lookup:
    code = normalise_tracker(typed)
    if vote.status == "closed":
        entry = await lookup_tracker(vote.id, code)
        return Lookup(typed, entry is not None, True, entry.choice if entry else None)
    found = await fingerprint_recorded(vote.id, code) or await lookup_tracker(vote.id, code) is not None
    return Lookup(typed, found, False)


async def closed_board(vote: VoteInfo) -> list[dict[str, Any]]:
    """After close: every ballot as (tracker, choice, weight shown or None), in tracker order."""
    entries = await board_entries(vote.id)
    shown = published_board(entries).weight_shown()
    return [{"tracker": e.tracker, "choice": e.choice, "weight": shown[e.tracker]} for e in entries]


async def board_file(vote: VoteInfo) -> dict[str, Any]:
    """The board as a JSON download: while open, the fingerprints and the count; after close, what the
    digest covers (ballots with weights or weight groups) and the digest."""
    head: dict[str, Any] = {"vote": vote.id, "title": vote.title, "kind": vote.kind}
    if vote.status != "closed":
        codes = await recorded_codes(vote.id)
        return {**head, "status": "open", "ballots_so_far": len(codes), "sealed_ballots": codes}
    board = published_board(await board_entries(vote.id))
    body = {
        **head,
        "options": list(vote.options),
        "seats": vote.seats,
        "board_digest": vote.board_digest,
        "ballots": board.ballots,
    }
    if board.weight_groups:
        body["weight_groups"] = board.weight_groups
    return body
