"""The two files a closed vote publishes (board JSON and results JSON), written from a count the way coop
writes them (`coop/votes/result_controllers.py`: `board_json`, `results_json`), for tests of the stand-alone
checker `verifier/verify_board.py`. Ballots from a conformance case (a `Contest`) become board entries in
coop's stored form: option numbers best first, "2>0>1".
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coop.votes.bulletin import BoardEntry, board_digest, published_board
from coop.votes.tally import count_vote
from governance.constitution import parse_constitution
from governance.counting.meek import count_meek_stv
from governance.counting.model import Contest, RankedBallot, aggregate

CONSTITUTION = Path(__file__).resolve().parents[1] / "governance" / "constitutions" / "cic_guarantee.toml"
VOTE_ID = 7


def ranking(ranks: Sequence[Sequence[int]], keep: dict[int, int], *, stv: bool) -> list[int]:
    """A ballot's ranks as coop's ranked ballot holds them, read as coop's counters read the file: a skipped
    rank passed over (instant runoff) or ending the paper (STV), a rank with several candidates (an
    overvote) or a marker ending it, a candidate ranked again counted once, and withdrawn candidates left
    out (`keep` renumbers the candidates who stand)."""
    out: list[int] = []
    for at_rank in ranks:
        if not at_rank and not stv:
            continue
        if not at_rank:
            break
        if len(at_rank) > 1 or at_rank[0] < 0:
            break
        c = at_rank[0]
        if c in keep and keep[c] not in out:
            out.append(keep[c])
    return out


def contest_entries(contest: Contest, *, stv: bool) -> tuple[list[str], list[BoardEntry]]:
    """The contest's standing candidates and one board entry per distinct ranking (its weight the number of
    identical papers), with random trackers as coop draws them."""
    keep = {
        c: i for i, c in enumerate(c for c in range(len(contest.candidates)) if c not in contest.withdrawn)
    }
    options = [contest.candidates[c] for c in keep]
    weights: dict[str, int] = {}
    for ballot in contest.ballots:
        choice = ">".join(map(str, ranking(ballot.ranks, keep, stv=stv)))
        if choice:
            weights[choice] = weights.get(choice, 0) + ballot.weight
    rng = random.Random(len(weights))
    entries = [BoardEntry(f"{rng.getrandbits(64):016X}", choice, w) for choice, w in weights.items()]
    return options, entries


def published_files(
    *,
    kind: str,
    options: Sequence[str],
    entries: Sequence[BoardEntry],
    seats: int = 1,
    purpose: str = "general",
    seed: int = 1,
    meek: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Board and results JSON for a vote closed with these ballots. With `meek`, the STV count sheet is
    Meek's (as `coop count stv --rules meek` gives it) instead of the Scottish rules'."""
    voters = len(entries)
    result = count_vote(
        kind=kind,
        purpose=purpose,
        title="Conformance",
        options=options,
        seats=seats,
        entries=entries,
        constitution=parse_constitution(CONSTITUTION.read_text()),
        electorate=voters,
        participants=[(f"m{i}", "member") for i in range(voters)],
        by_channel={"online": voters},
        seed=seed,
    )
    if meek:
        ballots = aggregate(
            RankedBallot(tuple((int(c),) for c in e.choice.split(">")), e.weight) for e in entries
        )
        contest = Contest("Conformance", tuple(options), seats, ballots)
        result["sheet"] = count_meek_stv(contest, seed=seed).to_json()
        result["chosen"] = result["sheet"]["elected"] if result["quorum"]["met"] else []
    digest = board_digest(VOTE_ID, entries)
    public = published_board(entries)
    board: dict[str, Any] = {
        "vote": VOTE_ID,
        "title": "Conformance",
        "kind": kind,
        "options": list(options),
        "seats": seats,
        "board_digest": digest,
        "ballots": public.ballots,
    }
    if public.weight_groups:
        board["weight_groups"] = public.weight_groups
    return board, {"vote": VOTE_ID, "kind": kind, "purpose": purpose, "board_digest": digest, **result}
