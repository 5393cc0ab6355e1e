"""Outbox: messages written before the job queue were sent (or not) inside their request, so none of them
waits for a worker: mark each sent, kept (no SMTP server) or failed. Hand-written, portable SQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T10:37:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox: the delivery state of messages written before the queue"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="coop", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "UPDATE outbox_message SET state = CASE WHEN sent_at IS NOT NULL THEN 'sent' "
            "WHEN transport = 'outbox' THEN 'kept' ELSE 'failed' END"
        )

    manager.add_raw(run)
    return manager
