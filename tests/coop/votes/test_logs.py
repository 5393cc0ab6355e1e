"""V13: after 200 ballots cast over HTTP with marker option labels, no log holds a choice or a tracker.

The app runs as its own server process with the most logging an operator could turn on (uvicorn's access
log and every logger at DEBUG), members sign in and vote through the real pages, look their trackers up and
read the results; then the server's log (and, on PostgreSQL, the database server's log) is searched for
every marker label, every tracker and every stored choice. POST bodies must never appear either.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx

import tests.conftest
from tests.conftest import run
from tests.coop.helpers import PASSWORD
from tests.coop.votes.helpers import TRACKER_RE, close, make_vote, now

ROOT = Path(__file__).resolve().parents[3]
VOTES = 20  # x the 10 demo voters who sign in = 200 ballots


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(client: httpx.Client, url: str, data: dict[str, str]) -> httpx.Response:
    """A form post with the CSRF token (the cookie is `coop_csrftoken` when cookies are not `Secure`)."""
    if "coop_csrftoken" not in client.cookies:
        client.get("/sign-in")
    return client.post(url, data={**data, "_csrf_token": client.cookies["coop_csrftoken"]})


def _sign_in(client: httpx.Client, email: str) -> None:
    response = _post(client, "/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text[-3000:]


def _voters(vote_id: int) -> list[str]:
    """Everyone on the vote's roll who can sign in."""
    from coop.votes.tables import VoteRoll

    rows = run(
        VoteRoll.select(VoteRoll.member.person.email.as_alias("email")).where(
            (VoteRoll.vote == vote_id) & VoteRoll.member.person.is_not_null()
        )
    )
    return sorted(str(r["email"]) for r in rows)


def test_no_log_holds_a_choice_or_a_tracker(demo, db, engine_name, tmp_path):
    port = _port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    from coop.db import CoopSQLiteEngine

    env = {
        **os.environ,
        "COOP_DATABASE_URL": f"sqlite:///{db.path}"
        if isinstance(db, CoopSQLiteEngine)
        else os.environ["COOP_DATABASE_URL"],
        "COOP_BASE_URL": base,
        "COOP_SECURE_COOKIES": "false",  # plain http on loopback for the HTTP client
        "COOP_SECRET_KEY": "a log test secret key that is long enough to sign tokens",
        "COOP_ARGON2_MEMORY_KIB": "8",
    }
    command = [sys.executable, "-m", "uvicorn", "coop.app:create_app", "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "debug", "--access-log"]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    markers: list[str] = []
    trackers: list[str] = []
    try:
        with httpx.Client(base_url=base, timeout=30) as probe:
            for _ in range(600):
                with contextlib.suppress(httpx.TransportError):
                    if probe.get("/healthz").status_code == 200:
                        break
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=0.1)  # bounded pause between tries that notices an early exit
                assert server.poll() is None, log.read_text()[-3000:]
        votes = []
        for v in range(VOTES):
            options = tuple(f"ZQMARK{v:02d}{o}X" for o in "ABC")
            markers.extend(options)
            votes.append(
                make_vote(kind="single", options=options, title=f"Log test {v}", closes_in=timedelta(hours=1))
            )
        voters = _voters(votes[0])
        assert len(voters) * VOTES >= 200, voters
        for n, email in enumerate(voters):
            with httpx.Client(base_url=base, timeout=30) as client:
                _sign_in(client, email)
                for v, vote_id in enumerate(votes):
                    receipt = _post(
                        client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": str((n + v) % 3)}
                    )
                    found = TRACKER_RE.search(receipt.text)
                    assert receipt.status_code == 200 and found, receipt.text[:1500]
                    trackers.append(found.group(1))
        for vote_id in votes:
            close(vote_id, when=now() + timedelta(hours=2))
        with httpx.Client(base_url=base, timeout=30) as client:
            _sign_in(client, voters[0])
            for vote_id, tracker in zip(votes, trackers[: len(votes)], strict=True):
                looked_up = _post(client, f"/o/riverside/votes/{vote_id}/board", {"tracker": tracker})
                assert "was counted as" in looked_up.text
                assert client.get(f"/o/riverside/votes/{vote_id}/results").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert len(trackers) >= 200
    logs = {"app and access log": log.read_text()}
    cluster = tests.conftest._cluster
    if engine_name == "postgres" and cluster is not None:
        logs["database log"] = (cluster.root / "server.log").read_text(errors="replace")
    assert "POST /o/riverside/votes" in logs["app and access log"], "the access log was not on"
    plain = {t.replace("-", "") for t in trackers}
    for name, text in logs.items():
        flat = text.replace("-", "")
        assert not [m for m in markers if m in text], f"a choice label is in the {name}"
        assert not [t for t in plain if t in flat], f"a tracker is in the {name}"
        assert not re.search(r"encoded=|_csrf_token=|password=", text), f"a POST body is in the {name}"
