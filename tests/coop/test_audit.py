"""The audit log: one entry per action, chained by hash, append-only in the database."""

from __future__ import annotations

import pytest

from tests.conftest import run
from tests.coop.helpers import sign_in


def _events(chain: str = "site") -> list[dict]:
    from coop.audit.tables import AuditEvent

    return run(AuditEvent.select().where(AuditEvent.chain == chain).order_by(AuditEvent.seq))


def test_sign_in_and_sign_out_are_recorded_once_each_without_secrets(demo, client):
    before = len(_events())
    sign_in(client, "helen@riverside.example")
    token = client.cookies.get("__Host-session")
    from tests.coop.helpers import post_form

    post_form(client, "/account/sign-out")
    new = _events()[before:]
    assert [e["action"] for e in new] == ["auth.sign_in", "auth.sign_out"]
    assert all(e["actor"] is not None for e in new)
    assert all(token not in str(e) and "correct horse" not in str(e) for e in new)


def test_each_organisation_has_its_own_unbroken_chain(demo):
    from coop.audit.service import verify_chain
    from coop.organisations.tables import Organisation

    org_id = run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())["id"]
    events = _events(f"org:{org_id}")
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["action"] == "organisation.created"
    assert sum(e["action"] == "member.admitted" for e in events) == 12
    assert run(verify_chain(org_id)) == []
    assert run(verify_chain(None)) == []


def test_the_database_refuses_to_change_or_delete_audit_events(demo):
    from coop.audit.tables import AuditEvent

    with pytest.raises(Exception, match="append-only"):
        run(AuditEvent.update({AuditEvent.action: "nothing.happened"}, force=True))
    with pytest.raises(Exception, match="append-only"):
        run(AuditEvent.delete(force=True))
    assert len(_events()) > 0


@pytest.mark.parametrize("column", ["action", "detail", "actor", "at"])
def test_any_edit_to_a_past_event_is_detected(demo, engine_name, column):
    from coop.audit.service import verify_chain
    from coop.db import current_engine

    # Only someone with direct database access can do this, and only by dropping the trigger first.
    engine = current_engine()
    if engine_name == "sqlite":
        run(engine.run_ddl("DROP TRIGGER audit_event_no_update"))
    else:
        run(engine.run_ddl("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    values = {
        "action": "'auth.password_reset'",
        "detail": "'{\"site_admin\":true}'",
        "actor": "1",
        "at": "'2020-01-01 00:00:00+00:00'",
    }
    run(
        engine.run_ddl(f"UPDATE audit_event SET {column} = {values[column]} WHERE chain = 'site' AND seq = 2")
    )
    problems = run(verify_chain(None))
    assert [p.seq for p in problems] == [2]
    assert "changed" in problems[0].message


def test_a_removed_last_event_is_detected(demo, engine_name):
    from coop.audit.service import verify_chain
    from coop.db import current_engine

    engine = current_engine()
    if engine_name == "sqlite":
        run(engine.run_ddl("DROP TRIGGER audit_event_no_delete"))
    else:
        run(engine.run_ddl("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    last = _events()[-1]["seq"]
    run(engine.run_ddl(f"DELETE FROM audit_event WHERE chain = 'site' AND seq = {last}"))
    assert any("removed" in p.message for p in run(verify_chain(None)))
