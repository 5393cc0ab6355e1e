"""Register entry numbers, stored: back-fill every existing entry with the number the register showed
(its place in its organisation's entries in id order), in bounded batches; then a unique index per
organisation and triggers that number each new entry (next in its organisation, under a per-organisation
advisory lock on PostgreSQL; SQLite writers are serialised already) and refuse any change to a number once
given. Also indexes for resignations that have fallen due and for counting current members.
Hand-written, portable SQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

ID = "2026-12-07T10:34:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "register entry numbers: back-fill, unique per organisation, given on insert"

BATCH = 5_000
NEVER_CHANGES = "a register entry number never changes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS member_entry_number_uniq ON member (organisation, entry_number)",
    "CREATE INDEX IF NOT EXISTS member_leaving_idx ON member (leaving_on) "
    "WHERE leaving_on IS NOT NULL AND ceased_on IS NULL",
    # Counting current members (ceased_on null, leaving_on null or still ahead) from the index alone.
    "CREATE INDEX IF NOT EXISTS member_current_idx ON member (organisation, ceased_on, leaving_on)",
]
INDEX_NAMES = [sql.split(" ON ")[0].split()[-1] for sql in INDEXES]

SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS member_entry_number AFTER INSERT ON member "
    "WHEN NEW.entry_number IS NULL BEGIN "
    "UPDATE member SET entry_number = (SELECT COALESCE(MAX(entry_number), 0) + 1 FROM member "
    "WHERE organisation = NEW.organisation) WHERE id = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS member_entry_number_fixed BEFORE UPDATE OF entry_number ON member "
    "WHEN OLD.entry_number IS NOT NULL AND NEW.entry_number IS NOT OLD.entry_number "
    f"BEGIN SELECT RAISE(ABORT, '{NEVER_CHANGES}'); END",
]
SQLITE_TRIGGER_NAMES = ["member_entry_number", "member_entry_number_fixed"]

POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION coop_member_entry_number() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'UPDATE' THEN "
    "IF OLD.entry_number IS NOT NULL AND NEW.entry_number IS DISTINCT FROM OLD.entry_number THEN "
    f"RAISE EXCEPTION '{NEVER_CHANGES}'; END IF; RETURN NEW; END IF; "
    "IF NEW.entry_number IS NULL THEN "
    # Held to the end of the admitting transaction, so the next admission in this organisation sees
    # this entry's number before it takes its own: distinct and consecutive with any number of workers.
    "PERFORM pg_advisory_xact_lock(hashtext('coop.member.entry_number'), NEW.organisation); "
    "SELECT COALESCE(MAX(entry_number), 0) + 1 INTO NEW.entry_number FROM member "
    "WHERE organisation = NEW.organisation; "
    "END IF; RETURN NEW; END $$",
    "CREATE TRIGGER member_entry_number BEFORE INSERT OR UPDATE OF entry_number ON member "
    "FOR EACH ROW EXECUTE FUNCTION coop_member_entry_number()",
]
POSTGRES_DROPS = [
    "DROP TRIGGER IF EXISTS member_entry_number ON member",
    "DROP FUNCTION IF EXISTS coop_member_entry_number()",
]


async def back_fill(engine: object) -> None:
    """Number every entry as the register did (rank by id within the organisation), BATCH rows a time."""

    async def query(sql: str, *args: int) -> list[dict[str, int]]:
        return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[attr-defined,no-any-return]

    for org in await query("SELECT DISTINCT organisation FROM member ORDER BY organisation"):
        organisation, given, after = org["organisation"], 0, 0
        while True:
            ids = await query(
                "SELECT id FROM member WHERE organisation = {} AND id > {} ORDER BY id LIMIT {}",
                organisation,
                after,
                BATCH,
            )
            if not ids:
                break
            await query(
                "UPDATE member SET entry_number = numbered.n FROM ("
                "SELECT id, {} + ROW_NUMBER() OVER (ORDER BY id) AS n FROM ("
                "SELECT id FROM member WHERE organisation = {} AND id > {} ORDER BY id LIMIT {}) AS batch"
                ") AS numbered WHERE member.id = numbered.id",
                given,
                organisation,
                after,
                BATCH,
            )
            given, after = given + len(ids), ids[-1]["id"]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await back_fill(engine)
        sqlite = isinstance(engine, SQLiteEngine)
        for sql in INDEXES + (SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS):
            await engine.run_ddl(sql)

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        if isinstance(engine, SQLiteEngine):
            for name in SQLITE_TRIGGER_NAMES:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
        else:
            for sql in POSTGRES_DROPS:
                await engine.run_ddl(sql)
        for name in INDEX_NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        await engine.run_ddl("UPDATE member SET entry_number = NULL")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
