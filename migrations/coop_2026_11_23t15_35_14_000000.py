"""Indexes for membership: unique public ids and link tokens, one live communication need, sensitive fact
or supporter link of each kind per member, and foreign-key indexes. Hand-written, portable SQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T15:35:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "membership indexes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS membership_application_public_id_uniq "
    "ON membership_application (public_id)",
    "CREATE INDEX IF NOT EXISTS membership_application_org_idx "
    "ON membership_application (organisation, status, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS membership_application_reply_uniq "
    "ON membership_application (reply_token_hash) WHERE reply_token_hash IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS member_invitation_public_id_uniq ON member_invitation (public_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS member_invitation_token_uniq ON member_invitation (token_hash)",
    "CREATE INDEX IF NOT EXISTS member_invitation_org_idx ON member_invitation (organisation, id)",
    "CREATE INDEX IF NOT EXISTS member_event_member_idx ON member_event (member, id)",
    "CREATE INDEX IF NOT EXISTS member_event_org_idx ON member_event (organisation, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS communication_need_live_uniq "
    "ON communication_need (member, need) WHERE ended_at IS NULL",
    "CREATE INDEX IF NOT EXISTS communication_need_member_idx ON communication_need (member)",
    "CREATE UNIQUE INDEX IF NOT EXISTS sensitive_fact_live_uniq "
    "ON sensitive_fact (member, fact) WHERE withdrawn_at IS NULL",
    "CREATE INDEX IF NOT EXISTS sensitive_fact_member_idx ON sensitive_fact (member)",
    "CREATE UNIQUE INDEX IF NOT EXISTS member_supporter_live_uniq "
    "ON member_supporter (member, person) WHERE ended_at IS NULL AND person IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS member_supporter_member_idx ON member_supporter (member)",
    "CREATE INDEX IF NOT EXISTS member_supporter_person_idx ON member_supporter (person)",
    "CREATE UNIQUE INDEX IF NOT EXISTS proxy_appointment_public_id_uniq ON proxy_appointment (public_id)",
    "CREATE INDEX IF NOT EXISTS proxy_appointment_member_idx ON proxy_appointment (member)",
    "CREATE INDEX IF NOT EXISTS proxy_appointment_proxy_idx ON proxy_appointment (proxy_member)",
    "CREATE INDEX IF NOT EXISTS member_org_name_idx ON member (organisation, name)",
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
