"""Database engines and the one write path: `write_transaction()`.

SQLite: Piccolo's stock engine opens a connection (and a thread) per query and starts DEFERRED
transactions, which fail at once with "database is locked" when a read upgrades to a write. We keep one
persistent writer connection behind a process-wide lock, always `BEGIN IMMEDIATE`, plus one persistent
reader connection for plain SELECTs (WAL lets them run beside a writer). Measured in
docs/performance-bar.md §3.4: 2.6x the stock throughput and no time-outs. Between worker processes, writers
also queue on an advisory file lock (`flock` on `<database>.write-lock`) before `BEGIN IMMEDIATE`: the
kernel wakes the next writer as soon as the lock is free, where SQLite's busy handler polls with growing
sleeps, which left the slowest of 16 workers waiting seconds (bench/vote_load.py, V3).

PostgreSQL: Piccolo's engine with an asyncpg pool; invariants rest on constraints, conditional updates and
row locks, so nothing here is SQLite-only in spirit.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator, Generator, Iterable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any, TypeVar, overload
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table

BUSY_TIMEOUT_SECONDS = 30.0
Step = tuple[str, tuple[Any, ...]]
"""One statement of a write given as steps (`write_steps`): SQL with `{}` placeholders, as `Table.raw`
takes, and its values."""
Rows = list[dict[str, Any]]
T = TypeVar("T")
MIN_SQLITE_VERSION = (3, 35, 0)  # RETURNING


class DatabaseSetupError(RuntimeError):
    """The database is not configured the way coop's guarantees need."""


class CoopSQLiteEngine(SQLiteEngine):
    """SQLiteEngine with persistent connections (once `open()`ed) and IMMEDIATE transactions only."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_SECONDS)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock: asyncio.Lock | None = None
        self._lock_fd: int | None = None

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    async def open(self) -> None:
        """Open the persistent connections and check the settings our guarantees depend on."""
        if self._writer is not None:
            return
        writer = await self._connect()
        await _pragma(writer, "journal_mode = WAL")
        self._writer = writer
        self._reader = await self._connect()
        self._write_lock = asyncio.Lock()
        if self.path != ":memory:":
            self._lock_fd = os.open(f"{self.path}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
        await check_sqlite_settings(writer)

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._writer = self._reader = None
        self._write_lock = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    async def _acquire(self) -> None:
        """The process lock, then the lock shared with other processes on this database file."""
        assert self._write_lock is not None
        await self._write_lock.acquire()
        try:
            if self._lock_fd is not None:
                await _flock(self._lock_fd)
        except BaseException:
            self._write_lock.release()
            raise

    def _release(self) -> None:
        assert self._write_lock is not None
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._write_lock.release()

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(**self.connection_kwargs)
        conn.row_factory = dict_factory  # type: ignore[assignment]
        # synchronous=FULL: a commit that returned is on disk, even after power loss (money, votes).
        for pragma in (
            "foreign_keys = ON",
            "synchronous = FULL",
            f"busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}",
        ):
            await _pragma(conn, pragma)
        return conn

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        # Every transaction is IMMEDIATE: a DEFERRED one that later writes cannot wait for the lock.
        return _PersistentTransaction(
            self, transaction_type=TransactionType.immediate, allow_nested=allow_nested
        )

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        if self.current_transaction.get() is not None or self._writer is None:
            return await super().run_querystring(querystring, in_pool)
        query, args = querystring.compile_string(engine_type=self.engine_type)
        return await self._run_outside_transaction(query, args)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        if self.current_transaction.get() is not None or self._writer is None:
            return await super().run_ddl(ddl, in_pool)
        return await self._run_outside_transaction(ddl, [])

    async def run_steps_in_one_trip(self, steps: Generator[Step, Rows, T]) -> T:
        """`write_steps` on the open writer: the whole transaction in one call on its thread."""
        assert self._writer is not None
        writer = self._writer
        await self._acquire()
        # aiosqlite's way of running a function on the connection's own thread (the sqlite3 connection
        # may only be used there); its public calls each run one statement.
        trip = asyncio.ensure_future(writer._execute(_run_steps, writer._conn, steps))
        try:
            return await asyncio.shield(trip)
        finally:
            if trip.done():
                self._release()
            else:  # cancelled: the thread still commits or rolls back, so keep the lock until it has
                trip.add_done_callback(self._release_after)

    def _release_after(self, trip: asyncio.Future[Any]) -> None:
        if not trip.cancelled():
            trip.exception()  # retrieved: the task that awaited it has gone
        self._release()

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> Any:
        """A statement inside a transaction, in one trip to the connection's thread.

        Piccolo's own version makes four (a `PRAGMA foreign_keys`, the statement, the fetch and closing the
        cursor), and each trip waits for the event loop to come round to it again. Inside a transaction
        that wait is paid with the write lock held, by every writer queued behind it: with 32 casts in
        flight the lock was held for several loop turns per statement. The PRAGMA is a no-op inside a
        transaction (SQLite ignores it there); every connection is opened with foreign keys on."""
        if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:  # no RETURNING: Piccolo's way
            return await super()._run_in_existing_connection(connection, query, args, query_type, table)
        return await connection.execute_fetchall(query, args or [])

    async def _run_outside_transaction(self, query: str, args: list[Any]) -> Any:
        assert self._writer is not None and self._reader is not None and self._write_lock is not None
        # One trip to the connection's thread (execute and fetch together), not three.
        if _is_read_only(query):
            return await self._reader.execute_fetchall(query, args)
        await self._acquire()
        try:
            return await self._writer.execute_fetchall(query, args)
        finally:
            self._release()


async def _flock(fd: int) -> None:
    """Take the exclusive file lock without blocking the event loop: at once if it is free, else in a
    thread. If the waiting task is cancelled, the thread still gets the lock, so release it then."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    waiting = asyncio.get_running_loop().run_in_executor(None, fcntl.flock, fd, fcntl.LOCK_EX)
    try:
        await asyncio.shield(waiting)
    except asyncio.CancelledError:

        def let_go(done: asyncio.Future[None]) -> None:
            if not done.cancelled() and done.exception() is None:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)

        waiting.add_done_callback(let_go)
        raise


class _PersistentTransaction(SQLiteTransaction):
    """A transaction on the engine's writer connection, holding the process write lock throughout."""

    _locked: bool

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        engine = self.engine
        assert isinstance(engine, CoopSQLiteEngine)
        if engine._writer is None:
            # Not opened (CLI, migrations): Piccolo's connection per transaction, still IMMEDIATE.
            self._locked = False
            return await super().__aenter__()
        await engine._acquire()
        self._locked = True
        self.connection = engine._writer
        try:
            await self.begin()
        except BaseException:
            engine._release()
            raise
        self.context = engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None or not self._locked:
            return await super().__aexit__(exception_type, exception, traceback)
        engine = self.engine
        assert isinstance(engine, CoopSQLiteEngine) and engine._write_lock is not None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            engine.current_transaction.reset(self.context)
            engine._release()
        return exception is None


def _run_steps(conn: sqlite3.Connection, steps: Generator[Step, Rows, T]) -> T:
    """On the writer's thread: BEGIN IMMEDIATE, each statement the generator yields, COMMIT (ROLLBACK if
    anything raises)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows: Rows | None = None
        while True:
            try:
                sql, args = steps.send(rows) if rows is not None else next(steps)
            except StopIteration as done:
                conn.execute("COMMIT")
                return done.value  # type: ignore[no-any-return]
            query, values = observed_step(sql, args).compile_string(engine_type="sqlite")
            rows = conn.execute(query, values).fetchall()
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


async def _pragma(conn: aiosqlite.Connection, pragma: str) -> None:
    # Drain the cursor: an unfinished PRAGMA statement keeps a lock that blocks other connections.
    async with conn.execute(f"PRAGMA {pragma}") as cursor:
        await cursor.fetchall()


def _is_read_only(sql: str) -> bool:
    head = sql.lstrip()[:7].upper()
    return head.startswith("SELECT") or head.startswith("PRAGMA")


async def check_sqlite_settings(conn: aiosqlite.Connection) -> None:
    """Refuse to run unless the connection has the settings our durability promises rest on (D1)."""
    problems: list[str] = []

    async def value(pragma: str) -> Any:
        async with conn.execute(f"PRAGMA {pragma}") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return next(iter(row.values())) if isinstance(row, dict) else row[0]

    if str(await value("journal_mode")).lower() != "wal":
        problems.append("journal_mode is not WAL")
    if int(await value("synchronous")) != 2:
        problems.append("synchronous is not FULL")
    if int(await value("foreign_keys")) != 1:
        problems.append("foreign keys are off")
    if int(await value("busy_timeout")) < 5000:
        problems.append("busy timeout is under 5 seconds")
    if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
        problems.append(f"SQLite {sqlite3.sqlite_version} is older than 3.35")
    if problems:
        raise DatabaseSetupError("SQLite is not set up safely: " + "; ".join(problems))


def engine_from_url(url: str) -> Engine[Any]:
    """Build the engine for `COOP_DATABASE_URL` (see Settings.database_url)."""
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresEngine(config=postgres_config(url))
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise DatabaseSetupError(f"COOP_DATABASE_URL must start with {prefix} or postgres://, got {url!r}")
    return CoopSQLiteEngine(path=url[len(prefix) :])


def postgres_config(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    config: dict[str, Any] = {"host": parts.hostname or "127.0.0.1", "database": parts.path.lstrip("/")}
    if parts.port:
        config["port"] = parts.port
    if parts.username:
        config["user"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


_ENGINES: dict[str, Engine[Any]] = {}
"""One engine per database URL in this process (the one `coop/piccolo_conf.py` made included), so an app
for the URL Piccolo was configured with shares its engine rather than opening the database twice."""
_CHOSEN: list[Engine[Any]] = []
"""The engines apps in this process have chosen, the one in use last."""


def engine_for(url: str) -> Engine[Any]:
    """The engine for the database at `url`, made once per URL."""
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = engine_from_url(url)
    return engine


def choose_database(url: str) -> Engine[Any]:
    """Use the database at `url` for every coop table from now on (`create_app` does this when the app
    starts, from `Settings.database_url`). Tables are bound per process, so a process serves one database
    at a time; `release_database` goes back to the one in use before."""
    engine = engine_for(url)
    _CHOSEN.append(engine)
    _bind_tables(engine)
    return engine


def release_database(engine: Engine[Any]) -> None:
    """Stop using `engine` (the app that chose it has stopped): the tables go back to the engine before."""
    for i in range(len(_CHOSEN) - 1, -1, -1):
        if _CHOSEN[i] is engine:
            del _CHOSEN[i]
            break
    _bind_tables(current_engine())


def _bind_tables(engine: Engine[Any]) -> None:
    # Piccolo keeps each table's engine on the class (`_meta.db`, found through PICCOLO_CONF the first time
    # it is needed); setting it is Piccolo's documented way to point tables at another database.
    from coop.piccolo_app import APP_CONFIG

    for table in APP_CONFIG.table_classes:
        table._meta.db = engine


def current_engine() -> Engine[Any]:
    if _CHOSEN:
        return _CHOSEN[-1]
    engine = engine_finder()
    if engine is None:
        raise DatabaseSetupError("no Piccolo engine configured (PICCOLO_CONF)")
    return engine


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """The only way coop writes more than one row: all of it, or none of it.

    SQLite: `BEGIN IMMEDIATE` under the process write lock. PostgreSQL: READ COMMITTED, with the
    invariants held by constraints, conditional updates and row locks inside the transaction.
    """
    async with current_engine().transaction():
        yield


async def write_steps(steps: Generator[Step, Rows, T]) -> T:
    """Run one write transaction given as a generator: it yields each statement, is sent that statement's
    rows, and what it returns is returned. All of it commits, or (if it raises) none of it.

    On SQLite, when the engine is open and no transaction is running, the whole transaction (BEGIN
    IMMEDIATE, every statement, the generator's own Python between them, COMMIT) runs in one trip to the
    writer connection's thread, under the write lock. Awaiting each statement instead costs a turn of the
    event loop per statement with the lock held, and the busier the server the longer each turn: every
    writer queued behind pays for it. Everywhere else (PostgreSQL, an unopened engine, inside a
    transaction already) the same statements are awaited one by one inside `write_transaction()`.

    The generator runs on another thread on SQLite, so it must be plain work on values it was given or
    sent: no awaiting, no context variables."""
    engine = current_engine()
    if isinstance(engine, CoopSQLiteEngine) and engine.is_open and engine.current_transaction.get() is None:
        return await engine.run_steps_in_one_trip(steps)
    async with write_transaction():
        rows: Rows | None = None
        try:
            while True:
                sql, args = steps.send(rows) if rows is not None else next(steps)
                result = await engine.run_querystring(observed_step(sql, args))
                rows = engine.transform_response_to_dicts(result) if result else []
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


def observed_step(sql: str, args: tuple[Any, ...]) -> QueryString:
    """Each statement of `write_steps` passes through here (tests count them)."""
    return QueryString(sql, *args)


@asynccontextmanager
async def database_in_use(url: str, *, use_pool: bool = True) -> AsyncIterator[Engine[Any]]:
    """Choose the database at `url`, open it for the time inside, then close it and go back to the one
    in use before (an app's lifespan)."""
    engine = choose_database(url)
    try:
        await open_database(use_pool=use_pool)
        try:
            yield engine
        finally:
            await close_database()
    finally:
        release_database(engine)


async def open_database(*, use_pool: bool = True) -> None:
    """Open persistent connections (SQLite) or the connection pool (PostgreSQL) for this process.

    Tests pass `use_pool=False` on PostgreSQL: an asyncpg pool belongs to one event loop, and the test
    client runs the app on a loop of its own.
    """
    engine = current_engine()
    if isinstance(engine, CoopSQLiteEngine):
        await engine.open()
    elif isinstance(engine, PostgresEngine) and use_pool:
        await engine.start_connection_pool(max_size=10)


async def close_database() -> None:
    engine = current_engine()
    if isinstance(engine, CoopSQLiteEngine):
        await engine.close()
    elif isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


@overload
def stored_date(value: None) -> None: ...
@overload
def stored_date(value: str | date) -> date: ...
def stored_date(value: str | date | None) -> date | None:
    """A DATE column as read back: SQLite gives ISO text where a raw query or a join bypasses Piccolo's
    conversion, PostgreSQL a date. Either way a date (None stays None)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def is_sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


INSERT_BATCH = 500
"""Rows per INSERT when writing many: each row is a few parameters, and one statement may carry at most
32,767 on PostgreSQL (asyncpg) and 32,766 on SQLite (3.32 and later), so a whole electorate in one INSERT
failed above about 10,900 voters."""


async def insert_in_batches(table: type[Table], rows: Iterable[Table]) -> int:
    """Insert `rows` in statements of at most INSERT_BATCH rows; call it inside `write_transaction()` so
    they land together or not at all. Returns how many were inserted."""
    batch: list[Table] = []
    done = 0
    for row in rows:
        batch.append(row)
        if len(batch) == INSERT_BATCH:
            await table.insert(*batch)
            done, batch = done + len(batch), []
    if batch:
        await table.insert(*batch)
        done += len(batch)
    return done


DELETE_BATCH = 500
DELETE_BATCHES_PER_SWEEP = 20


async def delete_in_batches(
    table: type[Table], where: Any, *, batch: int = DELETE_BATCH, most: int = DELETE_BATCHES_PER_SWEEP
) -> int:
    """Delete the rows matching `where`, `batch` at a time, each batch its own short write transaction (a
    sweep must never hold SQLite's one writer for long), at most `most` batches; the rest wait for the next
    sweep. Returns how many were deleted."""
    deleted = 0
    for _ in range(most):
        async with write_transaction():
            key = table._meta.primary_key
            rows = await table.select(key).where(where).order_by(key).limit(batch)
            if rows:
                await table.delete().where(key.is_in([int(r["id"]) for r in rows]))
        deleted += len(rows)
        if len(rows) < batch:
            break
    return deleted
