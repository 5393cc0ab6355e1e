"""`create_app(settings)` uses the database its settings name, not the one the environment named when
Piccolo was first imported: two apps with two database URLs, one after the other in one process, each write
to their own database, and afterwards the tables are back on the database in use before."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.conftest import make_client, run
from tests.coop.helpers import post_form

ROOT = Path(__file__).resolve().parents[2]


def _migrated_sqlite(path: Path) -> str:
    """A second database, migrated by Piccolo's own command (as `make migrate` does)."""
    url = f"sqlite:///{path}"
    env = {**os.environ, "COOP_DATABASE_URL": url, "PICCOLO_CONF": "coop.piccolo_conf"}
    piccolo = Path(sys.executable).parent / "piccolo"
    done = subprocess.run(
        [str(piccolo), "migrations", "forwards", "coop"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return url


def _reset_emails_in_second(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT payload FROM job WHERE kind = 'accounts.reset_link'").fetchall()
    return [json.loads(payload)["email"] for (payload,) in rows]


def _ask_for_reset(settings: Any, email: str) -> None:
    with make_client(settings) as client:
        assert post_form(client, "/password-reset", {"email": email}).status_code in (200, 303)


def test_two_apps_with_two_database_urls_write_to_their_own_databases(settings, tmp_path):
    from coop.db import current_engine
    from coop.jobs.tables import Job

    before = current_engine()
    second_path = tmp_path / "second.sqlite3"
    second = replace(settings, database_url=_migrated_sqlite(second_path))

    _ask_for_reset(settings, "first@example.org")
    _ask_for_reset(second, "second@example.org")
    _ask_for_reset(settings, "third@example.org")

    assert current_engine() is before and Job._meta.db is before
    first_rows = run(Job.select(Job.payload).where(Job.kind == "accounts.reset_link"))
    assert sorted(json.loads(r["payload"])["email"] for r in first_rows) == [
        "first@example.org",
        "third@example.org",
    ]
    assert _reset_emails_in_second(second_path) == ["second@example.org"]
