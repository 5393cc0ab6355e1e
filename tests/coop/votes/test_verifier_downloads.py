"""V6: the independent checker (`verifier/verify_board.py`) and the browser recount run, as a member
would, on the two files a closed vote publishes, for a vote of every kind coop runs and for the demo's
closed election; see tests/test_independent_verifier.py and tests/conformance/ for generated elections and
the shared conformance cases."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conformance.test_browser_recount import browser_recount
from tests.coop.helpers import sign_in
from tests.coop.votes.helpers import MEMBER, cast, close, make_vote, now

VERIFIER = Path(__file__).resolve().parents[3] / "verifier" / "verify_board.py"
VOTERS = (
    MEMBER,
    "sofia@riverside.example",
    "grace@riverside.example",
    "kwame@riverside.example",
    "ruth@riverside.example",
)
# kind, purpose, options, seats, each voter's ballot, and a ballot to swap in for the first one.
KINDS = {
    "motion": ("ordinary_resolution", (), 1, ("for", "against", "for", "abstain", "for"), "against"),
    "single": ("general", ("Ann", "Bo", "Cy"), 1, ("0", "1", "2", "1", "1"), "0"),
    "approval": ("general", ("Ann", "Bo", "Cy"), 2, ("0,1", "1", "", "1,2", "0,2"), "2"),
    "ranked": ("general", ("Ann", "Bo", "Cy"), 1, ("0>1", "1", "2>1", "2>0", "1>2"), "2>0"),
    "stv": ("board_election", ("Ann", "Bo", "Cy", "Di"), 2, ("0>1", "1>3", "2>1", "3>0", "1>2"), "3>2"),
}


def run_verifier(board: Path, results: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, VERIFIER, board, results], capture_output=True, text=True, check=False
    )


def download(client, vote_id: int, folder: Path) -> tuple[Path, Path]:
    board, results = folder / "board.json", folder / "results.json"
    board.write_bytes(client.get(f"/o/riverside/votes/{vote_id}/board.json").content)
    results.write_bytes(client.get(f"/o/riverside/votes/{vote_id}/results.json").content)
    return board, results


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_verifier_checks_a_real_votes_downloads(demo, client, tmp_path, kind: str) -> None:
    purpose, options, seats, ballots, swapped = KINDS[kind]
    vote_id = make_vote(
        kind=kind, purpose=purpose, options=options, seats=seats, closes_in=timedelta(hours=1)
    )
    for email, choice in zip(VOTERS, ballots, strict=True):
        assert cast(vote_id, email, choice).counted
    close(vote_id, when=now() + timedelta(hours=2))
    sign_in(client, MEMBER)
    board, results = download(client, vote_id, tmp_path)
    ok = run_verifier(board, results)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "matches the recount" in ok.stdout
    published = json.loads(board.read_text())
    (in_browser,) = browser_recount([(published, json.loads(results.read_text()))], tmp_path)
    assert in_browser["problems"] == []
    # Edit one ballot in the download (to a different first preference, so the count itself changes):
    # the fingerprint gives it away.
    first = next(b for b in published["ballots"] if b[1].split(">")[0] != swapped.split(">")[0])
    changed = {
        **published,
        "ballots": [[t, swapped if [t, c, w] == first else c, w] for t, c, w in published["ballots"]],
    }
    board.write_text(json.dumps(changed))
    bad = run_verifier(board, results)
    assert bad.returncode == 1 and "fingerprint" in bad.stdout
    # Even with the fingerprint forged to match, the recount differs from the published count.
    spec = importlib.util.spec_from_file_location("verify_board", VERIFIER)
    assert spec and spec.loader
    verify_board = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verify_board)
    changed["board_digest"] = verify_board.fingerprint(changed)
    forged = {**json.loads(results.read_text()), "board_digest": changed["board_digest"]}
    problems = verify_board.verify(changed, forged)
    assert problems and not any("fingerprint" in p for p in problems), problems
    (in_browser,) = browser_recount([(changed, forged)], tmp_path)
    assert in_browser["problems"] and not any("fingerprint" in p for p in in_browser["problems"])


def test_the_verifier_checks_the_demo_election(demo_with_votes, client, tmp_path) -> None:
    from coop.votes.tables import Vote
    from tests.conftest import run

    closed = run(Vote.select(Vote.id, Vote.kind).where(Vote.status == "closed"))
    assert {v["kind"] for v in closed} >= {"stv"}
    sign_in(client, MEMBER)
    for vote in closed:
        board, results = download(client, int(vote["id"]), tmp_path)
        ok = run_verifier(board, results)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        files = (json.loads(board.read_text()), json.loads(results.read_text()))
        assert browser_recount([files], tmp_path)[0]["problems"] == []
