"""Counting approval elections: each approved candidate gets the ballot's weight and the top k win; blank and
approve-everyone ballots are valid (counting.md §7)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from governance.counting.model import CountError, CountSheet, Event, Round
from governance.counting.plurality import top_candidates


@dataclass(frozen=True, slots=True)
class ApprovalBallot:
    """The candidates one voter approves (empty for a blank ballot); `weight` identical ballots."""

    approved: frozenset[str]
    weight: Decimal | int = 1


def count_approval(
    candidates: Sequence[str],
    ballots: Iterable[ApprovalBallot],
    *,
    seats: int = 1,
    seed: int | None = None,
    quorum: Decimal | int | None = None,
    all_approved_counts_for_quorum: bool = True,
    title: str = "Election",
) -> CountSheet:
    """Count an approval election: the `seats` candidates approved on most ballots win.

    `quorum` is the fewest ballots (by weight) that must take part for anyone to be elected; a ballot
    approving every candidate counts toward it only if `all_approved_counts_for_quorum`. Blank ballots
    are valid but never count toward the quorum, since they express no approval.
    """
    if seats < 1:
        raise CountError("an election fills at least one seat")
    if len(set(candidates)) != len(candidates):
        raise CountError("candidate names must be unique")
    everyone = frozenset(candidates)
    tallies = {name: Decimal(0) for name in candidates}
    poll = blank = all_approved = Decimal(0)
    for ballot in ballots:
        weight = Decimal(ballot.weight)
        if weight < 0:
            raise CountError("a ballot's weight cannot be negative")
        unknown = ballot.approved - everyone
        if unknown:
            raise CountError(f"not candidates in this election: {', '.join(sorted(unknown))}")
        poll += weight
        if not ballot.approved:
            blank += weight
        elif ballot.approved == everyone:
            all_approved += weight
        for name in ballot.approved:
            tallies[name] += weight

    events: list[Event] = []
    taking_part = poll - blank - (Decimal(0) if all_approved_counts_for_quorum else all_approved)
    if quorum is not None and taking_part < Decimal(quorum):
        elected: tuple[str, ...] = ()
        lot_used = False
        events.append(
            Event("note", None, f"Not quorate: {taking_part} ballots count toward the quorum of {quorum}.")
        )
    else:
        elected, lot_events, lot_used = top_candidates(tallies, candidates, seats, seed)
        events.extend(
            Event("elected", name, f"{name} is elected with {tallies[name]} approvals.") for name in elected
        )
        events.extend(lot_events)
    if blank:
        events.append(Event("note", None, f"{blank} blank ballots were valid but approve nobody."))
    if all_approved:
        events.append(
            Event("note", None, f"{all_approved} ballots approved every candidate; they change no order.")
        )
    return CountSheet(
        method="approval",
        title=title,
        seats=seats,
        candidates=tuple(candidates),
        valid_poll=poll,
        rounds=(Round(number=1, tallies=tallies, elected=elected, events=tuple(events)),),
        elected=elected,
        seed=seed if lot_used or seed is not None else None,
        options={
            "tie_break": "lot",
            "lot_used": lot_used,
            "quorum": None if quorum is None else str(quorum),
            "all_approved_counts_for_quorum": all_approved_counts_for_quorum,
        },
    )
