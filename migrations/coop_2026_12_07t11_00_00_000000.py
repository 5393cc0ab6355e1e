"""Indexes for the spending rules (issue 14, items 7 and 8): payments by payee, ignoring case, and date,
to add up what one payee was paid over the two-person window; proposals by pool and status, to add up
what approved purchases will need; proposals by vote, to show a vote's cost beside it. Each rule then
reads one index range, whatever the size of the organisation. Hand-written, portable SQL: SQLite and
PostgreSQL both index the expression lower(payee)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for the two-person window and for what a pool can afford"

INDEXES = [
    "CREATE INDEX IF NOT EXISTS pool_payment_payee_idx "
    "ON pool_payment (organisation, lower(payee), created_at)",
    "CREATE INDEX IF NOT EXISTS commission_proposal_pool_idx ON commission_proposal (pool, status)",
    "CREATE INDEX IF NOT EXISTS commission_proposal_vote_idx ON commission_proposal (vote)",
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
