"""The database layer: the settings SQLite durability rests on, and one writer at a time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import run


def test_sqlite_refuses_to_start_without_safe_settings(tmp_path):
    # Uses its own SQLite files, whichever engine the suite runs on.
    import aiosqlite

    from coop.db import CoopSQLiteEngine, DatabaseSetupError, check_sqlite_settings

    async def check() -> None:
        engine = CoopSQLiteEngine(path=str(tmp_path / "safe.sqlite3"))
        await engine.open()
        await engine.close()
        async with aiosqlite.connect(tmp_path / "unsafe.sqlite3") as conn:
            await conn.execute("PRAGMA synchronous = NORMAL")
            with pytest.raises(
                DatabaseSetupError, match="WAL.*synchronous is not FULL.*foreign keys are off"
            ):
                await check_sqlite_settings(conn)

    run(check())


@pytest.mark.parametrize("given_as", ["transaction", "steps"])
def test_concurrent_read_then_write_transactions_all_succeed(db, engine_name, given_as):
    """60 tasks each count the rows and insert one: none fails, none is lost; on SQLite they run one at a
    time, so each saw a different count. Written as a `write_transaction()` block, or as steps
    (`write_steps`, one trip each to the SQLite writer's thread).

    (A DEFERRED transaction doing the same fails at once with "database is locked" on SQLite:
    docs/reliability-bar.md finding 3. PostgreSQL invariants rest on constraints instead.)"""
    from coop.db import close_database, open_database, write_steps, write_transaction
    from coop.mail.tables import OutboxMessage

    async def one(i: int) -> int:
        if given_as == "steps":
            return await write_steps(_count_then_queue(f"{i}@x.example"))
        async with write_transaction():
            seen = await OutboxMessage.count()
            await OutboxMessage.insert(OutboxMessage(to_address=f"{i}@x.example", subject="s", body="b"))
            return seen

    async def main() -> list[int]:
        await open_database(use_pool=False)
        try:
            return await asyncio.gather(*(one(i) for i in range(60)))
        finally:
            await close_database()

    seen = run(main())
    if engine_name == "sqlite":
        assert sorted(seen) == list(range(60))
    assert run(OutboxMessage.count()) == 60


def test_a_failed_transaction_leaves_nothing_behind(db):
    from coop.db import close_database, open_database, write_transaction
    from coop.mail.tables import OutboxMessage

    async def main() -> None:
        await open_database(use_pool=False)
        try:
            with pytest.raises(RuntimeError):
                async with write_transaction():
                    await OutboxMessage.insert(OutboxMessage(to_address="a@x.example", subject="s", body="b"))
                    raise RuntimeError("power cut")
            # The write lock was released: the next transaction goes through.
            async with write_transaction():
                await OutboxMessage.insert(OutboxMessage(to_address="b@x.example", subject="s", body="b"))
        finally:
            await close_database()

    run(main())
    assert [r["to_address"] for r in run(OutboxMessage.select(OutboxMessage.to_address))] == ["b@x.example"]


_COUNT = "SELECT COUNT(*) AS n FROM outbox_message"
_QUEUE = (
    "INSERT INTO outbox_message (to_address, subject, body, created_at, transport, error, state) "
    "VALUES ({}, 's', 'b', {}, 'outbox', '', 'queued') RETURNING id"
)


def _count_then_queue(address: str, fail_after: bool = False) -> Any:
    """A write given as steps (coop.db.write_steps): count the outbox, add a message, say what it saw."""
    from coop import clock

    counted = yield _COUNT, ()
    added = yield _QUEUE, (address, clock.now())
    assert len(added) == 1 and isinstance(added[0]["id"], int)
    if fail_after:
        raise RuntimeError("power cut")
    return int(counted[0]["n"])


def test_a_write_given_as_steps_that_fails_leaves_nothing_and_lets_the_next_through(db):
    from coop.db import close_database, open_database, write_steps, write_transaction
    from coop.mail.tables import OutboxMessage

    async def main() -> None:
        await open_database(use_pool=False)
        try:
            with pytest.raises(RuntimeError, match="power cut"):
                await write_steps(_count_then_queue("a@x.example", fail_after=True))
            assert await write_steps(_count_then_queue("b@x.example")) == 0
            # Inside a transaction the steps join it: rolled back with it.
            with pytest.raises(RuntimeError, match="outer"):
                async with write_transaction():
                    assert await write_steps(_count_then_queue("c@x.example")) == 1
                    raise RuntimeError("outer")
        finally:
            await close_database()

    run(main())
    assert [r["to_address"] for r in run(OutboxMessage.select(OutboxMessage.to_address))] == ["b@x.example"]


def test_a_cancelled_write_given_as_steps_keeps_the_write_lock_until_its_thread_has_finished(db, engine_name):
    """SQLite: the steps run on the writer's thread, which finishes the transaction even when the task
    that asked for it is cancelled. The next writer must wait until then (it would otherwise BEGIN on the
    same connection in the middle of it). On PostgreSQL, where each statement is awaited, the cancelled
    transaction rolls back whole instead."""
    import threading

    from coop.db import (
        CoopSQLiteEngine,
        close_database,
        current_engine,
        open_database,
        write_steps,
        write_transaction,
    )
    from coop.mail.tables import OutboxMessage

    if engine_name != "sqlite":
        _a_cancelled_write_given_as_steps_rolls_back_on_postgres()
        return
    started, go_on = threading.Event(), threading.Event()

    def slow() -> Any:
        yield _QUEUE, ("slow@x.example", "2026-01-01T00:00:00+00:00")
        started.set()
        go_on.wait(10)
        yield _QUEUE, ("slow2@x.example", "2026-01-01T00:00:00+00:00")

    async def main() -> None:
        await open_database(use_pool=False)
        engine = current_engine()
        assert isinstance(engine, CoopSQLiteEngine) and engine._write_lock is not None
        try:
            task = asyncio.create_task(write_steps(slow()))
            await asyncio.to_thread(started.wait, 10)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert engine._write_lock.locked(), "the lock was let go while the thread was mid-transaction"
            go_on.set()
            async with write_transaction():  # then the next writer goes through
                await OutboxMessage.insert(OutboxMessage(to_address="next@x.example", subject="s", body="b"))
            assert not engine._write_lock.locked()
        finally:
            go_on.set()
            await close_database()

    run(main())
    assert sorted(r["to_address"] for r in run(OutboxMessage.select(OutboxMessage.to_address))) == [
        "next@x.example",
        "slow2@x.example",
        "slow@x.example",
    ]


def _a_cancelled_write_given_as_steps_rolls_back_on_postgres() -> None:
    """PostgreSQL awaits each statement in `write_transaction()`: cancelling the task mid-way rolls the
    whole transaction back, and the next writer goes through."""
    from datetime import UTC, datetime

    from coop.db import close_database, open_database, write_steps, write_transaction
    from coop.mail.tables import OutboxMessage

    async def main() -> None:
        reached = asyncio.Event()

        def slow() -> Any:
            yield _QUEUE, ("slow@x.example", datetime(2026, 1, 1, tzinfo=UTC))
            reached.set()  # the generator runs on the event loop here, between the two statements
            yield "SELECT pg_sleep(30)", ()

        await open_database(use_pool=False)
        try:
            task = asyncio.create_task(write_steps(slow()))
            await reached.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            async with write_transaction():
                await OutboxMessage.insert(OutboxMessage(to_address="next@x.example", subject="s", body="b"))
        finally:
            await close_database()

    run(main())
    assert [r["to_address"] for r in run(OutboxMessage.select(OutboxMessage.to_address))] == [
        "next@x.example"
    ]
