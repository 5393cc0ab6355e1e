"""One suite, two engines: SQLite by default, PostgreSQL with `--db=postgres` (a throwaway cluster the
tests start themselves, or `COOP_TEST_DATABASE_URL`). Each test gets a freshly migrated database."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import tempfile
from collections.abc import Awaitable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

from tests.pg_cluster import Cluster, start_cluster

# Property tests judge correctness, not speed: a loaded 2-core CI machine must not fail them on time.
settings.register_profile("coop", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("coop")

T = TypeVar("T")
_cluster: Cluster | None = None
_tmp_root = Path(tempfile.mkdtemp(prefix="coop-tests-"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database engine for the tests (default sqlite)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # The engine is chosen before any coop module is imported (Piccolo binds tables at import).
    global _cluster
    if config.getoption("--db") == "postgres":
        url = os.environ.get("COOP_TEST_DATABASE_URL")
        if not url:
            _cluster = start_cluster()
            url = _cluster.url()
    else:
        url = f"sqlite:///{_tmp_root / 'template.sqlite3'}"
    os.environ["COOP_DATABASE_URL"] = url
    os.environ["PICCOLO_CONF"] = "coop.piccolo_conf"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _cluster is not None:
        _cluster.stop()
    shutil.rmtree(_tmp_root, ignore_errors=True)


def run(coro: Awaitable[T]) -> T:
    """Run database work from a test, outside the app (the app is not serving meanwhile)."""

    async def main() -> T:
        return await coro

    return asyncio.run(main())


@pytest.fixture(scope="session")
def engine_name(pytestconfig: pytest.Config) -> str:
    return str(pytestconfig.getoption("--db"))


@pytest.fixture(scope="session")
def migrated(engine_name: str) -> str:
    """Run every migration once per session: into a template file (SQLite) or the test database."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    response = run(run_forwards(app_name="coop"))
    assert response.success, response.message
    return os.environ["COOP_DATABASE_URL"]


@pytest.fixture
def db(migrated: str, engine_name: str, tmp_path: Path) -> Iterator[Any]:
    """A fresh, fully migrated database for this test."""
    from coop.db import CoopSQLiteEngine, current_engine
    from coop.piccolo_app import APP_CONFIG
    from coop.votes import vote_keys

    # Each test keeps the private keys of the votes it opens in a folder of its own.
    vote_keys.use_directory(tmp_path / "vote-keys")
    engine = current_engine()
    try:
        if isinstance(engine, CoopSQLiteEngine):
            template = engine.path
            copy = tmp_path / "test.sqlite3"
            shutil.copyfile(template, copy)
            engine.path = str(copy)
            try:
                yield engine
            finally:
                engine.path = template
        else:
            tables = ", ".join(f'"{t._meta.tablename}"' for t in APP_CONFIG.table_classes)
            run(engine.run_ddl(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            yield engine
    finally:
        vote_keys.use_directory(None)


@pytest.fixture(name="settings")
def settings_fixture(db: Any) -> Any:
    from coop.settings import Settings

    return Settings(
        database_url=os.environ["COOP_DATABASE_URL"],
        secret_key="a test secret that is long enough to sign tokens",
        allowed_hosts=("testserver.local",),
        base_url="https://testserver.local",
        # The cheapest argon2id keeps tests fast; tests of the real parameters set their own.
        argon2_memory_kib=8,
        argon2_time_cost=1,
        argon2_parallelism=1,
        teller_argon2_memory_kib=8,
        teller_argon2_time_cost=1,
        demo_password="correct horse battery staple",
        # Tests run the worker themselves, with their own clock (tests/coop/jobs/helpers.py), and send
        # as fast as the sink takes them.
        worker_in_app="no",
        mail_per_minute=0,
    )


_demo_template: Path | None = None
"""SQLite: the demo seeded once per session, copied into each test's database (seeding takes seconds)."""
_demo_rows: PgSnapshot | None = None
"""PostgreSQL: the same, as each table's rows in COPY's binary format and the sequences' values."""


@pytest.fixture
def demo(settings: Any, db: Any) -> Any:
    """The demo organisations and people (see coop/demo.py)."""
    import sqlite3

    from coop.db import CoopSQLiteEngine
    from coop.demo import seed_demo

    global _demo_template, _demo_rows
    if isinstance(db, CoopSQLiteEngine):
        if _demo_template is not None:
            shutil.copyfile(_demo_template, db.path)
            return settings
        assert run(seed_demo(settings))
        template = _tmp_root / "demo.sqlite3"
        # The backup API copies what is still in the write-ahead log too; a file copy might not.
        with closing(sqlite3.connect(db.path)) as source, closing(sqlite3.connect(template)) as target:
            source.backup(target)
        _demo_template = template
        return settings
    url = os.environ["COOP_DATABASE_URL"]
    if _demo_rows is not None:
        run(_demo_rows.restore(url))  # into the tables the `db` fixture has just emptied
        return settings
    assert run(seed_demo(settings))
    _demo_rows = run(PgSnapshot.take(url))
    return settings


@dataclass(frozen=True)
class PgSnapshot:
    """Every coop table's rows and every sequence's position, to put back into emptied tables."""

    tables: dict[str, tuple[list[str], bytes]]
    """Table name → (its columns, by name: a migration test may rebuild a table; its rows)."""
    sequences: list[tuple[str, int]]

    @classmethod
    async def take(cls, url: str) -> PgSnapshot:
        import asyncpg

        from coop.piccolo_app import APP_CONFIG

        connection = await asyncpg.connect(url)
        try:
            tables: dict[str, tuple[list[str], bytes]] = {}
            for table in APP_CONFIG.table_classes:
                name = table._meta.tablename
                columns = [column._meta.db_column_name for column in table._meta.columns]
                buffer = io.BytesIO()
                await connection.copy_from_table(name, columns=columns, output=buffer, format="binary")
                tables[name] = (columns, buffer.getvalue())
            # Only the sequences of the tables put back: the `migration` table is neither emptied nor
            # restored, so winding its sequence back would make the next migration reuse an id (a test
            # that runs migrations backwards and forwards adds rows after the snapshot was taken).
            rows = await connection.fetch(
                "SELECT format('%I.%I', s.schemaname, s.sequencename) AS name, s.last_value "
                "FROM pg_sequences s JOIN pg_class c ON c.relname = s.sequencename "
                "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname "
                "JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'a' "
                "JOIN pg_class t ON t.oid = d.refobjid "
                "WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL "
                "AND t.relname = ANY($1::text[])",
                list(tables),
            )
        finally:
            await connection.close()
        return cls(tables, [(row["name"], row["last_value"]) for row in rows])

    async def restore(self, url: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(url)
        try:
            async with connection.transaction():
                # Rows go back exactly as they were taken: no foreign-key order to follow, no triggers.
                await connection.execute("SET LOCAL session_replication_role = replica")
                for name, (columns, rows) in self.tables.items():
                    await connection.copy_to_table(
                        name, columns=columns, source=io.BytesIO(rows), format="binary"
                    )
                for sequence, value in self.sequences:
                    await connection.execute("SELECT setval($1, $2)", sequence, value)
        finally:
            await connection.close()


def make_client(settings: Any) -> Any:
    from litestar.testing import TestClient

    from coop.app import create_app

    return TestClient(app=create_app(settings, use_pool=False), base_url="https://testserver.local")


@pytest.fixture
def client(settings: Any) -> Iterator[Any]:
    with make_client(settings) as test_client:
        yield test_client
