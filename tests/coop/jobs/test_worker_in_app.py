"""`coop serve` runs a worker inside itself on SQLite (so one command does everything) and not on
PostgreSQL, where `coop worker` processes do the work."""

from __future__ import annotations

import time
from dataclasses import replace

from tests.conftest import make_client, run
from tests.coop.helpers import post_form
from tests.coop.jobs.helpers import jobs


def _reset_emails() -> int:
    from coop.mail.tables import OutboxMessage

    return int(run(OutboxMessage.count().where(OutboxMessage.subject == "Reset your coop password")))


def test_the_app_runs_a_worker_inside_itself_on_sqlite_only(demo, settings, engine_name):
    app_settings = replace(settings, worker_in_app="auto")
    with make_client(app_settings) as client:
        assert post_form(client, "/password-reset", {"email": "amara@riverside.example"}).status_code == 200
        if engine_name == "sqlite":
            # The request only queued the job; the app's own worker sends the link a moment later.
            deadline = time.monotonic() + 30
            while _reset_emails() == 0:
                assert time.monotonic() < deadline, "the app's worker did not run the job"
                time.sleep(0.05)
        else:
            assert not app_settings.runs_worker_in_app
    if engine_name != "sqlite":
        assert _reset_emails() == 0
        assert {j["state"] for j in jobs() if j["kind"] == "accounts.reset_link"} == {"queued"}
