"""Facts other areas show beside a vote: a vote on buying a service shows what it costs and what the pool
can afford (coop/commissioning/funding.py). Areas register a source; votes never import them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coop.votes.records import VoteInfo

#: Called with (organisation id, vote id); returns None, or a dict naming the partial to show
#: ("template") and what it needs.
VoteFacts = Callable[[int, int], Awaitable[dict[str, Any] | None]]
_sources: list[tuple[VoteFacts, tuple[str, ...] | None]] = []


def register_vote_facts(source: VoteFacts, *, purposes: tuple[str, ...] | None = None) -> None:
    """Add a source; with `purposes`, it is asked only about votes for those purposes (so other votes'
    pages make no query for it)."""
    if all(existing is not source for existing, _ in _sources):
        _sources.append((source, purposes))


async def vote_facts(vote: VoteInfo) -> list[dict[str, Any]]:
    found = [
        await source(vote.organisation_id, vote.id)
        for source, purposes in _sources
        if purposes is None or vote.purpose in purposes
    ]
    return [facts for facts in found if facts is not None]
