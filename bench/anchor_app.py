"""The anchor app of docs/performance-bar.md Appendix A: what coop's own endpoints are measured against.

Three routes with no coop code on the path: `/hello` (a constant string), `/page` (a ~10 KB proposal page
from a static context) and `/ballot` (one bare Piccolo insert, stock engine). `PERF_DB` picks the database:

* `sqlite`: Piccolo's stock `SQLiteEngine(path=$PERF_SQLITE_PATH, timeout=30)` (a new connection and thread
  per query) on a file set to WAL beforehand; also `/ballot_persist_full`, the §3.4 variant with one
  persistent aiosqlite connection (WAL, synchronous=FULL) behind an `asyncio.Lock`;
* `postgres`: `PostgresEngine` at 127.0.0.1:$PERF_PG_PORT (default 55433), user postgres, database
  $PERF_PG_DB (default perf), with an asyncpg pool of 10;
* anything else: no database (`/hello` and `/page` only).

The `Ballot` table has its own engine, so it never touches coop's database or tables.
`python -m bench.anchor_app init` creates a fresh ballot table for the configured database.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, get, post
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
HELLO = "<!doctype html><html><body><h1>Hello, world</h1></body></html>"
BALLOT_RECORDED = '<div id="ballot-result">Ballot recorded</div>'

PERF_DB = os.environ.get("PERF_DB", "")
SQLITE_PATH = os.environ.get("PERF_SQLITE_PATH", "perf-anchor.sqlite3")
PG_PORT = int(os.environ.get("PERF_PG_PORT", "55433"))
PG_DB = os.environ.get("PERF_PG_DB", "perf")


def _lorem(n: int, seed: int) -> str:
    words = (  # noqa: SIM905
        "members budget care support board agreed proposal pooled service provider review quarterly "
        "carers outcome feedback funding local community meeting decision shared transport respite "
        "evening weekend contract monitoring independent living accessible information"
    ).split()
    rnd = random.Random(seed)
    out: list[str] = []
    while sum(len(w) + 1 for w in out) < n:
        out.append(rnd.choice(words))
    return " ".join(out).capitalize() + "."


# Built once at import: the page measures Litestar + Jinja, not context building.
PAGE_CONTEXT: dict[str, Any] = {
    "nav": [
        {"href": href, "label": label, "current": href == "/proposals"}
        for href, label in [
            ("/", "Home"),
            ("/proposals", "Proposals"),
            ("/meetings", "Meetings"),
            ("/pool", "Shared budget"),
            ("/members", "Members"),
            ("/account", "Your account"),
        ]
    ],
    "user": {"name": "Sam", "role": "member"},
    "coop": {"name": "Riverside Co-op"},
    "proposal": {
        "title": "Pool part of our budgets to share a weekend respite service",
        "author": "Amara Okafor",
        "opened": "3 November 2026",
        "closes": "24 November 2026 at 5pm",
        "paragraphs": [_lorem(350, i) for i in range(5)],
        "options": [
            {"value": "yes", "label": "Yes", "votes": 41, "share": 63.08},
            {"value": "no", "label": "No", "votes": 17, "share": 26.15},
            {"value": "abstain", "label": "Abstain", "votes": 7, "share": 10.77},
        ],
    },
    "comments": [
        {
            "author": f"Member {i + 1}",
            "when": f"{i % 28 + 1} November 2026",
            "text": f"<b>Point {i + 1}</b> & " + _lorem(150, 100 + i),  # escaped by autoescape
        }
        for i in range(20)
    ],
    "csrf": "x" * 32,
}


def make_engine() -> Any:
    if PERF_DB == "sqlite":
        from piccolo.engine.sqlite import SQLiteEngine

        return SQLiteEngine(path=SQLITE_PATH, timeout=30)
    if PERF_DB == "postgres":
        from piccolo.engine.postgres import PostgresEngine

        return PostgresEngine(
            config={"host": "127.0.0.1", "port": PG_PORT, "user": "postgres", "database": PG_DB}
        )
    return None


ENGINE = make_engine()

if ENGINE is not None:
    from piccolo.columns import Integer, Timestamptz, Varchar
    from piccolo.columns.defaults.timestamptz import TimestamptzNow
    from piccolo.table import Table

    class Ballot(Table, tablename="ballot", db=ENGINE):
        election_id = Integer(index=True)
        member_id = Integer()
        choice = Varchar(length=32)
        cast_at = Timestamptz(default=TimestamptzNow())


@get("/hello", media_type=MediaType.HTML, sync_to_thread=False)
def hello() -> str:
    return HELLO


@get("/page", sync_to_thread=False)
def page() -> Template:
    return Template(template_name="proposal.html", context=PAGE_CONTEXT)


@post("/ballot", media_type=MediaType.HTML, status_code=201)
async def cast_ballot() -> str:
    await Ballot.insert(Ballot(election_id=1, member_id=random.randint(1, 10**6), choice="yes"))
    return BALLOT_RECORDED


class _Persistent:
    """§3.4: one aiosqlite connection per process, one writer at a time, synchronous=FULL."""

    conn: Any = None
    lock: asyncio.Lock | None = None


@post("/ballot_persist_full", media_type=MediaType.HTML, status_code=201)
async def cast_ballot_persistent() -> str:
    assert _Persistent.conn is not None and _Persistent.lock is not None
    async with _Persistent.lock:
        await _Persistent.conn.execute(
            "INSERT INTO ballot (election_id, member_id, choice, cast_at) VALUES (?, ?, ?, ?)",
            (1, random.randint(1, 10**6), "yes", datetime.now(UTC)),
        )
        await _Persistent.conn.commit()
    return BALLOT_RECORDED


@asynccontextmanager
async def database(_: Litestar) -> AsyncIterator[None]:
    if PERF_DB == "postgres":
        await ENGINE.start_connection_pool(max_size=10)
    elif PERF_DB == "sqlite":
        import aiosqlite

        _Persistent.conn = await aiosqlite.connect(SQLITE_PATH)
        for pragma in ("journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000"):
            async with _Persistent.conn.execute(f"PRAGMA {pragma}") as cursor:
                await cursor.fetchall()
        _Persistent.lock = asyncio.Lock()
    try:
        yield
    finally:
        if PERF_DB == "postgres":
            await ENGINE.close_connection_pool()
        elif _Persistent.conn is not None:
            await _Persistent.conn.close()
            _Persistent.conn = None


def create_app() -> Litestar:
    handlers: list[Any] = [hello, page]
    if PERF_DB == "sqlite":
        handlers += [cast_ballot, cast_ballot_persistent]
    elif PERF_DB == "postgres":
        handlers.append(cast_ballot)
    return Litestar(
        route_handlers=handlers,
        template_config=TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine),
        lifespan=[database],
        openapi_config=None,
        debug=False,
    )


app = create_app()


def init_database() -> None:
    """Drop and create the ballot table (and set WAL on SQLite): a fresh table for each run."""
    if PERF_DB == "sqlite":
        with sqlite3.connect(SQLITE_PATH) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
    Ballot.alter().drop_table(if_exists=True).run_sync()
    Ballot.create_table().run_sync()


if __name__ == "__main__":
    if sys.argv[1:] != ["init"] or ENGINE is None:
        sys.exit("usage: PERF_DB=sqlite|postgres python -m bench.anchor_app init")
    init_database()
