"""Bulk member imports: one import per idempotency key in an organisation (a unique index Piccolo's
auto-migrations cannot express), and the foreign-key index. Hand-written, portable SQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T14:10:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "bulk member imports: unique idempotency key per organisation"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS member_import_key_uniq "
    "ON member_import (organisation, idempotency_key)",
    "CREATE UNIQUE INDEX IF NOT EXISTS member_import_public_id_uniq ON member_import (public_id)",
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
