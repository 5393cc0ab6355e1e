"""Sealed ballots: on SQLite the table is made WITHOUT ROWID (no hidden row number records the order boxes
arrived in), and both engines index it by vote. Hand-written, portable SQL (stack-notes.md §4.3)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-07T13:58:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "sealed ballots: without rowid on SQLite, indexed by vote"

INDEX = "CREATE INDEX IF NOT EXISTS vote_sealed_ballot_vote_idx ON vote_sealed_ballot (vote)"


async def _recreate(engine: SQLiteEngine, *, without_rowid: bool) -> None:
    """The table is new and empty here: drop it and create it again with or without the rowid."""
    rows = await engine.run_ddl(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'vote_sealed_ballot'"
    )
    sql = str(rows[0]["sql"]).rstrip().removesuffix("WITHOUT ROWID").rstrip()
    await engine.run_ddl("DROP TABLE vote_sealed_ballot")
    await engine.run_ddl(sql + (" WITHOUT ROWID" if without_rowid else ""))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        if isinstance(engine, SQLiteEngine):
            await _recreate(engine, without_rowid=True)
        await engine.run_ddl(INDEX)

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS vote_sealed_ballot_vote_idx")
        if isinstance(engine, SQLiteEngine):
            await _recreate(engine, without_rowid=False)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
