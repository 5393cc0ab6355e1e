"""Written resolutions and constitution amendments: unique agreement and elector rows per member, public
ids, and the indexes the lists and the lapse sweep use. Hand-written, portable SQL (after the tables exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T14:32:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "written resolutions: indexes"

# One agreement and one elector row per member per resolution; lists by organisation; the lapse sweep.
INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS written_resolution_public_id_uniq ON written_resolution (public_id)",
    "CREATE INDEX IF NOT EXISTS written_resolution_org_idx ON written_resolution (organisation, id)",
    "CREATE INDEX IF NOT EXISTS written_resolution_lapse_idx ON written_resolution (status, lapses_on)",
    "CREATE UNIQUE INDEX IF NOT EXISTS written_resolution_elector_uniq "
    "ON written_resolution_elector (resolution, member)",
    "CREATE UNIQUE INDEX IF NOT EXISTS written_resolution_agreement_uniq "
    "ON written_resolution_agreement (resolution, member)",
    "CREATE INDEX IF NOT EXISTS constitution_amendment_org_idx ON constitution_amendment (organisation)",
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
