"""Migrations: the tables match them (no drift), and the last one runs backwards and forwards again."""

from __future__ import annotations

from tests.conftest import run


def test_tables_match_the_migrations(migrated):
    from piccolo.apps.migrations.commands.new import AutoMigrationManager

    from coop.piccolo_app import APP_CONFIG

    statements = run(AutoMigrationManager(auto_input="y").get_alter_statements(app_config=APP_CONFIG))
    assert sum(len(s.statements) for s in statements) == 0, [s.statements for s in statements]


def test_the_last_migration_is_reversible(db):
    from piccolo.apps.migrations.commands.backwards import run_backwards
    from piccolo.apps.migrations.commands.forwards import run_forwards

    back = run(run_backwards(app_name="coop", migration_id="1", auto_agree=True))
    assert back.success, back.message
    forward = run(run_forwards(app_name="coop"))
    assert forward.success, forward.message
