"""Reversals: one live reversal request per ledger transaction (a second, concurrent request fails on
this index, so 50 at once give exactly one), one approval per person, unique public ids, and approvals
that are never changed or deleted. Hand-written, portable SQL (stack-notes.md §4.3)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-07T10:33:58:000000"
VERSION = "1.38.0"
DESCRIPTION = "reversals: one live request per transaction, one approval per person"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_reversal_public_id_uniq ON ledger_reversal (public_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_reversal_live_uniq "
    "ON ledger_reversal (original) WHERE status <> 'cancelled'",
    "CREATE INDEX IF NOT EXISTS ledger_reversal_pool_idx ON ledger_reversal (pool, status, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS reversal_approval_uniq ON reversal_approval (request, approver)",
]
INDEX_NAMES = [sql.split(" ON ")[0].split()[-1] for sql in INDEXES]

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS reversal_approval_no_{op.lower()} BEFORE {op} ON reversal_approval "
    "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
    for op in ("UPDATE", "DELETE")
]
# coop_ledger_append_only() comes from the budgets migration of 2026-11-23.
POSTGRES_TRIGGERS = [
    "CREATE TRIGGER reversal_approval_append_only BEFORE UPDATE OR DELETE ON reversal_approval "
    "FOR EACH ROW EXECUTE FUNCTION coop_ledger_append_only()"
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        sqlite = isinstance(engine, SQLiteEngine)
        for sql in INDEXES + (SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS):
            await engine.run_ddl(sql)

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        if isinstance(engine, SQLiteEngine):
            for op in ("update", "delete"):
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS reversal_approval_no_{op}")
        else:
            await engine.run_ddl("DROP TRIGGER IF EXISTS reversal_approval_append_only ON reversal_approval")
        for name in INDEX_NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
