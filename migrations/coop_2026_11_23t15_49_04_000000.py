"""Budgets: unique idempotency keys, references and approvals; foreign-key indexes; triggers that make the
ledger append-only, freeze a payment once decided, and refuse (as a backstop behind the service's
conditional UPDATEs) any withdrawal that leaves a balance below its floor. Hand-written, portable SQL (stack-notes.md §4.3)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T15:49:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "budgets: unique keys, indexes, append-only ledger and floor triggers"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS budget_pool_public_id_uniq ON budget_pool (public_id)",
    "CREATE INDEX IF NOT EXISTS budget_pool_org_idx ON budget_pool (organisation, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS pool_account_public_id_uniq ON pool_account (public_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS pool_account_member_uniq ON pool_account (pool, member) "
    "WHERE member IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS pool_account_pool_idx ON pool_account (pool, id)",
    "CREATE INDEX IF NOT EXISTS pool_account_member_idx ON pool_account (member)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_transaction_public_id_uniq ON ledger_transaction (public_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_transaction_reference_uniq "
    "ON ledger_transaction (organisation, reference)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_transaction_key_uniq "
    "ON ledger_transaction (organisation, idempotency_key) WHERE idempotency_key IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_transaction_reverses_uniq "
    "ON ledger_transaction (reverses) WHERE reverses IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ledger_transaction_pool_idx ON ledger_transaction (pool, id)",
    "CREATE INDEX IF NOT EXISTS ledger_entry_account_idx ON ledger_entry (account, id)",
    "CREATE INDEX IF NOT EXISTS ledger_entry_txn_idx ON ledger_entry (txn)",
    "CREATE INDEX IF NOT EXISTS ledger_entry_pool_idx ON ledger_entry (pool, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS pool_payment_public_id_uniq ON pool_payment (public_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS pool_payment_key_uniq ON pool_payment (organisation, idempotency_key)",
    "CREATE UNIQUE INDEX IF NOT EXISTS pool_payment_reference_uniq ON pool_payment (organisation, reference)",
    "CREATE INDEX IF NOT EXISTS pool_payment_pool_idx ON pool_payment (pool, status, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS payment_approval_uniq ON payment_approval (payment, approver)",
]
INDEX_NAMES = [sql.split(" ON ")[0].split()[-1] for sql in INDEXES]

APPEND_ONLY = ("ledger_transaction", "ledger_entry", "payment_approval")
FLOOR_MESSAGE = "a balance may not go below its floor"

SQLITE_TRIGGERS = [
    *(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
        for table in APPEND_ONLY
        for op in ("UPDATE", "DELETE")
    ),
    "CREATE TRIGGER IF NOT EXISTS pool_payment_no_delete BEFORE DELETE ON pool_payment "
    "BEGIN SELECT RAISE(ABORT, 'payments are never deleted'); END",
    "CREATE TRIGGER IF NOT EXISTS pool_payment_decided BEFORE UPDATE ON pool_payment "
    "WHEN OLD.status <> 'awaiting_approval' "
    "BEGIN SELECT RAISE(ABORT, 'a decided payment cannot change'); END",
    "CREATE TRIGGER IF NOT EXISTS pool_account_floor BEFORE UPDATE ON pool_account "
    "WHEN NEW.kind = 'contributor' AND NEW.balance_pence - NEW.committed_pence < NEW.floor_pence "
    "AND NEW.balance_pence - NEW.committed_pence < OLD.balance_pence - OLD.committed_pence "
    f"BEGIN SELECT RAISE(ABORT, '{FLOOR_MESSAGE}'); END",
    "CREATE TRIGGER IF NOT EXISTS budget_pool_floor BEFORE UPDATE ON budget_pool "
    "WHEN NEW.balance_pence - NEW.committed_pence < NEW.floor_pence "
    "AND NEW.balance_pence - NEW.committed_pence < OLD.balance_pence - OLD.committed_pence "
    f"BEGIN SELECT RAISE(ABORT, '{FLOOR_MESSAGE}'); END",
]
SQLITE_TRIGGER_NAMES = [sql.split(" BEFORE ")[0].split()[-1] for sql in SQLITE_TRIGGERS]

POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION coop_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the ledger is append-only'; END $$",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION coop_ledger_append_only()"
        for table in APPEND_ONLY
    ),
    "CREATE OR REPLACE FUNCTION coop_payment_frozen() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'payments are never deleted'; END IF; "
    "IF OLD.status <> 'awaiting_approval' THEN RAISE EXCEPTION 'a decided payment cannot change'; END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER pool_payment_frozen BEFORE UPDATE OR DELETE ON pool_payment "
    "FOR EACH ROW EXECUTE FUNCTION coop_payment_frozen()",
    *(
        f"CREATE OR REPLACE FUNCTION coop_{table}_floor() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF {condition}NEW.balance_pence - NEW.committed_pence < NEW.floor_pence "
        "AND NEW.balance_pence - NEW.committed_pence < OLD.balance_pence - OLD.committed_pence "
        f"THEN RAISE EXCEPTION '{FLOOR_MESSAGE}'; END IF; RETURN NEW; END $$"
        for table, condition in (("budget_pool", ""), ("pool_account", "NEW.kind = 'contributor' AND "))
    ),
    "CREATE TRIGGER pool_account_floor BEFORE UPDATE ON pool_account "
    "FOR EACH ROW EXECUTE FUNCTION coop_pool_account_floor()",
    "CREATE TRIGGER budget_pool_floor BEFORE UPDATE ON budget_pool "
    "FOR EACH ROW EXECUTE FUNCTION coop_budget_pool_floor()",
]
POSTGRES_DROPS = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY),
    "DROP TRIGGER IF EXISTS pool_payment_frozen ON pool_payment",
    "DROP TRIGGER IF EXISTS pool_account_floor ON pool_account",
    "DROP TRIGGER IF EXISTS budget_pool_floor ON budget_pool",
    "DROP FUNCTION IF EXISTS coop_ledger_append_only()",
    "DROP FUNCTION IF EXISTS coop_payment_frozen()",
    "DROP FUNCTION IF EXISTS coop_budget_pool_floor()",
    "DROP FUNCTION IF EXISTS coop_pool_account_floor()",
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
            for name in SQLITE_TRIGGER_NAMES:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
        else:
            for sql in POSTGRES_DROPS:
                await engine.run_ddl(sql)
        for name in INDEX_NAMES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
