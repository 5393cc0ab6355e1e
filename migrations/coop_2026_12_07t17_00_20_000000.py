"""Vote tellers: each teller once per vote, and each share number once per vote. Hand-written, portable SQL (after the tables exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T17:00:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "vote tellers: indexes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS vote_teller_member_uniq ON vote_teller (vote, member)",
    "CREATE UNIQUE INDEX IF NOT EXISTS vote_teller_index_uniq ON vote_teller (vote, share_index)",
]
INDEX_NAMES = [sql.split(" ON ")[0].split()[-1] for sql in INDEXES]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for sql in INDEXES:
            await engine.run_ddl(sql)

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in INDEX_NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
