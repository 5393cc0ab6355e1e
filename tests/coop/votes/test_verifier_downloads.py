"""V6: the independent checker (`verifier/verify_board.py`) run, as a member would, on the two files a closed
vote publishes; see tests/test_independent_verifier.py for the 1,000 generated elections."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.coop.helpers import sign_in
from tests.coop.votes.helpers import MEMBER, cast, close, make_vote, now

VERIFIER = Path(__file__).resolve().parents[3] / "verifier" / "verify_board.py"


def test_the_verifier_checks_a_real_votes_downloads(demo, client, tmp_path) -> None:
    vote_id = make_vote(
        kind="ranked", purpose="general", options=("Ann", "Bo", "Cy"), closes_in=timedelta(hours=1)
    )
    for email, choice in (
        (MEMBER, "0>1"),
        ("sofia@riverside.example", "1"),
        ("grace@riverside.example", "2>1"),
        ("kwame@riverside.example", "2>0"),
        ("ruth@riverside.example", "1>2"),
    ):
        assert cast(vote_id, email, choice).counted
    close(vote_id, when=now() + timedelta(hours=2))
    sign_in(client, MEMBER)
    board = tmp_path / "board.json"
    results = tmp_path / "results.json"
    board.write_bytes(client.get(f"/o/riverside/votes/{vote_id}/board.json").content)
    results.write_bytes(client.get(f"/o/riverside/votes/{vote_id}/results.json").content)
    ok = subprocess.run(
        [sys.executable, VERIFIER, board, results], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "matches the recount" in ok.stdout
    # Edit one ballot in the download: the checker says so and exits with status 1.
    board.write_text(board.read_text().replace('"2>1"', '"2>0"', 1))
    bad = subprocess.run(
        [sys.executable, VERIFIER, board, results], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1 and "fingerprint" in bad.stdout
