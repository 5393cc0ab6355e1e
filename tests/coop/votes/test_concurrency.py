"""One member, one vote under concurrency (V1): 200 simultaneous submissions by one member, through the app
in this process (many tabs) and through a real server with several worker processes. Exactly one is counted,
the rest are told "you have already voted", and nothing answers with a server error."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.coop.helpers import PASSWORD, csrf_token, sign_in
from tests.coop.votes.helpers import MEMBER, ballots, make_vote, rows
from tests.pg_cluster import free_port

SUBMISSIONS = 200


def _assert_exactly_one_counted(statuses: list[int], texts: list[str]) -> None:
    counts = Counter(statuses)
    assert counts[200] == 1, counts
    assert counts[409] == SUBMISSIONS - 1, counts
    assert not any(s >= 500 for s in statuses), counts
    assert sum("You have already voted" in t for t in texts) == SUBMISSIONS - 1
    assert len(rows("vote_participation")) == 1
    assert len(ballots()) == 1


def test_200_concurrent_ballots_from_one_member_in_one_app(demo, client):
    vote_id = make_vote()
    sign_in(client, MEMBER)
    token = csrf_token(client)
    url = f"/o/riverside/votes/{vote_id}/cast"

    def submit(i: int) -> tuple[int, str]:
        choice = ("for", "against", "abstain")[i % 3]
        response = client.post(url, data={"encoded": choice, "_csrf_token": token}, follow_redirects=False)
        return response.status_code, response.text

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(submit, range(SUBMISSIONS)))
    elapsed = time.perf_counter() - started
    _assert_exactly_one_counted([s for s, _ in results], [t for _, t in results])
    print(f"\n200 concurrent submissions, one app: {elapsed:.2f} s")


def _serve(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    coop = Path(sys.executable).parent / "coop"
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(coop), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("server did not start within 60 s")


@pytest.mark.parametrize("workers", [3])
def test_200_concurrent_ballots_from_one_member_across_worker_processes(
    demo, db, engine_name, workers, tmp_path
):
    from coop.db import CoopSQLiteEngine

    vote_id = make_vote()
    url = f"sqlite:///{db.path}" if isinstance(db, CoopSQLiteEngine) else os.environ["COOP_DATABASE_URL"]
    port = free_port()
    env = {
        **os.environ,
        "COOP_DATABASE_URL": url,
        "COOP_SECRET_KEY": "a shared secret for the workers' CSRF tokens, long enough",
        "COOP_SECURE_COOKIES": "false",
        "COOP_ARGON2_MEMORY_KIB": "8",
        "COOP_ARGON2_TIME_COST": "1",
        "COOP_ALLOWED_HOSTS": "127.0.0.1",
    }
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = _serve(env, port, workers, log)
    try:
        _wait_until_up(base, server, log)
        with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as browser:
            browser.get("/sign-in")
            token = browser.cookies["coop_csrftoken"]
            signed = browser.post(
                "/sign-in", data={"email": MEMBER, "password": PASSWORD, "_csrf_token": token}
            )
            assert signed.status_code == 303, signed.text[:500]
            cookies: dict[str, Any] = dict(browser.cookies)

        def submit(i: int) -> tuple[int, str]:
            # Each submission is its own browser tab: its own connection, the same session.
            with httpx.Client(base_url=base, cookies=cookies, timeout=60) as tab:
                response = tab.post(
                    f"/o/riverside/votes/{vote_id}/cast",
                    data={"encoded": ("for", "against")[i % 2], "_csrf_token": token},
                )
                return response.status_code, response.text

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(submit, range(SUBMISSIONS)))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in log.read_text()
    _assert_exactly_one_counted([s for s, _ in results], [t for _, t in results])
    print(f"\n200 concurrent submissions, {workers} workers on {engine_name}: {elapsed:.2f} s")
