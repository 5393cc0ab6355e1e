"""Board elections: one standing nomination per member per election, public ids, and the indexes the
pages use. Hand-written, portable SQL (after the tables exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T14:17:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "board elections: indexes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS board_election_public_id_uniq ON board_election (public_id)",
    "CREATE INDEX IF NOT EXISTS board_election_org_idx ON board_election (organisation, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS nomination_public_id_uniq ON nomination (public_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS nomination_member_uniq ON nomination (election, member)",
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
