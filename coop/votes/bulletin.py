"""The bulletin board: every ballot as tracker -> choice, sorted by tracker, and its SHA-256 digest.

The digest covers the vote's id and every (tracker, choice, weight) in tracker order, as canonical JSON, so
changing, adding or removing any ballot changes it. A weight shared by fewer than five ballots is not shown
against its ballots (it would point at the few members of a weighted class): those ballots carry the name of
their merged weight group, whose total weight per choice is published instead. The digest is written to the
vote, to the audit log and to the email members get at close; `coop verify` recomputes it from the stored
ballots.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from governance.weight_groups import WeightGroup, group_of, weight_groups

TRACKER_BYTES = 16  # 128 bits
TRACKER_LENGTH = 26


def new_tracker() -> str:
    """128 random bits from the operating system, as 26 base32 letters and digits (no padding)."""
    return base64.b32encode(secrets.token_bytes(TRACKER_BYTES)).decode().rstrip("=")


def normalise_tracker(text: str) -> str:
    """What a member typed (any case, spaces or dashes between groups) as a stored tracker."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def show_tracker(tracker: str) -> str:
    """Groups of four, easier to read aloud and copy: ABCD-EFGH-..."""
    return "-".join(tracker[i : i + 4] for i in range(0, len(tracker), 4))


@dataclass(frozen=True, slots=True)
class BoardEntry:
    tracker: str
    choice: str
    weight: int = 1


def sorted_board(entries: Iterable[BoardEntry]) -> list[BoardEntry]:
    return sorted(entries, key=lambda e: e.tracker)


@dataclass(frozen=True, slots=True)
class PublishedBoard:
    """The board as published: each ballot with its weight, or with the name of its merged weight group
    (governance/weight_groups.py), and each merged group's total weight per choice."""

    ballots: list[list[str | int]]
    weight_groups: list[dict[str, Any]]

    def weight_shown(self) -> dict[str, int | None]:
        """Each tracker's weight as the board shows it (None: in a merged group)."""
        return {str(b[0]): b[2] if isinstance(b[2], int) else None for b in self.ballots}


def weight_labels(ballots_by_weight: Mapping[int, int]) -> dict[int, int | str]:
    """What the board shows for each weight: the weight itself, or its merged group's name."""
    groups = weight_groups(ballots_by_weight)
    names = group_names(groups)
    return {w: names.get(g, w) for w, g in group_of(groups).items()}


def group_names(groups: Iterable[WeightGroup]) -> dict[WeightGroup, str]:
    return {g: f"group {i}" for i, g in enumerate((g for g in groups if not g.shows_weight), start=1)}


def merged_group(name: str, group: WeightGroup, totals: Mapping[str, int]) -> dict[str, Any]:
    """A merged weight group as the board publishes it (the digest covers this exact form)."""
    return {
        "name": name,
        "weights": list(group.weights),
        "ballots": group.ballots,
        # pairs, not an object: some choices ("2") look like numbers, which JavaScript would reorder
        "totals": sorted([c, w] for c, w in totals.items()),
    }


def published_board(entries: Iterable[BoardEntry]) -> PublishedBoard:
    ordered = sorted_board(entries)
    groups = weight_groups(Counter(e.weight for e in ordered))
    names = group_names(groups)
    of = group_of(groups)
    totals: dict[WeightGroup, dict[str, int]] = {g: {} for g in names}
    ballots: list[list[str | int]] = []
    for e in ordered:
        group = of[e.weight]
        if group in names:
            totals[group][e.choice] = totals[group].get(e.choice, 0) + e.weight
        ballots.append([e.tracker, e.choice, names.get(group, e.weight)])
    return PublishedBoard(ballots, [merged_group(name, g, totals[g]) for g, name in names.items()])


def canonical_board(vote_id: int, entries: Iterable[BoardEntry]) -> str:
    """The exact text the digest covers (also what the JSON download of the board contains). With every
    weight shown (the usual case) it is {"vote", "ballots"}; merged weight groups add "weight_groups"."""
    board = published_board(entries)
    body: dict[str, Any] = {"vote": vote_id, "ballots": board.ballots}
    if board.weight_groups:
        body["weight_groups"] = board.weight_groups
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True)


def board_digest(vote_id: int, entries: Iterable[BoardEntry]) -> str:
    return hashlib.sha256(canonical_board(vote_id, entries).encode()).hexdigest()
