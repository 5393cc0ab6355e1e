"""V3 voting load: 1,000 members cast in 10 elections at once against `coop serve` with 16 workers.

    python -m bench.vote_load [--members 1000] [--votes 10] [--workers 16] [--concurrency 64]

reliability-bar.md V3: ballots = participations in 10/10 elections, 0 lost, 0 duplicated, p95 cast latency
< 1.5 s (SQLite on 2 cores). Set-up (not timed): `coop demo` into a fresh database, then 1,000 extra members
who can sign in, each with a server-side session written the way a sign-in writes it (the sign-in page is
throttled per address, so 1,000 sign-ins from one loopback address would measure the throttle instead),
and 10 open motions whose frozen rolls include them all. The load: every member casts in every vote, the
10,000 (member, vote) pairs in a seeded random order with `--concurrency` requests in flight, each a real
`POST /o/riverside/votes/<id>/cast` with the member's session cookie and a CSRF token; then every member
tries once more in one vote (they must all be told they have already voted). Afterwards the database is
read: ballots, participations and distinct voters per vote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.http_bench import HOST, RESULTS_DIR, VENV_BIN, BenchError, Server, base_env, git_state, run_checked

DEMO_PASSWORD = "correct horse battery staple"


async def _setup(members: int, votes: int) -> dict[str, Any]:
    """Runs inside the coop environment (a subprocess): people, members, sessions and open votes."""
    from datetime import date, timedelta

    from coop.accounts.service import token_hash
    from coop.accounts.tables import LoginSession, Person
    from coop.audit.service import SYSTEM
    from coop.db import close_database, open_database, write_transaction
    from coop.members.tables import Member
    from coop.organisations.tables import Organisation
    from coop.votes.lifecycle import NewVote, create_vote, open_vote

    await open_database()
    org = await Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first()
    org_id = int(org["id"])
    moment = datetime.now(UTC)
    tokens: list[str] = [secrets.token_urlsafe(32) for _ in range(members)]
    async with write_transaction():
        people = await Person.insert(
            *(
                Person(email=f"load{i}@riverside.example", display_name=f"Load member {i}")
                for i in range(members)
            )
        ).returning(Person.id)
        await Member.insert(
            *(
                Member(
                    organisation=org_id,
                    person=int(p["id"]),
                    name=f"Load member {i}",
                    member_class="budget_holder",
                    admitted_on=date(2024, 1, 1),
                )
                for i, p in enumerate(people)
            )
        )
        await LoginSession.insert(
            *(
                LoginSession(
                    token_hash=token_hash(t),
                    person=int(p["id"]),
                    created_at=moment,
                    last_seen_at=moment,
                    expires_at=moment + timedelta(hours=12),
                    user_agent="bench.vote_load",
                )
                for t, p in zip(tokens, people, strict=True)
            )
        )
    vote_ids = []
    for v in range(votes):
        vote_id = await create_vote(
            org_id,
            NewVote(
                title=f"Load test motion {v + 1}",
                question="Should we commission this service?",
                kind="motion",
                purpose="ordinary_resolution",
                closes_at=moment + timedelta(days=1),
                easy_read="A test vote.",
                options=(),
                seats=1,
                secret=True,
            ),
            actor=SYSTEM,
        )
        await open_vote(org_id, vote_id, now=moment, actor=SYSTEM)
        vote_ids.append(vote_id)
    await close_database()  # its connection threads would otherwise keep the process alive
    return {"tokens": tokens, "votes": vote_ids}


async def _tally(vote_ids: list[int]) -> dict[str, Any]:
    from coop.db import close_database, open_database
    from coop.votes.roll import turnout
    from coop.votes.tables import VoteParticipation

    await open_database()
    out = {}
    for vote_id in vote_ids:
        voters = await VoteParticipation.select(VoteParticipation.member).where(
            VoteParticipation.vote == vote_id
        )
        out[str(vote_id)] = {
            # readable and sealed ballots alike (an open vote's ballots are sealed boxes)
            "ballots": (await turnout(vote_id)).ballots,
            "participations": len(voters),
            "distinct_voters": len({int(r["member"]) for r in voters}),
        }
    await close_database()
    return out


def _in_coop(what: str, env: dict[str, str], *args: str) -> Any:
    out = run_checked([sys.executable, "-m", "bench.vote_load", what, *args], env, 900, what)
    return json.loads(out.strip().splitlines()[-1])


async def _load(
    port: int, csrf: tuple[str, str], tokens: list[str], votes: list[int], concurrency: int, seed: int
) -> dict[str, Any]:
    import httpx

    csrf_name, csrf_value = csrf
    pairs = [(m, v) for m in range(len(tokens)) for v in votes]
    random.Random(seed).shuffle(pairs)
    again = [(m, votes[m % len(votes)]) for m in range(len(tokens))]
    choices = ("for", "against", "abstain")
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    queue: asyncio.Queue[tuple[int, int, str]] = asyncio.Queue()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=60, limits=limits) as client:

        async def cast(member: int, vote_id: int, phase: str) -> None:
            body = urlencode({"encoded": choices[(member + vote_id) % 3], "_csrf_token": csrf_value})
            headers = {
                "Host": f"{HOST}:{port}",
                "Cookie": f"{csrf_name}={csrf_value}; __Host-session={tokens[member]}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Sec-Fetch-Site": "same-origin",
            }
            start = time.perf_counter()
            response = await client.post(f"/o/riverside/votes/{vote_id}/cast", content=body, headers=headers)
            elapsed = time.perf_counter() - start
            text = response.text
            if phase == "first":
                latencies.append(elapsed)
                ok = response.status_code == 200 and "coop-tracker" in text
                statuses["counted" if ok else f"first:{response.status_code}"] += 1
            else:
                told = response.status_code == 409 and "already voted" in text
                statuses["told already voted" if told else f"again:{response.status_code}"] += 1

        async def worker() -> None:
            while True:
                member, vote_id, phase = await queue.get()
                try:
                    await cast(member, vote_id, phase)
                except httpx.HTTPError as exc:
                    statuses[f"{phase}:{type(exc).__name__}"] += 1
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
        started = time.perf_counter()
        for member, vote_id in pairs:
            queue.put_nowait((member, vote_id, "first"))
        await queue.join()
        wall = time.perf_counter() - started
        for member, vote_id in again:
            queue.put_nowait((member, vote_id, "again"))
        await queue.join()
        for task in workers:
            task.cancel()
    latencies.sort()
    return {
        "casts": len(pairs),
        "wall_s": wall,
        "casts_per_s": len(pairs) / wall,
        "latency_s": {
            "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))],
            "p99": latencies[int(0.99 * (len(latencies) - 1))],
            "max": latencies[-1],
        },
        "statuses": dict(statuses),
    }


def _csrf(port: int) -> tuple[str, str]:
    from bench.http_bench import cookies_from, http_request

    status, headers, _ = http_request(port, "GET", "/sign-in", headers={"Host": f"{HOST}:{port}"})
    cookies = cookies_from(headers)
    name = next((k for k in cookies if k.endswith("csrftoken")), None)
    if status != 200 or name is None:
        raise BenchError(f"GET /sign-in gave {status} and cookies {sorted(cookies)}")
    return name, cookies[name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--votes", type=int, default=10)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    log = lambda msg: print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    workdir = Path(tempfile.mkdtemp(prefix="coop-vote-load-"))
    env = {
        **base_env(),
        "COOP_DATABASE_URL": f"sqlite:///{workdir / 'coop.sqlite3'}",
        "COOP_SECRET_KEY": secrets.token_urlsafe(32),
        "COOP_DEMO_PASSWORD": DEMO_PASSWORD,
        "PICCOLO_CONF": "coop.piccolo_conf",
    }
    log("coop demo into a fresh SQLite database")
    run_checked([str(VENV_BIN / "coop"), "demo"], {**env, "COOP_ARGON2_MEMORY_KIB": "8192"}, 300, "coop demo")
    log(f"adding {args.members} members with sessions and opening {args.votes} motions")
    setup = _in_coop("setup", env, str(args.members), str(args.votes))
    server = Server(
        "coop", ["coop.app:create_app", "--factory"], env, workdir / "coop.log", workers=args.workers
    )
    load_avg_start = os.getloadavg()
    try:
        server.wait_ready("/healthz", timeout=120)
        log(
            f"{args.workers} workers on :{server.port}; "
            f"{args.members * args.votes:,} casts, {args.concurrency} in flight"
        )
        csrf = _csrf(server.port)
        server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
        result = asyncio.run(
            _load(server.port, csrf, setup["tokens"], setup["votes"], args.concurrency, args.seed)
        )
        # Both sides share the 2 cores: what each costs per request says where the time goes.
        requests = result["casts"] + args.members
        result["server_cpu_ms_per_request"] = (server.cpu_seconds() - server_cpu) * 1000 / requests
        result["client_cpu_ms_per_request"] = (time.process_time() - client_cpu) * 1000 / requests
    finally:
        server.stop()
    tally = _in_coop("tally", env, json.dumps(setup["votes"]))
    expected = args.members
    checks = {
        "ballots = participations in every vote": all(
            t["ballots"] == t["participations"] for t in tally.values()
        ),
        "0 lost: every counted cast is a ballot": sum(t["ballots"] for t in tally.values())
        == result["statuses"].get("counted", 0)
        == args.members * args.votes,
        "0 duplicated: one participation per member per vote": all(
            t["participations"] == t["distinct_voters"] == expected for t in tally.values()
        ),
        "every second try told 'already voted'": result["statuses"].get("told already voted", 0)
        == args.members,
        "p95 cast latency < 1.5 s": result["latency_s"]["p95"] < 1.5,
    }
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_state(),
        "args": vars(args),
        "cpus": os.cpu_count(),
        "load_average_start": load_avg_start,
        "load_average_end": os.getloadavg(),
        "result": result,
        "tally": tally,
        "checks": checks,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"vote-load-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=1))
    lat = result["latency_s"]
    print(
        f"\n{result['casts']:,} casts in {result['wall_s']:.1f} s ({result['casts_per_s']:.0f}/s), "
        f"{args.workers} workers, {args.concurrency} in flight; latency p50 {lat['p50'] * 1000:.0f} ms, "
        f"p95 {lat['p95'] * 1000:.0f} ms, p99 {lat['p99'] * 1000:.0f} ms, max {lat['max'] * 1000:.0f} ms"
    )
    print(
        f"CPU per request: server {result['server_cpu_ms_per_request']:.1f} ms (all workers), "
        f"load generator {result['client_cpu_ms_per_request']:.1f} ms"
    )
    print(f"responses: {result['statuses']}")
    for name, ok in checks.items():
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}")
    print(f"\nJSON: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("setup", "tally"):
        if sys.argv[1] == "setup":
            print(json.dumps(asyncio.run(_setup(int(sys.argv[2]), int(sys.argv[3])))))
        else:
            print(json.dumps(asyncio.run(_tally(json.loads(sys.argv[2])))))
        sys.exit(0)
    sys.exit(main())
