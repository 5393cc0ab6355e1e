"""Votes: one participation per member per vote and one roll entry per member (UNIQUE indexes), and on
SQLite the ballot table rebuilt WITHOUT ROWID, so no hidden row number records the order ballots arrived
in. Hand-written, portable SQL (stack-notes.md §4.3)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T15:34:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "votes: unique participation and roll, ballot table without rowid"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS vote_participation_uniq ON vote_participation (vote, member)",
    "CREATE UNIQUE INDEX IF NOT EXISTS vote_roll_uniq ON vote_roll (vote, member)",
    "CREATE INDEX IF NOT EXISTS vote_org_idx ON vote (organisation, status)",
    "CREATE INDEX IF NOT EXISTS vote_ballot_vote_idx ON vote_ballot (vote)",
]
INDEX_NAMES = [sql.split(" ON ")[0].split()[-1] for sql in INDEXES]


async def _rebuild_ballot_table(engine: SQLiteEngine, *, without_rowid: bool) -> None:
    rows = await engine.run_ddl("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'vote_ballot'")
    sql = str(rows[0]["sql"]).rstrip().removesuffix("WITHOUT ROWID").rstrip()
    new_sql = sql.replace("vote_ballot", "vote_ballot_rebuilt", 1)
    if without_rowid:
        new_sql += " WITHOUT ROWID"
    await engine.run_ddl(new_sql)
    await engine.run_ddl("INSERT INTO vote_ballot_rebuilt SELECT * FROM vote_ballot ORDER BY tracker")
    await engine.run_ddl("DROP TABLE vote_ballot")
    await engine.run_ddl("ALTER TABLE vote_ballot_rebuilt RENAME TO vote_ballot")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        if isinstance(engine, SQLiteEngine):
            await _rebuild_ballot_table(engine, without_rowid=True)
        for sql in INDEXES:
            await engine.run_ddl(sql)

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in INDEX_NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        if isinstance(engine, SQLiteEngine):
            await _rebuild_ballot_table(engine, without_rowid=False)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
