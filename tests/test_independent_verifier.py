"""V6: `verifier/verify_board.py`, a checker that shares no code with coop, agrees with coop's published
result for 1,000 generated elections (1-500 voters, 2-12 options; motions, single choice, approval, ranked,
and STV by the Scottish and by Meek's rules), and with `coop count` on every shared conformance case of a kind
coop runs, stage by stage; it finds a changed ballot, a changed result, a removed or an extra ballot, and says
where. (tests/coop/votes/test_verifier_downloads.py runs it on each kind of real vote's two downloads.)"""

from __future__ import annotations

import ast
import copy
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop.votes.bulletin import BoardEntry
from tests.published_files import published_files

ROOT = Path(__file__).resolve().parents[1]
VERIFIER = ROOT / "verifier" / "verify_board.py"


def _load_verifier() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_board", VERIFIER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verifier = _load_verifier()


def test_the_verifier_is_small_and_uses_only_the_standard_library() -> None:
    source = VERIFIER.read_text()
    # Small enough for a member (or their accountant) to read in one sitting: every rule coop counts by.
    assert len(source.splitlines()) <= 450
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported and imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


@st.composite
def elections(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A closed vote's board and published result, as coop's own counting code declares it."""
    kind = draw(st.sampled_from(["motion", "single", "approval", "ranked", "stv"]))
    n = draw(st.integers(2, 12))
    seats = draw(st.integers(1, n - 1)) if kind in ("approval", "stv") else 1
    voters = draw(st.integers(1, 500))
    # Few distinct opinions make ties (and lots) common; many make every count different.
    popular = draw(st.integers(1, 12))
    option = st.integers(0, n - 1)
    if kind == "motion":
        opinion = st.sampled_from(["for", "against", "abstain"])
    elif kind == "single":
        opinion = option.map(str)
    elif kind == "approval":
        opinion = st.sets(option, max_size=n).map(lambda s: ",".join(map(str, sorted(s))))
    else:
        opinion = st.lists(option, min_size=1, max_size=n, unique=True).map(lambda r: ">".join(map(str, r)))
    opinions = draw(st.lists(opinion, min_size=1, max_size=popular))
    rng = draw(st.randoms(use_true_random=False))  # hypothesis-controlled, so failures shrink and replay
    entries = [
        BoardEntry(f"T{i:05d}", rng.choice(opinions), rng.choice((1, 1, 1, 2, 3))) for i in range(voters)
    ]
    return published_files(
        kind=kind,
        purpose=draw(st.sampled_from(["ordinary_resolution", "special_resolution"]))
        if kind == "motion"
        else "general",
        options=[] if kind == "motion" else [f"Option {chr(65 + i)}" for i in range(n)],
        entries=entries,
        seats=seats,
        seed=draw(st.integers(0, 2**31)),
        meek=kind == "stv" and draw(st.booleans()),
    )


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(elections())
def test_the_independent_verifier_agrees_with_every_generated_result(election: Any) -> None:
    board, results = election
    assert verifier.verify(board, results) == []


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(elections(), st.data())
def test_the_independent_verifier_finds_a_tampered_board_or_result(
    election: Any, data: st.DataObject
) -> None:
    board, results = election
    names = board["options"]
    # A changed ballot: the fingerprint no longer matches.
    changed = copy.deepcopy(board)
    i = data.draw(st.integers(0, len(changed["ballots"]) - 1))
    weight = changed["ballots"][i][2]
    # A shown weight, or the name of a merged weight group (fewer than five ballots shared that weight).
    changed["ballots"][i][2] = weight + 1 if isinstance(weight, int) else f"{weight} changed"
    assert any("fingerprint" in p for p in verifier.verify(changed, results))
    # An extra ballot, with the fingerprint recomputed to match: the number of ballots gives it away.
    extra = copy.deepcopy(board)
    extra["ballots"].append(["ZZZZ", extra["ballots"][0][1], 1])
    extra["board_digest"] = verifier.fingerprint(extra)
    forged = {**results, "board_digest": extra["board_digest"]}
    assert verifier.verify(extra, forged)
    # A removed ballot, with the fingerprint recomputed to match: the number of ballots gives it away.
    fewer = copy.deepcopy(board)
    del fewer["ballots"][i]
    fewer["board_digest"] = verifier.fingerprint(fewer)
    assert verifier.verify(fewer, {**results, "board_digest": fewer["board_digest"]})
    # A different declared winner: one with fewer votes at the end (a winner drawn by lot from a tie
    # could have been any of the tied, so those are not wrong).
    final = results["sheet"]["rounds"][-1]["tallies"]
    elected = results["sheet"]["elected"]
    fewest = min((Decimal(final[name]) for name in elected), default=None)
    behind = [
        n for n in names if n not in elected and fewest is not None and Decimal(final.get(n, "-1")) < fewest
    ]
    if behind:
        wrong = copy.deepcopy(results)
        wrong["sheet"]["elected"] = [*elected[:-1], data.draw(st.sampled_from(behind))]
        wrong["sheet"]["rounds"][-1]["elected"] = wrong["sheet"]["elected"]
        assert verifier.verify(board, wrong)
    # A changed tally in the first round.
    bumped = copy.deepcopy(results)
    first = bumped["sheet"]["rounds"][0]["tallies"]
    name = data.draw(st.sampled_from(sorted(first)))
    first[name] = str(Decimal(first[name]) + 1)
    assert verifier.verify(board, bumped)
