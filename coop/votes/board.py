"""Reading the bulletin board: every ballot by its tracker (choices only once the vote has closed), a page
at a time for people, and the whole board as a JSON file streamed in batches for recounting."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Sum

from coop.pagination import KeysetPage, keyset_page
from coop.votes import sealed_store
from coop.votes.bulletin import (
    BoardEntry,
    group_names,
    merged_group,
    normalise_tracker,
    show_tracker,
    sorted_board,
    weight_labels,
)
from coop.votes.records import VoteInfo, describe_choice
from coop.votes.roll import Turnout, turnout
from coop.votes.tables import Ballot, SealedBallotRow
from governance.weight_groups import weight_groups

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
    """The board's page. While the vote is open it is quiet: the sealed ballots' fingerprints in order and
    how many there are, never a choice or a weight (coop/votes/sealed_store.py). After close: trackers in
    order with choices, and weights only where the published board shows them (weight groups).
    `typed`: a code someone looked up (None when nobody did)."""
    closed = vote.status == "closed"
    figures = await turnout(vote.id)
    sealed = not closed and await sealed_store.public_key_of(vote.id) is not None
    table: Any = SealedBallotRow if sealed else Ballot
    key = table.fingerprint if sealed else table.tracker
    columns = (Ballot.tracker, Ballot.choice, Ballot.weight) if closed else (key,)
    page = await keyset_page(
        lambda: table.select(*columns).where(table.vote == vote.id),
        (key,),
        total=figures.ballots,
        per_page=BOARD_PAGE,
        **position,
    )
    labels = await _weight_labels(vote.id) if closed else {}
    items = [
        {
            "tracker": show_tracker(r["tracker"]),
            "choice": describe_choice(vote, r["choice"]),
            "weight": _shown(labels, int(r["weight"])),
        }
        if closed
        else {"tracker": show_tracker(r[key._meta.db_column_name])}
        for r in page.items
    ]
    page = KeysetPage(items, page.per_page, page.total, page.after, page.before, page.first, page.last)
    lookup, errors = await _lookup(vote, typed)
    return BoardView(figures, page, lookup, errors)


def _shown(labels: dict[int, int | str], weight: int) -> int | None:
    """The weight the board shows against a ballot, or None for a ballot in a merged weight group."""
    label = labels.get(weight)
    return label if isinstance(label, int) else None


async def _weight_labels(vote_id: int) -> dict[int, int | str]:
    """Each weight as the board shows it (bulletin.weight_labels), from one aggregate."""
    rows = await Ballot.raw(_WEIGHTS, vote_id)
    return weight_labels({int(r["weight"]): int(r["n"]) for r in rows})


_WEIGHTS = "SELECT weight, COUNT(*) AS n FROM vote_ballot WHERE vote = {} GROUP BY weight"


async def _lookup(vote: VoteInfo, typed: str | None) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """A tracker after close; while open, a sealed ballot's fingerprint (the tracker is sealed inside)."""
    if typed is None:
        return None, {}
    wanted = normalise_tracker(typed)
    if not wanted:
        return None, {"tracker": "Enter your tracking code or your sealed ballot's fingerprint"}
    closed = vote.status == "closed"
    entry = await lookup_tracker(vote.id, wanted)
    found = entry is not None or (not closed and await sealed_store.fingerprint_recorded(vote.id, wanted))
    return {
        "typed": typed,
        "found": found,
        "closed": closed,
        "choice": describe_choice(vote, entry.choice) if entry is not None and closed else None,
    }, {}


async def board_json_chunks(vote: VoteInfo) -> AsyncIterator[bytes]:
    """The board as JSON, written out in batches of JSON_BATCH in key order, so a board of any size starts
    at once and never sits whole in memory. While the vote is open: the sealed ballots' fingerprints and
    how many. After close, what `coop verify`, the verifier and the browser recount read, exactly as the
    digest covers it (bulletin.canonical_board): each ballot with its weight or its weight group's name,
    then the merged weight groups."""
    head: dict[str, Any] = {"vote": vote.id, "title": vote.title, "kind": vote.kind}
    if vote.status != "closed":
        count = await sealed_store.sealed_count(vote.id)
        head |= {"status": "open", "ballots_so_far": count}
        yield (json.dumps(head, indent=1)[:-2] + ',\n "sealed_ballots": [').encode()
        async for text in _batches(SealedBallotRow, SealedBallotRow.fingerprint, vote.id, lambda r: r):
            yield text
        yield b"\n ]\n}\n"
        return
    head |= {"options": list(vote.options), "seats": vote.seats, "board_digest": vote.board_digest}
    yield (json.dumps(head, indent=1)[:-2] + ',\n "ballots": [').encode()
    labels = await _weight_labels(vote.id)
    async for text in _batches(Ballot, Ballot.tracker, vote.id, lambda r: [r[0], r[1], labels[r[2]]]):
        yield text
    groups = await _merged_groups(vote.id, labels)
    yield (b"\n ]" + (b',\n "weight_groups": ' + json.dumps(groups).encode() if groups else b"") + b"\n}\n")


async def _batches(table: Any, key: Any, vote_id: int, shape: Any) -> AsyncIterator[bytes]:
    """Rows of one vote in key order, JSON_BATCH at a time, as JSON list items."""
    columns = (key,) if table is SealedBallotRow else (Ballot.tracker, Ballot.choice, Ballot.weight)
    name = key._meta.db_column_name
    after, first = "", True
    while True:
        query = table.select(*columns).where(table.vote == vote_id)
        if after:
            query = query.where(key > after)
        rows = await query.order_by(key).limit(JSON_BATCH)
        if not rows:
            break
        values = [
            r[name] if len(columns) == 1 else [r["tracker"], r["choice"], int(r["weight"])] for r in rows
        ]
        text = ",".join(json.dumps(shape(v)) for v in values)
        yield (("\n  " if first else ",\n  ") + text).encode()
        after, first = rows[-1][name], False


@dataclass(frozen=True, slots=True)
class PublishedPage:
    """Up to `size` ballots of a closed vote's published board after a tracker, in board order, each as
    [tracker, choice, weight or weight group's name]; the merged weight groups; whether more follow."""

    ballots: list[list[Any]]
    weight_groups: list[dict[str, Any]]
    more: bool


async def published_page(vote_id: int, after: str, size: int) -> PublishedPage:
    """One page of the published board by key (the tracker), with the weight labels and merged groups from
    aggregates: the same few queries for a board of ten ballots or a million."""
    counts = await _weight_counts(vote_id)
    labels = weight_labels(counts)
    query = Ballot.select(Ballot.tracker, Ballot.choice, Ballot.weight).where(Ballot.vote == vote_id)
    if after:
        query = query.where(Ballot.tracker > after)
    rows = await query.order_by(Ballot.tracker).limit(size + 1)
    ballots = [[r["tracker"], r["choice"], labels[int(r["weight"])]] for r in rows[:size]]
    groups = await _merged_groups(vote_id, labels, counts)
    return PublishedPage(ballots, groups, len(rows) > size)


async def _weight_counts(vote_id: int) -> dict[int, int]:
    return {int(r["weight"]): int(r["n"]) for r in await Ballot.raw(_WEIGHTS, vote_id)}


async def _merged_groups(
    vote_id: int, labels: dict[int, int | str], counts: dict[int, int] | None = None
) -> list[dict[str, Any]]:
    """Each merged weight group's total weight per choice, by one aggregate per group."""
    groups = weight_groups(counts if counts is not None else await _weight_counts(vote_id))
    out = []
    for group, name in group_names(groups).items():
        totals = (
            await Ballot.select(Ballot.choice, Sum(Ballot.weight, alias="total"))
            .where((Ballot.vote == vote_id) & Ballot.weight.is_in(list(group.weights)))
            .group_by(Ballot.choice)
        )
        out.append(merged_group(name, group, {r["choice"]: int(r["total"]) for r in totals}))
    return out
