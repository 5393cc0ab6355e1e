"""Where a page's server time goes: the open vote's page, the pool's "add a person" page and register page 1
(the three pages `bench/http_bench.py` loads), called in-process over ASGI with no network and no wrk.

    python -m bench.page_profile [--engine sqlite|postgres] [--requests 300] [--profile vote,pool,register]

For each page: its queries per request (every statement coop sends), the CPU and wall time per request
(medians of 5 batches, client included), and with --profile a cProfile of one batch sorted by own time and
cumulative time. The database is a fresh `coop demo` plus the benchmark's voters and their open vote
(bench/cast_setup.py; http_bench's default run adds 38,400 members), as in http_bench. PostgreSQL uses a
throwaway cluster (needs root, as http_bench does).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.http_bench import (
    DEMO_MEMBER,
    DEMO_PASSWORD,
    SECRETARY,
    VENV_BIN,
    base_env,
    postgres_cluster,
    run_checked,
)
from bench.statements import counted_statements

HOST = "testserver.local"


@contextlib.contextmanager
def database(engine: str, workdir: Path, voters: int) -> Iterator[dict[str, str]]:
    """A migrated, seeded coop database and the environment that points at it."""
    with contextlib.ExitStack() as stack:
        if engine == "postgres":
            port = stack.enter_context(postgres_cluster())
            url = f"postgresql://postgres@127.0.0.1:{port}/coop"
        else:
            url = f"sqlite:///{workdir / 'coop.sqlite3'}"
        env = {
            **base_env(),
            "COOP_DATABASE_URL": url,
            "COOP_SECRET_KEY": "a page-profile secret that is long enough to sign",
            "COOP_DEMO_PASSWORD": DEMO_PASSWORD,
            "COOP_ALLOWED_HOSTS": HOST,
            "COOP_BASE_URL": f"https://{HOST}",
            "COOP_WORKER_IN_APP": "no",
        }
        cheap = {**env, "COOP_ARGON2_MEMORY_KIB": "8192", "COOP_ARGON2_TIME_COST": "1"}
        run_checked([str(VENV_BIN / "coop"), "demo"], cheap, 300, "coop demo")
        out = run_checked(
            [sys.executable, "-m", "bench.cast_setup", str(voters), "profile"], env, 300, "vote"
        )
        env["PROFILE_VOTE_ID"] = str(json.loads(out)["vote"])
        yield env


async def signed_in(client: Any, email: str) -> None:
    page = await client.get("/sign-in")
    token = next(v for k, v in client.cookies.items() if k.endswith("csrftoken"))
    assert page.status_code == 200
    answer = await client.post(
        "/sign-in",
        data={"email": email, "password": DEMO_PASSWORD, "next": "/", "_csrf_token": token},
        headers={"Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]


async def measure(env: dict[str, str], requests: int, profile: set[str]) -> dict[str, Any]:
    os.environ.update(env)
    import httpx

    from coop.app import create_app
    from coop.settings import Settings

    settings = Settings.from_env()
    results: dict[str, Any] = {}
    app = create_app(settings)

    def client() -> httpx.AsyncClient:
        # The app runs in this thread (no test-client portal), so cProfile sees the server's work.
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"https://{HOST}")

    async with app.lifespan(), client() as member:
        await signed_in(member, DEMO_MEMBER)
        with counted_statements() as queries:
            async with client() as officer:
                await signed_in(officer, SECRETARY)
                pools = (await officer.get("/o/riverside/budgets")).text
                pool = re.search(r'href="/o/riverside/budgets/([0-9a-f-]{36})"', pools)
                assert pool is not None
                pages = {
                    "vote": (member, f"/o/riverside/votes/{env['PROFILE_VOTE_ID']}"),
                    "pool": (officer, f"/o/riverside/budgets/{pool[1]}/people"),
                    "register": (officer, "/o/riverside/register"),
                }
                for name, (client, url) in pages.items():
                    for _ in range(20):
                        assert (await client.get(url)).status_code == 200, url
                    queries.clear()
                    body = (await client.get(url)).text
                    seen = list(queries)
                    batches, walls = [], []
                    for _ in range(5):
                        start, wall = time.process_time(), time.perf_counter()
                        for _ in range(requests // 5):
                            await client.get(url)
                        batches.append((time.process_time() - start) * 1000 / (requests // 5))
                        walls.append((time.perf_counter() - wall) * 1000 / (requests // 5))
                    results[name] = {
                        "url": url,
                        "queries": len(seen),
                        "statements": seen,
                        "bytes": len(body.encode()),
                        "cpu_ms_per_request": round(statistics.median(batches), 3),
                        "wall_ms_per_request": round(statistics.median(walls), 3),
                    }
                    if name in profile:
                        # The main thread's CPU only: waiting for the database (or a busy machine) is not
                        # counted as the event loop's own time.
                        profiler = cProfile.Profile(time.thread_time)
                        profiler.enable()
                        for _ in range(requests // 5):
                            await client.get(url)
                        profiler.disable()
                        text = io.StringIO()
                        stats = pstats.Stats(profiler, stream=text)
                        text.write(own_time_by_area(stats, requests // 5))
                        stats.sort_stats("tottime").print_stats(30)
                        stats.sort_stats("cumulative").print_stats(60)
                        results[name]["profile"] = text.getvalue()
    return results


AREAS = (
    ("templates", "/templates/"),
    ("jinja2", "/jinja2/"),
    ("markupsafe", "/markupsafe/"),
    ("govuk-frontend-jinja", "/govuk_frontend_jinja/"),
    ("litestar", "/litestar/"),
    ("piccolo", "/piccolo/"),
    ("aiosqlite/asyncpg", "/aiosqlite/"),
    ("aiosqlite/asyncpg", "/asyncpg/"),
    ("httpx (the client)", "/httpx/"),
    ("httpx (the client)", "/httpcore/"),
    ("bench", "/bench/"),
    ("coop", "/coop/"),
    ("asyncio", "/asyncio/"),
)


def own_time_by_area(stats: pstats.Stats, requests: int) -> str:
    """cProfile's own time summed by where the code lives (µs a request): the layout and page templates,
    Jinja, the framework, the ORM, the driver, the test client, coop's own modules, the rest."""
    totals: dict[str, float] = {}
    for (filename, _, _), row in stats.stats.items():  # type: ignore[attr-defined]
        area = next((name for name, part in AREAS if part in filename), "other (stdlib, builtins)")
        totals[area] = totals.get(area, 0.0) + row[2]
    lines = [f"own time by area, µs a request (profiled, {requests} requests):"]
    for area, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        lines.append(f"    {area:28} {seconds * 1e6 / requests:8.0f}")
    return "\n".join(lines) + "\n\n"


def quiet() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("piccolo").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--voters", type=int, default=38_400, help="members added with the open vote (http_bench: 38,400)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures and full statements here")
    parser.add_argument("--profile", default="", help="comma-separated pages to profile: vote,pool,register")
    args = parser.parse_args(argv)
    quiet()
    with (
        tempfile.TemporaryDirectory(prefix="coop-page-profile-") as tmp,
        database(args.engine, Path(tmp), args.voters) as env,
    ):
        results = asyncio.run(measure(env, args.requests, set(filter(None, args.profile.split(",")))))
    for name, row in results.items():
        print(
            f"{name}: {row['cpu_ms_per_request']} ms CPU, {row['wall_ms_per_request']} ms wall a request, "
            f"{row['queries']} queries, {row['bytes']} bytes"
        )
        for statement in row["statements"]:
            print(f"    {statement[:160]}")
        if "profile" in row:
            print(row["profile"])
    print(f"load average {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
