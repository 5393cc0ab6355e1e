"""The API's lists against the pages that show the same records, measured side by side in one run.

    python -m bench.api_vs_pages [--engine sqlite|postgres|both] [--rounds 3] [--duration 5] [--members 1000]
    python -m bench.api_vs_pages token                 # (internal) a read token for the secretary

For each engine: coop migrated and seeded by `coop demo` and its organisation grown to --members register
entries (bench.register_scale's seeding), served by one uvicorn process with bench.http_bench's flags. The
secretary signs in for the pages and holds a read-only API token for the API. Each pair below is the same
records as an HTML page and as `/api/v1/` JSON (the page's page size); every request of a pair is checked
to answer 200, the pairs are interleaved in every round, the API/page throughput ratio is taken per round
and its median reported. Issue #21's goal: every API list within 20 % of its page (ratio >= 0.80). That
the queries of both do not grow with the number of items is tested in tests/coop/api/test_query_counts.py
and tests/coop/members/test_register_scale.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.http_bench import (
    HOST,
    RESULTS_DIR,
    ROOT,
    BenchError,
    Endpoint,
    Server,
    http_request,
    lua_script,
    postgres_available,
    run_checked,
    run_wrk,
)
from bench.register_scale import SECRETARY, demo_database, engine_log, sign_in_as_secretary

GOAL = 0.80  # API within 20 % of its page
ORG = "/o/riverside"
API = "/api/v1/orgs/riverside"
# (name, page, API list of the same records with the page's page size)
PAIRS = [
    ("register of members", f"{ORG}/register", f"{API}/members?limit=50"),
    ("votes", f"{ORG}/votes", f"{API}/votes?limit=50"),
    ("audit log", f"{ORG}/audit", f"{API}/audit-events?limit=50"),
    ("meetings", f"{ORG}/meetings", f"{API}/meetings?limit=20"),
]


async def make_token() -> str:
    """A read-only token for the secretary, made through the service as the account page makes one."""
    os.environ.setdefault("PICCOLO_CONF", "coop.piccolo_conf")
    from coop.accounts.tables import Person
    from coop.api.tokens import NewToken, create_token
    from coop.audit.service import Actor
    from coop.db import close_database, open_database

    await open_database(use_pool=False)
    try:
        person = await Person.select(Person.id).where(Person.email == SECRETARY).first()
        assert person is not None, "run `coop demo` first"
        new = NewToken(name="bench", organisation_slug="riverside", can_write=False, lifetime_days=1)
        return await create_token(int(person["id"]), new, Actor(int(person["id"])))
    finally:
        await close_database()


def _endpoints(port: int, cookies: dict[str, str], token: str) -> list[tuple[str, Endpoint, Endpoint]]:
    api_headers = {"Host": f"{HOST}:{port}", "Authorization": f"Bearer {token}"}
    pairs = []
    for name, page, api in PAIRS:
        key = name.replace(" ", "_")
        pairs.append(
            (
                name,
                Endpoint(f"page_{key}", "coop", "GET", page, dict(cookies)),
                Endpoint(f"api_{key}", "coop", "GET", api, api_headers),
            )
        )
    return pairs


def _check(port: int, ep: Endpoint) -> int:
    status, _, body = http_request(port, "GET", ep.path, headers=ep.headers)
    if status != 200:
        raise BenchError(f"GET {ep.path} gave {status}: {body[:300]!r}")
    return len(body)


def _rps(port: int, ep: Endpoint, script: Path, duration: int, connections: int) -> float:
    data = run_wrk(port, ep, script, duration, connections)
    if data["n4xx"] or data["n5xx"] or data["n3xx"]:
        raise BenchError(f"{ep.key}: {data['n3xx']} 3xx, {data['n4xx']} 4xx, {data['n5xx']} 5xx")
    return float(data["requests"] / (data["duration_us"] / 1e6))


def bench_engine(
    engine: str, args: argparse.Namespace, workdir: Path, stack: contextlib.ExitStack
) -> dict[str, Any]:
    log = engine_log(engine)
    env = demo_database(engine, workdir, stack, log, COOP_API_REQUESTS_PER_MINUTE=str(10**9))
    seed = [sys.executable, "-m", "bench.register_scale", "seed", "--members", str(args.members)]
    log(f"{run_checked(seed, env, 3600, 'seed').strip()} members")
    token = run_checked([sys.executable, "-m", "bench.api_vs_pages", "token"], env, 120, "token").strip()
    server = Server("coop", ["coop.app:create_app", "--factory"], env, workdir / f"coop-{engine}.log")
    stack.callback(server.stop)
    server.wait_ready("/healthz")
    pairs = _endpoints(server.port, sign_in_as_secretary(server.port), token)
    scripts = {}
    for _, page, api in pairs:
        for ep in (page, api):
            scripts[ep.key] = workdir / f"{engine}-{ep.key}.lua"
            scripts[ep.key].write_text(lua_script(ep))
    sizes = {ep.key: _check(server.port, ep) for _, page, api in pairs for ep in (page, api)}
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in pairs}
    for r in range(args.rounds + 1):  # round 0 warms up and is not counted
        for name, page, api in pairs:
            duration = 1 if r == 0 else args.duration
            page_rps = _rps(server.port, page, scripts[page.key], duration, args.connections)
            api_rps = _rps(server.port, api, scripts[api.key], duration, args.connections)
            if r:
                rounds[name].append({"page_rps": page_rps, "api_rps": api_rps, "ratio": api_rps / page_rps})
                log(f"round {r}: {name}: page {page_rps:.0f}/s, API {api_rps:.0f}/s")
    return {
        name: {
            "page": page.path,
            "api": api.path,
            "page_bytes": sizes[page.key],
            "api_bytes": sizes[api.key],
            "page_rps": round(statistics.median(x["page_rps"] for x in rounds[name]), 1),
            "api_rps": round(statistics.median(x["api_rps"] for x in rounds[name]), 1),
            "ratio": round(statistics.median(x["ratio"] for x in rounds[name]), 2),
            "rounds": rounds[name],
        }
        for name, page, api in pairs
    }


def print_report(report: dict[str, Any]) -> bool:
    ok = True
    for engine, pairs in report["engines"].items():
        print(f"\n{engine}, {report['members']:,} members: API list vs the page of the same records (median)")
        print(f"  {'records':22s}{'page/s':>10}{'API/s':>10}{'API/page':>10}  goal >= {GOAL:.2f}")
        for name, row in pairs.items():
            passed = row["ratio"] >= GOAL
            ok &= passed
            verdict = "ok" if passed else "BELOW"
            print(f"  {name:22s}{row['page_rps']:>10}{row['api_rps']:>10}{row['ratio']:>10}  {verdict}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", nargs="?", default="run", choices=["run", "token"])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per endpoint per round")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the server and cluster
    if args.command == "token":
        print(asyncio.run(make_token()))
        return 0
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    if "postgres" in engines and not postgres_available():
        print("PostgreSQL cannot be started here (needs root and initdb): SQLite only", file=sys.stderr)
        engines.remove("postgres")
    started = time.time()
    report: dict[str, Any] = {"members": args.members, "rounds": args.rounds, "engines": {}}
    report["load_average_at_start"] = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="coop-api-bench-") as tmp:
        for engine in engines:
            with contextlib.ExitStack() as stack:
                report["engines"][engine] = bench_engine(engine, args, Path(tmp), stack)
    report["load_average_at_end"] = os.getloadavg()
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"api-vs-pages-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2))
    ok = print_report(report)
    load = report["load_average_at_end"]
    print(f"\n{time.time() - started:.0f} s; load average {load}; JSON: {out.relative_to(ROOT)}")
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main())
