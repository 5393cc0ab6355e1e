"""The register at scale: the demo organisation grown to 1,000 and then 100,000 members (bounded-batch
inserts), its register pages, members list, pool "add a person" page and the full CSV export timed over
HTTP against a real server (uvicorn, 1 worker, as bench/http_bench.py runs coop), on SQLite and PostgreSQL.

    python -m bench.register_scale [--engine sqlite|postgres|both] [--sizes 1000,100000] [--rounds 5]
    python -m bench.register_scale seed --members N    # (internal) grow the demo organisation to N

Per size: each page is fetched `rounds` times after one warm-up and the median is reported; the CSV is
downloaded `rounds` times (time to the first byte, total time, size), the server's resident memory is
sampled every 20 ms during the downloads, and the members list is timed while a download is running (on
SQLite one slow request used to hold up every other page). Results go to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

from bench.http_bench import (
    DEMO_PASSWORD,
    HOST,
    VENV_BIN,
    BenchError,
    Server,
    base_env,
    http_request,
    postgres_available,
    postgres_cluster,
    run_checked,
    sign_in,
)
from bench.seeding import in_database, riverside_id, save_report

SECRETARY = "helen@riverside.example"  # sees the register and the pools in the demo organisation
SEED_BATCH = 1_000  # rows per INSERT: 8 values each, well under PostgreSQL's 32,767 parameters


# ------------------------------------------------------------------------------------------- seeding


async def seed(members: int) -> int:
    """Grow the demo organisation `riverside` to `members` entries, SEED_BATCH rows per transaction."""
    return await in_database(lambda: _grow(members))


async def _grow(members: int) -> int:
    from coop.db import write_transaction
    from coop.members.tables import Member

    org_id = await riverside_id()
    have = await Member.count().where(Member.organisation == org_id)
    for start in range(have, members, SEED_BATCH):
        async with write_transaction():
            await Member.insert(
                *(
                    Member(
                        organisation=org_id,
                        name=f"Bench member {i:06d}",
                        member_class="budget_holder",
                        admitted_on=date(2024, 1, 1),
                        address=f"{i} Long Road\nRiverside",
                        contact_by="post",
                    )
                    for i in range(start, min(start + SEED_BATCH, members))
                )
            )
    return int(await Member.count().where(Member.organisation == org_id))


# ----------------------------------------------------------------------------------------------- HTTP


def sign_in_as_secretary(port: int) -> dict[str, str]:
    """The cookies of a signed-in secretary, for plain page GETs (no htmx header: whole pages)."""
    return {k: v for k, v in sign_in(port, SECRETARY).items() if k in ("Host", "Cookie")}


def timed_get(port: int, path: str, headers: dict[str, str]) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, _, body = http_request(port, "GET", path, headers=headers)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise BenchError(f"GET {path} gave {status}: {body[:300]!r}")
    return elapsed, body


def download(port: int, path: str, headers: dict[str, str]) -> dict[str, float]:
    """Time to the first body byte and to the last, reading the stream as a client would."""
    conn = HTTPConnection(HOST, port, timeout=600)
    try:
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter() - started
        size = len(first)
        while chunk := response.read(1 << 16):
            size += len(chunk)
        if response.status != 200:
            raise BenchError(f"GET {path} gave {response.status}")
        return {"first_byte_s": first_byte, "total_s": time.perf_counter() - started, "bytes": size}
    finally:
        conn.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(server: Server, headers: dict[str, str], rounds: int) -> dict[str, Any]:
    port = server.port
    first = timed_get(port, "/o/riverside/register", headers)[1].decode()
    after = re.search(r'href="(/o/riverside/register\?after=[^"]+)" rel="next"', first)
    pools = timed_get(port, "/o/riverside/budgets", headers)[1].decode()
    pool = re.search(r'href="/o/riverside/budgets/([0-9a-f-]{36})"', pools)
    pages = {
        "register page 1": "/o/riverside/register",
        "register page 2": after.group(1).replace("&amp;", "&") if after else "/o/riverside/register",
        "register last page": "/o/riverside/register?page=last",
        "register search (a name)": "/o/riverside/register?q=member+012345",
        "register search (entry number)": "/o/riverside/register?q=54321",
        "index of names, last page": "/o/riverside/register/index?page=last",
        "printable register (500)": "/o/riverside/register/print",
        "members list page 1": "/o/riverside/members",
        "members list last page": "/o/riverside/members?page=last",
    }
    if pool:
        pages["pool: add a person"] = f"/o/riverside/budgets/{pool.group(1)}/people"
        pages["pool: add a person, search"] = f"/o/riverside/budgets/{pool.group(1)}/people?q=member+0999"
    result: dict[str, Any] = {"pages_ms": {}, "page_bytes": {}}
    for name, path in pages.items():
        timed_get(port, path, headers)  # warm-up
        times, body = [], b""
        for _ in range(rounds):
            elapsed, body = timed_get(port, path, headers)
            times.append(elapsed * 1000)
        result["pages_ms"][name] = round(statistics.median(times), 1)
        result["page_bytes"][name] = len(body)

    samples: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                samples.append(rss_kib(server.proc.pid))
            time.sleep(0.02)

    rss_before = rss_kib(server.proc.pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    downloads = [download(port, "/o/riverside/register/export.csv", headers) for _ in range(rounds)]
    # Another page while a download is running (same worker).
    during: list[float] = []
    runner = threading.Thread(
        target=lambda: downloads.append(download(port, "/o/riverside/register/export.csv", headers))
    )
    runner.start()
    time.sleep(0.2)
    while runner.is_alive() and len(during) < 20:
        during.append(timed_get(port, "/o/riverside/members", headers)[0] * 1000)
    runner.join()
    stop.set()
    sampler.join()
    result["csv"] = {
        "first_byte_ms": round(statistics.median(d["first_byte_s"] for d in downloads) * 1000, 1),
        "total_s": round(statistics.median(d["total_s"] for d in downloads), 2),
        "bytes": downloads[0]["bytes"],
        "server_rss_before_mib": round(rss_before / 1024, 1),
        "server_rss_peak_mib": round(max(samples, default=rss_before) / 1024, 1),
        "members_list_during_export_ms": round(statistics.median(during), 1) if during else None,
    }
    return result


# ------------------------------------------------------------------------------------------- driving


def engine_log(engine: str) -> Callable[[str], None]:
    return lambda msg: print(f"[{datetime.now(UTC):%H:%M:%S}] {engine}: {msg}", file=sys.stderr, flush=True)


def demo_database(
    engine: str, workdir: Path, stack: contextlib.ExitStack, log: Callable[[str], None], **extra: str
) -> dict[str, str]:
    """A database for coop on `engine` (a throwaway PostgreSQL cluster, or a SQLite file in `workdir`),
    migrated and seeded by `coop demo`; returns the environment a coop server needs to use it."""
    if engine == "postgres":
        log("starting a throwaway PostgreSQL cluster")
        url = f"postgresql://postgres@{HOST}:{stack.enter_context(postgres_cluster())}/coop"
    else:
        url = f"sqlite:///{workdir / 'coop.sqlite3'}"
    env = {**base_env(), "COOP_DATABASE_URL": url, "COOP_SECRET_KEY": secrets.token_urlsafe(32), **extra}
    env["COOP_DEMO_PASSWORD"] = DEMO_PASSWORD
    log("migrating and seeding the demo (coop demo)")
    setup_env = {**env, "COOP_ARGON2_MEMORY_KIB": "8192", "COOP_ARGON2_TIME_COST": "1"}
    run_checked([str(VENV_BIN / "coop"), "demo"], setup_env, 300, "coop demo")
    return env


def bench_engine(
    engine: str, sizes: list[int], rounds: int, workdir: Path, stack: contextlib.ExitStack
) -> dict[str, Any]:
    log = engine_log(engine)
    env = demo_database(engine, workdir, stack, log)
    results: dict[str, Any] = {}
    for size in sizes:
        started = time.perf_counter()
        out = run_checked(
            [sys.executable, "-m", "bench.register_scale", "seed", "--members", str(size)], env, 3600, "seed"
        )
        log(f"{out.strip()} members after {time.perf_counter() - started:.1f} s of seeding")
        server = Server(
            "coop", ["coop.app:create_app", "--factory"], env, workdir / f"coop-{engine}-{size}.log"
        )
        try:
            server.wait_ready("/healthz")
            results[str(size)] = measure(server, sign_in_as_secretary(server.port), rounds)
        finally:
            server.stop()
        log(json.dumps(results[str(size)]))
    return results


def print_report(report: dict[str, Any]) -> None:
    for engine, by_size in report["engines"].items():
        sizes = list(by_size)
        print(f"\n{engine}: median ms per page at " + ", ".join(f"{int(s):,}" for s in sizes) + " members")
        for page in by_size[sizes[0]]["pages_ms"]:
            print(f"  {page:34s}" + "".join(f"{by_size[s]['pages_ms'][page]:>10}" for s in sizes))
        for s in sizes:
            c = by_size[s]["csv"]
            print(
                f"  CSV at {int(s):,}: first byte {c['first_byte_ms']} ms, all {c['total_s']} s, "
                f"{c['bytes'] / 1e6:.1f} MB; server RSS {c['server_rss_before_mib']} -> peak "
                f"{c['server_rss_peak_mib']} MiB; "
                f"members list during it {c['members_list_during_export_ms']} ms"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", nargs="?", default="run", choices=["run", "seed"])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--members", type=int, default=100_000, help="seed: grow the organisation to this")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    # Stopped from outside: still stop the server and the PostgreSQL cluster on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.command == "seed":
        print(asyncio.run(seed(args.members)))
        return 0
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    if "postgres" in engines and not postgres_available():
        print("PostgreSQL cannot be started here (needs root and initdb): SQLite only", file=sys.stderr)
        engines.remove("postgres")
    sizes = sorted(int(s) for s in args.sizes.split(","))
    report: dict[str, Any] = {"sizes": sizes, "rounds": args.rounds, "engines": {}}
    with tempfile.TemporaryDirectory(prefix="coop-register-bench-") as tmp:
        for engine in engines:
            with contextlib.ExitStack() as stack:
                report["engines"][engine] = bench_engine(engine, sizes, args.rounds, Path(tmp), stack)
    out = save_report(report, "register-scale")
    print_report(report)
    print(f"\nfull record: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
