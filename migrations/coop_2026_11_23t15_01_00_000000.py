"""Constraints Piccolo's auto-migrations cannot express portably: composite and partial unique indexes,
foreign-key indexes, and the triggers that make the audit log append-only. Hand-written, portable SQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T15:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "foundation indexes and append-only audit triggers"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS member_org_person_uniq ON member (organisation, person) WHERE person IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS member_org_idx ON member (organisation, ceased_on)",
    "CREATE UNIQUE INDEX IF NOT EXISTS member_public_id_uniq ON member (public_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS role_grant_active_uniq ON role_grant (member, role) WHERE revoked_at IS NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS constitution_version_uniq ON constitution_version (organisation, version)",
    "CREATE UNIQUE INDEX IF NOT EXISTS audit_event_chain_seq_uniq ON audit_event (chain, seq)",
    "CREATE INDEX IF NOT EXISTS audit_event_org_idx ON audit_event (organisation, id)",
    "CREATE INDEX IF NOT EXISTS login_session_person_idx ON login_session (person)",
    "CREATE INDEX IF NOT EXISTS password_reset_person_idx ON password_reset (person)",
]
INDEX_NAMES = [sql.split(" ON ")[0].split()[-1] for sql in INDEXES]

SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
]
POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION coop_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION coop_audit_append_only()",
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
            await engine.run_ddl("DROP TRIGGER IF EXISTS audit_event_no_update")
            await engine.run_ddl("DROP TRIGGER IF EXISTS audit_event_no_delete")
        else:
            await engine.run_ddl("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
            await engine.run_ddl("DROP FUNCTION IF EXISTS coop_audit_append_only()")
        for name in INDEX_NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
