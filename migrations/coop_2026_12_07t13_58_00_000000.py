"""Meetings' constraints: one open attendance per member per meeting (a second arrival is refused by the
database, not by a check in Python), one declaration per director per item, lookups by public id and by
organisation. Hand-written, portable SQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T13:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "meetings indexes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS meeting_public_id_uniq ON meeting (public_id)",
    "CREATE INDEX IF NOT EXISTS meeting_org_idx ON meeting (organisation, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS agenda_item_public_id_uniq ON agenda_item (public_id)",
    "CREATE INDEX IF NOT EXISTS agenda_item_meeting_idx ON agenda_item (meeting, position)",
    "CREATE UNIQUE INDEX IF NOT EXISTS meeting_attendance_open_uniq ON meeting_attendance (meeting, member) "
    "WHERE left_at IS NULL",
    "CREATE INDEX IF NOT EXISTS meeting_attendance_meeting_idx ON meeting_attendance (meeting, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS interest_declaration_uniq ON interest_declaration (item, member)",
    "CREATE UNIQUE INDEX IF NOT EXISTS director_interest_public_id_uniq ON director_interest (public_id)",
    "CREATE INDEX IF NOT EXISTS director_interest_org_idx ON director_interest (organisation, member)",
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
