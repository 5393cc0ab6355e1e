"""Facts other areas show beside a vote: a vote on buying a service shows what it costs and what the pool
can afford (coop/commissioning/funding.py). Areas register a source; votes never import them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

#: Called with (organisation id, vote id); returns None, or a dict naming the partial to show
#: ("template") and what it needs.
VoteFacts = Callable[[int, int], Awaitable[dict[str, Any] | None]]
_sources: list[VoteFacts] = []


def register_vote_facts(source: VoteFacts) -> None:
    if source not in _sources:
        _sources.append(source)


async def vote_facts(organisation_id: int, vote_id: int) -> list[dict[str, Any]]:
    found = [await source(organisation_id, vote_id) for source in _sources]
    return [facts for facts in found if facts is not None]
