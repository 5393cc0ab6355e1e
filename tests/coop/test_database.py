"""The database layer: the settings SQLite durability rests on, and one writer at a time."""

from __future__ import annotations

import asyncio

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


def test_concurrent_read_then_write_transactions_all_succeed(db, engine_name):
    """60 tasks each count the rows and insert one: none fails; on SQLite they run one at a time.

    (A DEFERRED transaction doing the same fails at once with "database is locked" on SQLite:
    docs/reliability-bar.md finding 3. PostgreSQL invariants rest on constraints instead.)"""
    from coop.db import close_database, open_database, write_transaction
    from coop.mail.tables import OutboxMessage

    async def one(i: int) -> int:
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
