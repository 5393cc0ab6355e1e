"""Weight groups for a published bulletin board: which ballots may show their weight.

A ballot's weight tells which member class cast it (an investor's vote may weigh 3, a supporter's 1), so a
weight shared by fewer than `minimum` ballots would point at the few members who hold it. The board shows a
weight against a ballot only where at least `minimum` ballots share it; smaller groups are merged with the
nearest weights until each merged group has `minimum` ballots, and a merged group publishes, for each choice
in it, only the total weight of its ballots with that choice (all a recount needs: every counting rule
coop uses treats ballots with the same choice as one pile).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MINIMUM_GROUP = 5


@dataclass(frozen=True, slots=True)
class WeightGroup:
    weights: tuple[int, ...]  # ascending
    ballots: int

    @property
    def shows_weight(self) -> bool:
        """One weight in the group: each of its ballots can be published with it."""
        return len(self.weights) == 1


def weight_groups(ballots_by_weight: Mapping[int, int], minimum: int = MINIMUM_GROUP) -> list[WeightGroup]:
    """Group the weights (weight -> how many ballots have it), lightest first. A weight with at least
    `minimum` ballots is a group of its own; lighter-populated weights join their neighbours, in weight
    order, until the group holds `minimum`; a short last group joins the one before it. When every ballot
    has one weight, that is the only group, however few the ballots (the weight then says nothing)."""
    if minimum < 1:
        raise ValueError("a group needs at least one ballot")
    groups: list[list[int]] = []
    counts: list[int] = []
    open_group: list[int] = []
    held = 0
    for weight in sorted(w for w, n in ballots_by_weight.items() if n > 0):
        count = ballots_by_weight[weight]
        if not open_group and count >= minimum:
            groups.append([weight])
            counts.append(count)
            continue
        open_group.append(weight)
        held += count
        if held >= minimum:
            groups.append(open_group)
            counts.append(held)
            open_group, held = [], 0
    if open_group:
        if groups:
            groups[-1].extend(open_group)
            counts[-1] += held
        else:
            groups.append(open_group)
            counts.append(held)
    return [WeightGroup(tuple(sorted(g)), n) for g, n in zip(groups, counts, strict=True)]


def group_of(groups: Iterable[WeightGroup]) -> dict[int, WeightGroup]:
    """Each weight's group."""
    return {w: g for g in groups for w in g.weights}
