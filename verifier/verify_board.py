"""Check a coop vote from its two published files, with nothing but the Python standard library.

    python verifier/verify_board.py vote-12-board.json vote-12-results.json

Anyone can run this: it shares no code with coop and follows the rules as docs/votes.md states them. It
recomputes the board's SHA-256 fingerprint, checks that there are as many ballots as the result says, and
recounts single-choice, approval and ranked (instant runoff) votes round by round. A tie the rules leave to
lot is accepted when the published choice is one of the tied options. Exit status 0: everything matches.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from decimal import Decimal

Counts = dict[int, int]


def fingerprint(board: dict) -> str:
    """SHA-256 of {"vote": id, "ballots": [[tracker, choice, weight], ...] in tracker order}, compact JSON."""
    ballots = sorted(([t, c, w] for t, c, w in board["ballots"]), key=lambda b: b[0])
    text = json.dumps({"vote": board["vote"], "ballots": ballots}, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def option_numbers(choice: str) -> list[int]:
    """ "2" (single), "0,2" (approval) or "2>0>1" (ranked, best first) -> [2, 0, 1]."""
    return [int(part) for part in choice.replace(">", ",").split(",") if part]


def published(round_: dict, names: list[str]) -> Counts:
    return {names.index(name): int(Decimal(votes)) for name, votes in round_["tallies"].items()}


def check_highest(names: list[str], counts: Counts, sheet: dict, seats: int, problems: list[str]) -> None:
    """Single choice and approval: one round; the winners are `seats` options with the most votes."""
    if published(sheet["rounds"][0], names) != counts:
        problems.append(f"The published votes per option differ from the recount: {counts}.")
        return
    winners = [names.index(n) for n in sheet["elected"]]
    losers = [c for c in counts if c not in winners]
    if len(winners) != min(seats, len(names)) or len(set(winners)) != len(winners):
        problems.append(f"{len(winners)} options were declared chosen, not {min(seats, len(names))}.")
    elif losers and min(counts[c] for c in winners) < max(counts[c] for c in losers):
        problems.append("An option with more votes than a declared winner was not chosen.")


def tied_at(
    pick: Callable[..., int], counts: Counts, continuing: set[int], history: list[Counts]
) -> list[int]:
    """The options with the most (`max`) or fewest (`min`) votes, narrowed by the latest earlier round where
    they differed; more than one left means the rules decide by lot."""
    tied = [c for c in continuing if counts[c] == pick(counts.values())]
    for earlier in reversed(history[:-1]):
        if len(tied) == 1:
            break
        best = pick(earlier.get(c, 0) for c in tied)
        tied = [c for c in tied if earlier.get(c, 0) == best]
    return tied


def check_runoff(
    names: list[str], ballots: list[tuple[list[int], int]], sheet: dict, problems: list[str]
) -> None:
    """Instant runoff: each round counts every ballot for its highest continuing option; an option with
    more than half of the votes still in the count wins, otherwise the option with fewest votes is excluded
    (ties: fewest at the latest earlier round where they differed, then lot)."""
    continuing = set(range(len(names)))
    history: list[Counts] = []
    for number, round_ in enumerate(sheet["rounds"], start=1):
        counts: Counts = dict.fromkeys(continuing, 0)
        for preferences, weight in ballots:
            top = next((c for c in preferences if c in continuing), None)
            if top is not None:
                counts[top] += weight
        if published(round_, names) != counts:
            problems.append(f"Round {number}: the published votes differ from the recount {counts}.")
            return
        history.append(counts)
        threshold = sum(counts.values()) // 2 + 1
        if int(Decimal(round_["threshold"])) != threshold:
            problems.append(f"Round {number}: the threshold should be {threshold}.")
        leaders = [c for c in continuing if counts[c] >= threshold]
        if not leaders and len(continuing) <= 2:  # two left and neither past the threshold: the most wins
            leaders = tied_at(max, counts, continuing, history)
        if leaders:
            ends = round_["elected"] == sheet["elected"] and number == len(sheet["rounds"])
            if not ends or sheet["elected"] not in ([names[c]] for c in leaders):
                wanted = " or ".join(names[c] for c in leaders)
                problems.append(f"Round {number}: the count should end here, electing {wanted}.")
            return
        tied = tied_at(min, counts, continuing, history)
        excluded = [names.index(n) for n in round_["excluded"]]
        if round_["elected"] or len(excluded) != 1 or excluded[0] not in tied:
            problems.append(f"Round {number}: the option to exclude is one of {[names[c] for c in tied]}.")
            return
        continuing.discard(excluded[0])
    problems.append("The count ends before any option is elected.")


def verify(board: dict, results: dict) -> list[str]:
    """Every way the published files disagree with the recount, in words; an empty list if none."""
    problems: list[str] = []
    digest = fingerprint(board)
    if not digest == board["board_digest"] == results["board_digest"]:
        problems.append(f"The board's fingerprint is {digest}, not the published one.")
    if results["turnout"]["ballots"] != len(board["ballots"]):
        problems.append(
            f"The board holds {len(board['ballots'])} ballots; the result counts a different number."
        )
    names, kind, sheet = board["options"], board["kind"], results["sheet"]
    if list(sheet["candidates"]) != names:
        problems.append("The count sheet's options are not the board's.")
        return problems
    ballots = [(option_numbers(choice), int(weight)) for _, choice, weight in board["ballots"]]
    if kind in ("single", "approval"):
        counts: Counts = dict.fromkeys(range(len(names)), 0)
        for preferences, weight in ballots:
            for c in set(preferences):
                counts[c] += weight
        check_highest(names, counts, sheet, 1 if kind == "single" else int(board["seats"]), problems)
    elif kind == "ranked":
        check_runoff(names, ballots, sheet, problems)
    else:
        problems.append(f"This checker does not recount {kind!r} votes.")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as b, open(argv[1], encoding="utf-8") as r:
        problems = verify(json.load(b), json.load(r))
    for problem in problems:
        print("PROBLEM:", problem)
    print("The published result matches the recount." if not problems else f"{len(problems)} problem(s).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
