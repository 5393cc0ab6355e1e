"""The real ballot cast, in process: `POST /o/riverside/votes/<id>/cast` driven straight through coop's ASGI
app (no server, no sockets), each request a different voter's first ballot, with the statements each cast
sends counted and, with `--profile`, a cProfile of the app's own time.

    python -m bench.cast_profile [--engine sqlite|postgres] [--casts 2000] [--profile] [--top 40]

The database is set up as `bench/http_bench.py` does it (a fresh SQLite file or a throwaway PostgreSQL
cluster, `coop demo`, then `bench/cast_setup.py` for the voters and their sessions). Every response must be
the receipt page (200); the run stops otherwise. Time is the app's CPU and wall time per cast, one cast at
a time (no concurrency), so it shows where a cast's own work goes, not how casts queue.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.http_bench import DEMO_PASSWORD, VENV_BIN, base_env, postgres_cluster, run_checked
from bench.statements import counted_statements

HOST = "127.0.0.1"


async def _call(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """One request through the ASGI app; the status, the response headers (last of each) and the body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        "client": (HOST, 50000),
        "server": (HOST, 8000),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    out: dict[str, Any] = {"status": 0, "headers": {}, "body": b""}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            for k, v in message.get("headers", []):
                name = k.decode("latin-1").lower()
                out["headers"][name] = out["headers"].get(name, "") + v.decode("latin-1") + "\n"
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return out["status"], out["headers"], out["body"]


async def drive(args: argparse.Namespace, env: dict[str, str], vote_id: int, secret: str) -> dict[str, Any]:
    os.environ.update(env)
    from coop.app import create_app

    app = create_app()
    async with app.lifespan():
        status, headers, _ = await _call(app, "GET", "/sign-in", {"Host": HOST})
        cookie = next(line for line in headers["set-cookie"].splitlines() if "csrftoken" in line)
        csrf_name, csrf = cookie.split(";", 1)[0].split("=", 1)
        assert status == 200, status

        with counted_statements() as statements:
            path = f"/o/riverside/votes/{vote_id}/cast"
            body = b"encoded=for"

            async def cast(n: int) -> None:
                status, _, page = await _call(
                    app,
                    "POST",
                    path,
                    {
                        "Host": HOST,
                        "Cookie": f"{csrf_name}={csrf}; __Host-session={secret}-{n}",
                        "x-csrftoken": csrf,
                        "Sec-Fetch-Site": "same-origin",
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Content-Length": str(len(body)),
                    },
                    body,
                )
                if status != 200:
                    raise SystemExit(f"cast {n} answered {status}: {page[:2000]!r}")

            for n in range(args.warmup):
                await cast(n)
            statements.clear()
            await cast(args.warmup)
            per_cast = list(statements)
            profiler = cProfile.Profile() if args.profile else None
            first = args.warmup + 1
            cpu0, wall0 = time.process_time(), time.perf_counter()
            if profiler is not None:
                profiler.enable()
            numbers = iter(range(first, first + args.casts))

            async def client() -> None:
                for n in numbers:
                    await cast(n)

            await asyncio.gather(*(client() for _ in range(args.concurrency)))
            if profiler is not None:
                profiler.disable()
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    result = {
        "casts": args.casts,
        "cpu_ms_per_cast": 1000 * cpu / args.casts,
        "wall_ms_per_cast": 1000 * wall / args.casts,
        "statements_per_cast": len(per_cast),
        "statements": per_cast,
    }
    if profiler is not None:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(args.sort).print_stats(args.top)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--casts", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument(
        "--concurrency", type=int, default=1, help="casts in flight at once (in-process clients)"
    )
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop, as the server does")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="coop-cast-profile-"))
    try:
        with contextlib.ExitStack() as stack:
            if args.engine == "postgres":
                port = stack.enter_context(postgres_cluster())
                url = f"postgresql://postgres@{HOST}:{port}/coop"
            else:
                url = f"sqlite:///{workdir / 'coop.sqlite3'}"
            env = {
                **base_env(),
                "COOP_DATABASE_URL": url,
                "COOP_SECRET_KEY": secrets.token_urlsafe(32),
                "COOP_DEMO_PASSWORD": DEMO_PASSWORD,
                "COOP_VOTE_KEY_DIR": str(workdir / "vote-keys"),
                "COOP_WORKER_IN_APP": "no",
            }
            run_checked(
                [str(VENV_BIN / "coop"), "demo"],
                {**env, "COOP_ARGON2_MEMORY_KIB": "8192", "COOP_ARGON2_TIME_COST": "1"},
                300,
                "coop demo",
            )
            secret = secrets.token_hex(8)
            voters = args.casts + args.warmup + 1
            out = run_checked(
                [sys.executable, "-m", "bench.cast_setup", str(voters), secret], env, 900, "voters"
            )
            vote_id = json.loads(out)["vote"]
            if args.uvloop:
                import uvloop

                result = uvloop.run(drive(args, env, vote_id, secret))
            else:
                result = asyncio.run(drive(args, env, vote_id, secret))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"{args.engine}: {result['casts']} casts ({args.concurrency} at once), "
        f"{result['cpu_ms_per_cast']:.2f} ms CPU and {result['wall_ms_per_cast']:.2f} ms wall a cast, "
        f"{result['statements_per_cast']} statements a cast; "
        f"load average {os.getloadavg()}"
    )
    for s in result["statements"]:
        print("  ", " ".join(s.split())[:220])
    return 0


if __name__ == "__main__":
    sys.exit(main())
