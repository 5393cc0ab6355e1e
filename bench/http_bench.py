"""HTTP benchmark: coop's endpoints as ratios against the anchor app, measured side by side in one run.

    python -m bench.http_bench [--engine sqlite|postgres|both] [--rounds 3] [--duration 10] [--connections 32]
                               [--pg-workers 4]

For each database engine: a fresh database for the anchor app (bench/anchor_app.py) and one for coop
(migrated and seeded by `coop demo`), both served by uvicorn with the same flags (uvloop, httptools, no
access log; 1 worker on SQLite, `--pg-workers` on PostgreSQL, as docs/operating.md recommends), each in
its own process group on its own loopback port. coop's write endpoint is
loaded with a real signed-in session and CSRF token. Endpoints are interleaved in every round; ratios are
taken per round and the median is reported (docs/performance-bar.md §3.1, §4.1). Every process started here
is stopped on the way out, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"

UVICORN_FLAGS = [
    "--host",
    HOST,
    "--workers",
    "1",
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--no-access-log",
    "--log-level",
    "warning",
    "--no-proxy-headers",
    "--no-server-header",
]

DEMO_PASSWORD = "correct horse battery staple"
DEMO_MEMBER = "jamie@riverside.example"  # a plain member of the demo CIC
SECRETARY = "helen@riverside.example"  # sees the register and manages the demo's pools
WARMUP_SECONDS = 2
VOTER_RPS = 1200  # first-time voters made per second of cast load (the run stops if they run out)
SETTLE_SECONDS = 0.5  # poll the row count until requests in flight when wrk stopped have finished
SETTLE_MAX_SECONDS = 15

# Targets: the ballot cast's are issue #19's (gated); the floors are docs/performance-bar.md §4.3's.
HELLO_FLOOR_RPS = 3000  # below this the run is too noisy to judge: rerun it
SQLITE_WRITE_VS_STOCK = 1.0  # the cast against the stock-Piccolo insert, SQLite
SQLITE_WRITE_P99_MS = 300.0  # worst round, at `--connections` (32)
PG_WRITE_VS_INSERT = 0.5  # the cast against the bare insert, PostgreSQL (gated when the cluster runs)
WRITE_FLOOR_RPS = 350
WRITE_FLOOR_P99_MS = {"sqlite": 200.0, "postgres": 150.0}
PAGE_VS_ANCHOR = 0.40  # G3: the later goal for DB-backed pages, reported only
PAGE_FLOOR_RPS = 400
PAGE_FLOOR_P99_MS = 150.0

# Done() prints one JSON line with wrk's own counters; response() counts status classes exactly
# (wrk's "Non-2xx or 3xx" counter ignores 3xx, and a lost session would answer 303).
LUA_COMMON = r"""
n2xx, n3xx, n4xx, n5xx = 0, 0, 0, 0
response = function(status, headers, body)
  if status < 300 then n2xx = n2xx + 1
  elseif status < 400 then n3xx = n3xx + 1
  elseif status < 500 then n4xx = n4xx + 1
  else n5xx = n5xx + 1 end
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local c = {0, 0, 0, 0}
  for _, t in ipairs(threads) do
    c[1] = c[1] + t:get("n2xx"); c[2] = c[2] + t:get("n3xx")
    c[3] = c[3] + t:get("n4xx"); c[4] = c[4] + t:get("n5xx")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p75_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %.1f, "n2xx": %d, "n3xx": %d, "n4xx": %d, "n5xx": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, c[1], c[2], c[3], c[4]))
end
"""


class BenchError(RuntimeError):
    """Setup failed (a server did not start, sign-in failed, ...)."""


@dataclass
class Endpoint:
    key: str  # e.g. "anchor_page"
    app: str  # "anchor" or "coop"
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    rows_table: bool = False  # check rows written == 2xx (anchor inserts)
    cookie_format: str | None = None  # Lua format for a per-request Cookie (%d: the request's voter)


@dataclass
class WrkResult:
    endpoint: str
    round: int
    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    n2xx: int
    n3xx: int
    n4xx: int
    n5xx: int
    socket_errors: dict[str, int]
    rows_written: int | None = None
    raw: str = ""


# ---------------------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def base_env() -> dict[str, str]:
    """The caller's environment without any COOP_* / PERF_* / PICCOLO_* settings that could leak in."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("COOP_", "PERF_", "PICCOLO_"))}


def run_checked(cmd: list[str], env: dict[str, str], timeout: float, what: str) -> str:
    proc = subprocess.run(
        cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise BenchError(f"{what} failed ({proc.returncode}): {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return proc.stdout


class Server:
    """One uvicorn process in its own process group; stopped by signalling exactly that group."""

    def __init__(
        self, name: str, target: list[str], env: dict[str, str], log_path: Path, *, workers: int = 1
    ) -> None:
        self.name = name
        self.port = free_port()
        if port_open(self.port):
            raise BenchError(f"port {self.port} is busy")
        self.log = log_path.open("wb")
        flags = list(UVICORN_FLAGS)
        flags[flags.index("--workers") + 1] = str(workers)
        cmd = [str(VENV_BIN / "uvicorn"), *target, "--port", str(self.port), *flags]
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.log_path = log_path

    def wait_ready(self, probe: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"{self.name} exited ({self.proc.returncode}): {self.log_path.read_text()[-2000:]}"
                )
            try:
                status, _, _ = http_request(self.port, "GET", probe)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"{self.name} did not answer on port {self.port} within {timeout:.0f} s")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def cpu_seconds(self) -> float:
        """User + system CPU used so far by the live processes of this server's group (master and workers)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process has gone
            if int(fields[2]) == self.proc.pid:  # field 5, the process group, counted after the name
                total += int(fields[11]) + int(fields[12])  # fields 14 and 15: utime and stime
        return total / tick

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        else:
            # The leader is gone; make sure nothing it started lingers in its group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


@contextlib.contextmanager
def postgres_cluster() -> Iterator[int]:
    """A throwaway PostgreSQL 15 cluster on a free loopback port with a private socket directory."""
    # Its own folder under /tmp (the work folder is private to root, and postgres must reach this one).
    pgdir = Path(tempfile.mkdtemp(prefix="coop-bench-pg-"))
    shutil.chown(pgdir, "postgres", "postgres")
    data = pgdir / "data"
    port = free_port()
    runuser = ["runuser", "-u", "postgres", "--"]
    env = base_env()
    pidfile = data / "postmaster.pid"
    try:
        run_checked(
            [
                *runuser,
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            env,
            120,
            "initdb",
        )
        run_checked(
            [
                *runuser,
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(pgdir / "pg.log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {port} -k {pgdir} -c listen_addresses={HOST} -c max_connections=200",
                "start",
            ],
            env,
            90,
            "pg_ctl start",
        )
        for db in ("perf", "coop"):
            run_checked(
                [str(PG_BIN / "createdb"), "-h", HOST, "-p", str(port), "-U", "postgres", db],
                env,
                30,
                f"createdb {db}",
            )
        yield port
    finally:
        if pidfile.exists():
            pid = int(pidfile.read_text().split()[0])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)  # fast shutdown of this cluster only
            for _ in range(300):
                if not pidfile.exists():
                    break
                time.sleep(0.1)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(pgdir, ignore_errors=True)


def postgres_available() -> bool:
    return os.geteuid() == 0 and (PG_BIN / "initdb").exists() and shutil.which("runuser") is not None


# ---------------------------------------------------------------------------------------------------------
# HTTP helpers (no cookie jar: coop's cookies are Secure/__Host-, and we talk plain http on loopback)


def http_request(
    port: int, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def cookies_from(headers: list[tuple[str, str]]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {k: m.value for k, m in jar.items()}


def sign_in(port: int, email: str = DEMO_MEMBER) -> dict[str, str]:
    """Sign in as a demo member over HTTP; return the headers a browser would send on an htmx POST."""
    host = f"{HOST}:{port}"
    status, headers, _ = http_request(port, "GET", "/sign-in", headers={"Host": host})
    cookies = cookies_from(headers)
    csrf_name = next((k for k in cookies if k.endswith("csrftoken")), None)
    if status != 200 or csrf_name is None:
        raise BenchError(f"GET /sign-in gave {status} and cookies {sorted(cookies)}")
    csrf = cookies[csrf_name]
    form = urlencode({"email": email, "password": DEMO_PASSWORD, "next": "/", "_csrf_token": csrf})
    status, headers, body = http_request(
        port,
        "POST",
        "/sign-in",
        body=form,
        headers={
            "Host": host,
            "Cookie": f"{csrf_name}={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    session = {k: v for k, v in cookies_from(headers).items() if k.endswith("session")}
    if status != 303 or not session:
        raise BenchError(f"POST /sign-in gave {status}, cookies {sorted(session)}: {body[:300]!r}")
    cookie = "; ".join([f"{csrf_name}={csrf}", *(f"{k}={v}" for k, v in session.items())])
    write_headers = {
        "Host": host,
        "Cookie": cookie,
        "x-csrftoken": csrf,
        "Sec-Fetch-Site": "same-origin",
        "HX-Request": "true",  # the timeout warning's button is an htmx POST; it gets the fragment
    }
    status, _, body = http_request(port, "POST", "/account/stay-signed-in", headers=write_headers)
    if status != 200:
        raise BenchError(f"POST /account/stay-signed-in gave {status}: {body[:300]!r}")
    return write_headers


def lua_script(endpoint: Endpoint, first_voter: int = 0) -> str:
    """The wrk script; an endpoint with `cookie_format` sends each request as the next voter, from
    `first_voter` on (each cast is a voter's first and only ballot)."""
    lines = [f'wrk.method = "{endpoint.method}"']
    if endpoint.cookie_format is not None:
        lines += [
            f"voter = {first_voter - 1}",
            "request = function()",
            "  voter = voter + 1",
            f'  wrk.headers["Cookie"] = string.format({json.dumps(endpoint.cookie_format)}, voter)',
            "  return wrk.format()",
            "end",
        ]
    if endpoint.body is not None:
        lines.append(f"wrk.body = {json.dumps(endpoint.body)}")
    for name, value in endpoint.headers.items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    return "\n".join(lines) + "\n" + LUA_COMMON


def run_wrk(port: int, endpoint: Endpoint, script: Path, duration: int, connections: int) -> dict[str, Any]:
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "2s",
        "-s",
        str(script),
        f"http://{HOST}:{port}{endpoint.path}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if proc.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({proc.returncode}): {proc.stdout[-1000:]}{proc.stderr[-1000:]}")
    data: dict[str, Any] = json.loads(line[len("WRKJSON ") :])
    data["raw"] = "\n".join(ln for ln in proc.stdout.splitlines() if not ln.startswith("WRKJSON "))
    return data


# ---------------------------------------------------------------------------------------------------------
# Row counts for the anchor's inserts


class RowCounter:
    def __init__(self, engine: str, sqlite_path: Path | None = None, pg_port: int | None = None) -> None:
        self.engine = engine
        self.sqlite_path = sqlite_path
        self.pg_port = pg_port

    def count(self) -> int:
        if self.engine == "sqlite":
            assert self.sqlite_path is not None
            with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30)) as conn:
                return int(conn.execute("SELECT count(*) FROM ballot").fetchone()[0])
        return asyncio.run(self._pg_count())

    async def _pg_count(self) -> int:
        import asyncpg

        conn = await asyncpg.connect(host=HOST, port=self.pg_port, user="postgres", database="perf")
        try:
            return int(await conn.fetchval("SELECT count(*) FROM ballot"))
        finally:
            await conn.close()


def settled_count(counter: RowCounter) -> int:
    """The row count once requests still in flight when wrk stopped have finished (stable twice in a row).

    Without this, slow stragglers (the stock SQLite path has p99 > 1 s) land in the next run's count."""
    last = counter.count()
    stable = 0
    for _ in range(int(SETTLE_MAX_SECONDS / SETTLE_SECONDS)):
        time.sleep(SETTLE_SECONDS)
        now = counter.count()
        stable = stable + 1 if now == last else 0
        last = now
        if stable >= 2:
            break
    return last


# ---------------------------------------------------------------------------------------------------------
# One engine: setup, rounds, ratios


def git_state() -> dict[str, Any]:
    """The commit measured, and which files differed from it (others edit the same checkout)."""

    def git(*args: str) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
        return proc.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "modified": git("status", "--porcelain", "--untracked-files=no").splitlines(),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bench_engine(
    engine: str, args: argparse.Namespace, workdir: Path, stack: contextlib.ExitStack
) -> dict[str, Any]:
    log = lambda msg: print(f"[{datetime.now(UTC):%H:%M:%S}] {engine}: {msg}", file=sys.stderr, flush=True)  # noqa: E731
    env = base_env()
    anchor_env = {**env, "PERF_DB": engine}
    pg_port = None
    if engine == "postgres":
        log("starting a throwaway PostgreSQL cluster")
        pg_port = stack.enter_context(postgres_cluster())
        anchor_env["PERF_PG_PORT"] = str(pg_port)
        coop_url = f"postgresql://postgres@{HOST}:{pg_port}/coop"
        counter = RowCounter(engine, pg_port=pg_port)
    else:
        anchor_env["PERF_SQLITE_PATH"] = str(workdir / "anchor.sqlite3")
        coop_url = f"sqlite:///{workdir / 'coop.sqlite3'}"
        counter = RowCounter(engine, sqlite_path=workdir / "anchor.sqlite3")

    log("creating the anchor ballot table")
    run_checked([sys.executable, "-m", "bench.anchor_app", "init"], anchor_env, 120, "anchor init")

    coop_env = {
        **env,
        "COOP_DATABASE_URL": coop_url,
        "COOP_SECRET_KEY": secrets.token_urlsafe(32),
        "COOP_DEMO_PASSWORD": DEMO_PASSWORD,
    }
    log("migrating and seeding coop (coop demo, cheap argon2 for setup only)")
    run_checked(
        [str(VENV_BIN / "coop"), "demo"],
        {**coop_env, "COOP_ARGON2_MEMORY_KIB": "8192", "COOP_ARGON2_TIME_COST": "1"},
        300,
        "coop demo",
    )

    # Enough first-time voters for every cast request of the run at up to VOTER_RPS requests a second.
    voters = VOTER_RPS * (WARMUP_SECONDS + args.rounds * args.duration)
    voter_secret = secrets.token_hex(8)
    log(f"adding {voters} voters with sessions and opening a vote for them (bench/cast_setup.py)")
    vote_id = json.loads(
        run_checked(
            [sys.executable, "-m", "bench.cast_setup", str(voters), voter_secret], coop_env, 900, "voters"
        )
    )["vote"]

    # SQLite: one worker (coop's writer is per process; docs/operating.md). PostgreSQL: several, for both.
    workers = args.pg_workers if engine == "postgres" else 1
    anchor = Server(
        "anchor", ["bench.anchor_app:app"], anchor_env, workdir / f"anchor-{engine}.log", workers=workers
    )
    stack.callback(anchor.stop)
    coop = Server(
        "coop",
        ["coop.app:create_app", "--factory"],
        coop_env,
        workdir / f"coop-{engine}.log",
        workers=workers,
    )
    stack.callback(coop.stop)
    anchor.wait_ready("/hello")
    coop.wait_ready("/healthz")
    log(f"anchor on :{anchor.port}, coop on :{coop.port} ({workers} worker(s) each); signing in")
    write_headers = sign_in(coop.port)
    cookies = dict(part.split("=", 1) for part in write_headers["Cookie"].split("; "))
    csrf_cookie = next(k for k in cookies if k.endswith("csrftoken"))
    session_cookie = next(k for k in cookies if k.endswith("session"))

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    vote_url = f"/o/riverside/votes/{vote_id}"
    page_headers = {"Host": write_headers["Host"], "Cookie": write_headers["Cookie"]}
    cast_headers = {k: v for k, v in write_headers.items() if k not in ("Cookie", "HX-Request")}
    # The register and the pool's "add a person" page, signed in as the demo's secretary (who manages it).
    officer = sign_in(coop.port, SECRETARY)
    officer_headers = {"Host": officer["Host"], "Cookie": officer["Cookie"]}
    status, _, pools = http_request(coop.port, "GET", "/o/riverside/budgets", headers=officer_headers)
    pool = re.search(r'href="/o/riverside/budgets/([0-9a-f-]{36})"', pools.decode())
    if status != 200 or pool is None:
        raise BenchError(f"GET /o/riverside/budgets gave {status} and no pool link")
    endpoints = [
        Endpoint("anchor_hello", "anchor", "GET", "/hello"),
        Endpoint("anchor_page", "anchor", "GET", "/page"),
        # G3: the open vote's own page, signed in as a member on its roll.
        Endpoint("coop_vote_page", "coop", "GET", vote_url, page_headers),
        Endpoint("coop_pool_page", "coop", "GET", f"/o/riverside/budgets/{pool[1]}/people", officer_headers),
        Endpoint("coop_register_page", "coop", "GET", "/o/riverside/register", officer_headers),
        Endpoint("anchor_ballot", "anchor", "POST", "/ballot", form, "choice=yes", rows_table=True),
    ]
    if engine == "sqlite":
        endpoints.append(
            Endpoint(
                "anchor_ballot_persist_full",
                "anchor",
                "POST",
                "/ballot_persist_full",
                form,
                "choice=yes",
                rows_table=True,
            )
        )
    # The real ballot cast, each request a different voter's first ballot (the receipt page).
    endpoints.append(
        Endpoint(
            "coop_cast",
            "coop",
            "POST",
            f"{vote_url}/cast",
            {**cast_headers, **form},
            "encoded=for",
            cookie_format=f"{csrf_cookie}={cookies[csrf_cookie]}; {session_cookie}={voter_secret}-%d",
        )
    )

    scripts: dict[str, Path] = {}
    for ep in endpoints:
        scripts[ep.key] = workdir / f"{engine}-{ep.key}.lua"
        scripts[ep.key].write_text(lua_script(ep))
    servers = {"anchor": anchor, "coop": coop}
    next_voter = 0

    def one(ep: Endpoint, duration: int, round_no: int) -> WrkResult:
        nonlocal next_voter
        server = servers[ep.app]
        before = counter.count() if ep.rows_table else None
        if ep.cookie_format is not None:
            scripts[ep.key].write_text(lua_script(ep, next_voter))
        data = run_wrk(server.port, ep, scripts[ep.key], duration, args.connections)
        if ep.cookie_format is not None:
            # Requests wrk sent but never counted (in flight at its stop) used voters too.
            next_voter += data["requests"] + args.connections
            if next_voter > voters:
                raise BenchError(f"{ep.key} ran out of first-time voters ({voters}): raise VOTER_RPS")
        rows = None
        if before is not None:
            rows = settled_count(counter) - before
        if not server.alive():
            raise BenchError(f"{server.name} died during {ep.key}: {server.log_path.read_text()[-2000:]}")
        return WrkResult(
            endpoint=ep.key,
            round=round_no,
            rps=data["requests"] / (data["duration_us"] / 1e6),
            requests=data["requests"],
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            max_ms=data["max_us"] / 1000,
            n2xx=data["n2xx"],
            n3xx=data["n3xx"],
            n4xx=data["n4xx"],
            n5xx=data["n5xx"],
            socket_errors={k: data[k] for k in ("connect", "read", "write", "timeout")},
            rows_written=rows,
            raw=data["raw"],
        )

    log(f"warm-up, {WARMUP_SECONDS} s per endpoint")
    for ep in endpoints:
        one(ep, WARMUP_SECONDS, 0)
    results: list[WrkResult] = []
    for r in range(1, args.rounds + 1):
        for ep in endpoints:
            log(f"round {r}/{args.rounds}: {ep.key} ({args.duration} s)")
            results.append(one(ep, args.duration, r))
    return summarise(engine, endpoints, results, args)


def summarise(
    engine: str, endpoints: list[Endpoint], results: list[WrkResult], args: argparse.Namespace
) -> dict[str, Any]:
    by = {(res.endpoint, res.round): res for res in results}
    rounds = list(range(1, args.rounds + 1))

    def ratio(num: str, den: str) -> list[float]:
        return [by[num, r].rps / by[den, r].rps for r in rounds if (num, r) in by and (den, r) in by]

    ratios = {
        "coop_vote_page / anchor_page": ratio("coop_vote_page", "anchor_page"),
        "coop_pool_page / anchor_page": ratio("coop_pool_page", "anchor_page"),
        "coop_register_page / anchor_page": ratio("coop_register_page", "anchor_page"),
        "coop_cast / anchor_ballot": ratio("coop_cast", "anchor_ballot"),
        "anchor_page / anchor_hello": ratio("anchor_page", "anchor_hello"),
        "anchor_ballot / anchor_hello": ratio("anchor_ballot", "anchor_hello"),
        "coop_cast / anchor_hello": ratio("coop_cast", "anchor_hello"),
    }
    if engine == "sqlite":
        ratios["coop_cast / anchor_ballot_persist_full"] = ratio("coop_cast", "anchor_ballot_persist_full")
        ratios["anchor_ballot_persist_full / anchor_ballot"] = ratio(
            "anchor_ballot_persist_full", "anchor_ballot"
        )

    per_endpoint: dict[str, Any] = {}
    for ep in endpoints:
        rs = [by[ep.key, r] for r in rounds]
        per_endpoint[ep.key] = {
            "rps": [round(x.rps, 1) for x in rs],
            "median_rps": round(median([x.rps for x in rs]), 1),
            "median_p50_ms": round(median([x.p50_ms for x in rs]), 2),
            "median_p99_ms": round(median([x.p99_ms for x in rs]), 2),
            "max_p99_ms": round(max(x.p99_ms for x in rs), 2),
            "non_2xx": sum(x.n3xx + x.n4xx + x.n5xx for x in rs),
            "n5xx": sum(x.n5xx for x in rs),
            "timeouts": sum(x.socket_errors["timeout"] for x in rs),
            "socket_errors": sum(x.socket_errors[k] for x in rs for k in ("connect", "read", "write")),
        }
        if ep.rows_table:
            # wrk stops with up to `connections` requests in flight: the server may still commit those rows,
            # but wrk never counts their responses. So rows - 2xx must lie in [0, connections].
            per_endpoint[ep.key]["rows_minus_2xx"] = [x.rows_written - x.n2xx for x in rs]  # type: ignore[operator]
            per_endpoint[ep.key]["rows_match_2xx"] = all(
                0 <= x.rows_written - x.n2xx <= args.connections
                for x in rs  # type: ignore[operator]
            )

    med = {k: round(median(v), 3) for k, v in ratios.items()}
    write = per_endpoint["coop_cast"]
    page = per_endpoint["coop_vote_page"]
    hello = per_endpoint["anchor_hello"]
    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str, gate: bool = True) -> None:
        checks.append({"check": name, "pass": bool(ok), "detail": detail, "gate": gate})

    check(
        "calibration: anchor /hello >= 3000 rps (else too noisy: rerun)",
        hello["median_rps"] >= HELLO_FLOOR_RPS,
        f"{hello['median_rps']:.0f} rps",
        gate=False,
    )
    r = med["coop_cast / anchor_ballot"]
    if engine == "sqlite":
        check(
            f"ballot cast >= {SQLITE_WRITE_VS_STOCK:g}x stock-Piccolo insert",
            r >= SQLITE_WRITE_VS_STOCK,
            f"{r:.2f}x",
        )
        check("ballot cast 0 wrk time-outs", write["timeouts"] == 0, f"{write['timeouts']} time-outs")
        check(
            f"ballot cast p99 <= {SQLITE_WRITE_P99_MS:.0f} ms (worst round, {args.connections} connections)",
            write["max_p99_ms"] <= SQLITE_WRITE_P99_MS,
            f"p99 {write['max_p99_ms']:.1f} ms",
        )
    else:
        check(f"ballot cast >= {PG_WRITE_VS_INSERT:g}x bare insert", r >= PG_WRITE_VS_INSERT, f"{r:.2f}x")
    check(
        f"floor (report only): ballot cast >= {WRITE_FLOOR_RPS} rps, "
        f"p99 <= {WRITE_FLOOR_P99_MS[engine]:.0f} ms",
        write["median_rps"] >= WRITE_FLOOR_RPS and write["median_p99_ms"] <= WRITE_FLOOR_P99_MS[engine],
        f"{write['median_rps']:.0f} rps, p99 {write['median_p99_ms']:.1f} ms",
        gate=False,
    )
    r = med["coop_vote_page / anchor_page"]
    check(
        "G3 (later goal, report only): open vote page >= 40% of plain-Jinja anchor",
        r >= PAGE_VS_ANCHOR,
        f"{r:.2f}x",
        gate=False,
    )
    check(
        "floor: open vote page >= 400 rps, p99 <= 150 ms",
        page["median_rps"] >= PAGE_FLOOR_RPS and page["median_p99_ms"] <= PAGE_FLOOR_P99_MS,
        f"{page['median_rps']:.0f} rps, p99 {page['median_p99_ms']:.1f} ms",
        gate=False,
    )
    for key in ("coop_pool_page", "coop_register_page"):
        r = med[f"{key} / anchor_page"]
        check(f"{key} >= 30% of plain-Jinja anchor (report only)", r >= 0.3, f"{r:.2f}x", gate=False)
    for key, info in per_endpoint.items():
        if "rows_match_2xx" in info:
            check(
                f"{key}: rows written == 2xx (+ at most {args.connections} in flight at wrk's stop)",
                info["rows_match_2xx"],
                f"rows - 2xx per round {info['rows_minus_2xx']}",
            )

    server_errors = {k: v["non_2xx"] for k, v in per_endpoint.items() if v["non_2xx"]}
    return {
        "engine": engine,
        "workers": args.pg_workers if engine == "postgres" else 1,
        "endpoints": per_endpoint,
        "ratios": {k: [round(x, 3) for x in v] for k, v in ratios.items()},
        "median_ratios": med,
        "checks": checks,
        "server_errors": server_errors,
        "runs": [asdict(x) for x in results],
    }


# ---------------------------------------------------------------------------------------------------------
# Output


def print_report(report: dict[str, Any]) -> None:
    for eng in report["engines"]:
        print(
            f"\n== {eng['engine']}: uvicorn {eng['workers']} worker(s), wrk -t1 -c{report['connections']} "
            f"-d{report['duration']}s, {report['rounds']} round(s) =="
        )
        print(
            f"{'endpoint':<28} {'rps per round':<26} {'median':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'non-2xx':>8} {'t/o':>5} {'sock':>5}"
        )
        for key, e in eng["endpoints"].items():
            per = ", ".join(f"{x:.0f}" for x in e["rps"])
            print(
                f"{key:<28} {per:<26} {e['median_rps']:>8.0f} {e['median_p50_ms']:>8.1f} "
                f"{e['median_p99_ms']:>8.1f} {e['non_2xx']:>8} {e['timeouts']:>5} {e['socket_errors']:>5}"
            )
        print(f"\n{'ratio (per round)':<46} {'rounds':<24} {'median':>7}")
        for key, values in eng["ratios"].items():
            print(f"{key:<46} {', '.join(f'{v:.2f}' for v in values):<24} {eng['median_ratios'][key]:>7.2f}")
        print()
        for c in eng["checks"]:
            mark = "PASS" if c["pass"] else ("FAIL" if c["gate"] else "miss")
            print(f"  [{mark}] {c['check']}: {c['detail']}")
        if eng["server_errors"]:
            print(f"  SERVER ERRORS (non-2xx responses): {eng['server_errors']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--engine",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="both (default) skips PostgreSQL, saying so, where no cluster can be started",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint per round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--pg-workers",
        type=int,
        default=4,
        help="uvicorn workers for both servers on PostgreSQL (docs/operating.md: several); SQLite runs 1",
    )
    parser.add_argument(
        "--gate", action="store_true", help="exit 3 when a gated target (the ballot cast's) is missed"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch folder (server logs) for inspection"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    if not 1 <= args.rounds <= 20 or not 1 <= args.duration <= 120 or not 1 <= args.pg_workers <= 16:
        parser.error("--rounds must be 1-20, --duration 1-120 and --pg-workers 1-16")

    # SIGTERM and SIGHUP unwind like Ctrl-C, so every `finally` below stops what it started.
    def _raise(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _raise)
    signal.signal(signal.SIGHUP, _raise)

    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    if args.engine == "both" and not postgres_available():
        print(
            "PostgreSQL skipped: needs root (runuser) and /usr/lib/postgresql/15/bin/initdb", file=sys.stderr
        )
        engines = ["sqlite"]
    started = datetime.now(UTC)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "host": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "rounds": args.rounds,
        "duration": args.duration,
        "connections": args.connections,
        "server": "uvicorn " + " ".join(UVICORN_FLAGS),
        "git": git_state(),
        "load_average_at_start": os.getloadavg(),
        "engines": [],
    }
    failed = False
    for engine in engines:
        workdir = Path(tempfile.mkdtemp(prefix=f"coop-bench-{engine}-"))
        try:
            with contextlib.ExitStack() as stack:
                report["engines"].append(bench_engine(engine, args, workdir, stack))
        except BenchError as exc:
            print(f"{engine}: {exc}", file=sys.stderr)
            report["engines"].append({"engine": engine, "error": str(exc)})
            failed = True
        finally:
            if args.keep:
                print(f"scratch folder kept: {workdir}", file=sys.stderr)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["load_average_at_end"] = os.getloadavg()

    ok_engines = [e for e in report["engines"] if "error" not in e]
    report_view = {**report, "engines": ok_engines}
    print_report(report_view)
    print(
        f"\nload average (1, 5, 15 min) at start {report['load_average_at_start']}, "
        f"at end {report['load_average_at_end']}"
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"http-{started:%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON: {out.relative_to(ROOT)}")
    lost = [c for e in ok_engines for c in e["checks"] if c["check"].startswith("anchor_") and not c["pass"]]
    if failed or lost or any(e["server_errors"] for e in ok_engines):
        print(
            "FAILED: a server did not start, answered with errors, or lost writes (see above)",
            file=sys.stderr,
        )
        return 1
    if args.gate and any(not c["pass"] and c["gate"] for e in ok_engines for c in e["checks"]):
        print("Target missed (see FAIL above)", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
