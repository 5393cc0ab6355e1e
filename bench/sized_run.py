"""The sized run: a 100,000-member organisation through one whole vote, on SQLite and on PostgreSQL.

    python -m bench.sized_run [--engine sqlite|postgres|both] [--members 100000] [--share 0.1]
                              [--clients 8] [--pg-workers 2] [--rounds 3]
    python -m bench.sized_run step seed|open|close ...   # (internal) one timed step in coop's environment

For each engine: a fresh database (a SQLite file, or a throwaway PostgreSQL 15 cluster) seeded by `coop demo`,
grown to `--members` members in bounded batches, `--share` of whom are voters with a live session. Then, each
step timed with its peak memory:

1. open a vote for everyone through the real service (`coop.votes.lifecycle.open_vote`, a separate process:
   its own peak resident memory);
2. the voters cast in one burst through the real cast route, over HTTP from `--clients` concurrent clients
   (uvicorn: 1 worker on SQLite, `--pg-workers` on PostgreSQL, as docs/deploy recommends), each request a
   different voter's first ballot; the server's peak memory (all its processes) is sampled every 20 ms;
3. close and count through the real service (`coop.votes.closing.close_vote`, as the scheduled close runs it);
4. the register CSV and the board JSON downloaded through their real routes (time to first byte and to the
   end, and the server's peak memory meanwhile).

Pages are timed at that size (median of `--rounds` after a warm-up): register page 1 and last page, the
members list, the vote page while open (before and after the burst) and once closed, and the board's first
and last pages. The load average is recorded with the figures (other work on the machine slows them).
Results go to bench/results/ as JSON. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

from bench.http_bench import HOST, BenchError, Server, run_checked, sign_in
from bench.register_scale import SECRETARY, demo_database, download, engine_log, timed_get
from bench.seeding import in_database, new_vote, riverside_id, save_report

MEMBER = "jamie@riverside.example"  # a plain member on the roll: the vote page as most people see it


# ------------------------------------------------------------------------------- steps (in coop's env)


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


async def step_seed(members: int, voters: int, secret: str) -> dict[str, Any]:
    """Grow riverside to `members`: plain members (1,000-row INSERTs), then `voters` with sessions."""
    from bench.cast_setup import add_casters
    from bench.register_scale import _grow

    org = await riverside_id()
    started = time.perf_counter()
    await _grow(members - voters)
    await add_casters(org, 0, voters, secret, datetime.now(UTC))
    from coop.members.tables import Member

    total = await Member.count().where(Member.organisation == org)
    return {"seconds": round(time.perf_counter() - started, 2), "members": total, "peak_mib": _peak_mib()}


async def step_open() -> dict[str, Any]:
    from coop.audit.service import SYSTEM
    from coop.votes.lifecycle import open_vote
    from coop.votes.tables import VoteRoll

    org = await riverside_id()
    now = datetime.now(UTC)
    vote_id = await new_vote(org, "Sized run: should we commission the shared PA service?", now)
    started = time.perf_counter()
    await open_vote(org, vote_id, now=now, actor=SYSTEM)
    seconds = time.perf_counter() - started
    roll = await VoteRoll.count().where(VoteRoll.vote == vote_id)
    return {"vote": vote_id, "seconds": round(seconds, 2), "roll": roll, "peak_mib": _peak_mib()}


async def step_close(vote_id: int) -> dict[str, Any]:
    """Close as the scheduled close does (at the closing time, results queued for everyone), and count."""
    from coop.audit.service import SYSTEM
    from coop.votes.closing import close_vote
    from coop.votes.records import get_vote

    org = await riverside_id()
    vote = await get_vote(org, vote_id)
    assert vote is not None and vote.status == "open"
    started = time.perf_counter()
    closed = await close_vote(org, vote_id, now=vote.closes_at, actor=SYSTEM, notify=True)
    seconds = time.perf_counter() - started
    result = closed.result or {}
    return {
        "seconds": round(seconds, 2),
        "status": closed.status,
        "outcome": result.get("outcome"),
        "turnout": result.get("turnout"),
        "peak_mib": _peak_mib(),
    }


def run_step(argv: list[str]) -> dict[str, Any]:
    what, *rest = argv
    if what == "seed":
        return asyncio.run(in_database(lambda: step_seed(int(rest[0]), int(rest[1]), rest[2])))
    if what == "open":
        return asyncio.run(in_database(step_open))
    if what == "close":
        return asyncio.run(in_database(lambda: step_close(int(rest[0]))))
    raise SystemExit(f"unknown step {what}")


def in_coop(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = run_checked([sys.executable, "-m", "bench.sized_run", "step", *args], env, 3600, args[0])
    return dict(json.loads(out.strip().splitlines()[-1]))


# ------------------------------------------------------------------------------------------ measuring


class MemorySampler:
    """The server's resident memory (every process in its group) every 20 ms while running."""

    def __init__(self, server: Server) -> None:
        self.group = server.proc.pid
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def group_rss_kib(self) -> int:
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == self.group:
                    for line in (stat.parent / "status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.group_rss_kib())
            time.sleep(0.02)

    def __enter__(self) -> MemorySampler:
        self.before = self.group_rss_kib()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict[str, float]:
        return {
            "server_rss_before_mib": round(self.before / 1024, 1),
            "server_rss_peak_mib": round(max(self.samples, default=self.before) / 1024, 1),
        }


def page_times(port: int, pages: dict[str, tuple[str, dict[str, str]]], rounds: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (path, headers) in pages.items():
        timed_get(port, path, headers)  # warm-up
        times = []
        body = b""
        for _ in range(rounds):
            elapsed, body = timed_get(port, path, headers)
            times.append(elapsed * 1000)
        out[name] = {"ms": round(statistics.median(times), 1), "bytes": len(body)}
    return out


def cast_burst(port: int, vote_id: int, voters: int, secret: str, clients: int) -> dict[str, Any]:
    """Every voter casts once, `clients` at a time, each client on one kept-alive connection."""
    template = sign_in(port)  # a browser's CSRF cookie and header; each request carries a voter's session
    cookies = dict(part.split("=", 1) for part in template["Cookie"].split("; "))
    csrf_cookie = next(k for k in cookies if k.endswith("csrftoken"))
    session_cookie = next(k for k in cookies if k.endswith("session"))
    headers = {
        "Host": template["Host"],
        "x-csrftoken": template["x-csrftoken"],
        "Sec-Fetch-Site": "same-origin",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    path = f"/o/riverside/votes/{vote_id}/cast"
    next_voter = iter(range(voters))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    def client() -> None:
        conn = HTTPConnection(HOST, port, timeout=120)
        try:
            while True:
                with lock:
                    voter = next(next_voter, None)
                if voter is None:
                    return
                cookie = f"{csrf_cookie}={cookies[csrf_cookie]}; {session_cookie}={secret}-{voter}"
                started = time.perf_counter()
                conn.request("POST", path, body="encoded=for", headers={**headers, "Cookie": cookie})
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "casts": len(latencies),
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


# --------------------------------------------------------------------------------------------- driving


def run_engine(engine: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    log = engine_log(engine)
    out: dict[str, Any] = {"load_average_start": os.getloadavg()}
    voters = int(args.members * args.share)
    secret = secrets.token_hex(8)
    with contextlib.ExitStack() as stack:
        # The vote's private keys in the scratch folder (on PostgreSQL they would go to the current folder).
        keys = str(workdir / f"vote-keys-{engine}")
        env = demo_database(engine, workdir, stack, log, COOP_VOTE_KEY_DIR=keys)
        log(f"seeding {args.members:,} members, {voters:,} of them voters with sessions")
        out["seed"] = in_coop(env, "seed", str(args.members), str(voters), secret)
        log(f"seeded: {out['seed']}; opening a vote")
        out["open"] = in_coop(env, "open")
        vote_id = out["open"]["vote"]
        log(f"opened: {out['open']}")
        workers = args.pg_workers if engine == "postgres" else 1
        log_path = workdir / f"coop-{engine}.log"
        server = Server("coop", ["coop.app:create_app", "--factory"], env, log_path, workers=workers)
        stack.callback(server.stop)
        server.wait_ready("/healthz")
        out["workers"] = workers
        port = server.port
        secretary = {k: v for k, v in sign_in(port, SECRETARY).items() if k in ("Host", "Cookie")}
        member = {k: v for k, v in sign_in(port, MEMBER).items() if k in ("Host", "Cookie")}
        vote = f"/o/riverside/votes/{vote_id}"
        lists = {
            "register page 1": ("/o/riverside/register", secretary),
            "register last page": ("/o/riverside/register?page=last", secretary),
            "members list": ("/o/riverside/members", secretary),
        }
        out["pages_before_burst"] = page_times(
            port, {**lists, "vote page (open)": (vote, member)}, args.rounds
        )
        log(f"pages: {out['pages_before_burst']}; {voters:,} casts from {args.clients} clients")
        with MemorySampler(server) as memory:
            out["cast"] = cast_burst(port, vote_id, voters, secret, args.clients)
        out["cast"] |= memory.figures()
        log(f"cast: {out['cast']}")
        out["pages_after_burst"] = page_times(
            port, {"vote page (open)": (vote, member), "board page 1 (open)": (f"{vote}/board", member)}, 3
        )
        log("closing and counting")
        out["close"] = in_coop(env, "close", str(vote_id))
        log(f"closed: {out['close']}")
        out["pages_closed"] = page_times(
            port,
            {
                **lists,
                "vote page (closed)": (vote, member),
                "board page 1": (f"{vote}/board", member),
                "board last page": (f"{vote}/board?page=last", member),
            },
            args.rounds,
        )
        log(f"pages: {out['pages_closed']}")
        for name, path, headers in (
            ("register_csv", "/o/riverside/register/export.csv", secretary),
            ("board_json", f"{vote}/board.json", member),
        ):
            with MemorySampler(server) as memory:
                got = download(port, path, headers)
            out[name] = {
                "first_byte_ms": round(got["first_byte_s"] * 1000, 1),
                "total_s": round(got["total_s"], 2),
                "mb": round(got["bytes"] / 1e6, 1),
                **memory.figures(),
            }
            log(f"{name}: {out[name]}")
    out["load_average_end"] = os.getloadavg()
    return out


def print_report(report: dict[str, Any]) -> None:
    for engine, r in report["engines"].items():
        print(
            f"\n{engine} ({r['seed']['members']:,} members, {r['workers']} worker(s)); load average "
            f"{r['load_average_start'][0]:.1f} at start, {r['load_average_end'][0]:.1f} at end"
        )
        print(f"  seed      {r['seed']['seconds']:>8} s   peak {r['seed']['peak_mib']} MiB")
        print(
            f"  open      {r['open']['seconds']:>8} s   peak {r['open']['peak_mib']} MiB "
            f"(roll {r['open']['roll']:,})"
        )
        c = r["cast"]
        print(
            f"  cast      {c['seconds']:>8} s   {c['casts']:,} casts, {c['per_second']}/s, "
            f"p50 {c['p50_ms']} ms, "
            f"p99 {c['p99_ms']} ms, statuses {c['statuses']}; server peak {c['server_rss_peak_mib']} MiB"
        )
        print(
            f"  close     {r['close']['seconds']:>8} s   peak {r['close']['peak_mib']} MiB "
            f"({r['close']['outcome']})"
        )
        for name in ("register_csv", "board_json"):
            d = r[name]
            print(
                f"  {name:9s} {d['total_s']:>8} s   first byte {d['first_byte_ms']} ms, {d['mb']} MB; server "
                f"{d['server_rss_before_mib']} -> peak {d['server_rss_peak_mib']} MiB"
            )
        for stage in ("pages_before_burst", "pages_after_burst", "pages_closed"):
            for page, f in r[stage].items():
                print(f"  {stage:18s} {page:22s} {f['ms']:>8} ms {f['bytes']:>9,} bytes")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["step"]:
        print(json.dumps(run_step(argv[1:])))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=0.1, help="the share of members who vote in the burst")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pg-workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the server and cluster
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    report: dict[str, Any] = {
        "members": args.members,
        "share": args.share,
        "clients": args.clients,
        "engines": {},
    }
    with tempfile.TemporaryDirectory(prefix="coop-sized-run-") as tmp:
        for engine in engines:
            try:
                report["engines"][engine] = run_engine(engine, args, Path(tmp))
            except BenchError as error:
                print(f"{engine}: {error}", file=sys.stderr)
                raise
    out = save_report(report, "sized-run")
    print_report(report)
    print(f"\nfull record: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
