"""The vote's stored electorate: filled in for every vote opened before it was stored (open and closed
votes; a draft has no roll yet). Hand-written, portable SQL (after the column exists)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T18:06:01:578259"
VERSION = "1.38.0"
DESCRIPTION = "vote electorate: backfill"

BACKFILL = (
    "UPDATE vote SET electorate = (SELECT COUNT(*) FROM vote_roll r WHERE r.vote = vote.id) "
    "WHERE electorate IS NULL AND status <> 'draft'"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(BACKFILL)

    async def run_backwards() -> None:
        return None  # the column itself is dropped by the migration before this one, if it is undone

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
