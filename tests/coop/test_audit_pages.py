"""The audit log in plain English, who sees which events, and checking its hash chain from the command
line and from a page (issue #14 item 12)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import run
from tests.coop.helpers import page_text, sign_in

COOP = Path(__file__).resolve().parents[2] / "coop"
SECRETARY, TREASURER, DIRECTOR = (
    "helen@riverside.example",
    "daniel@riverside.example",
    "priya@riverside.example",
)


def _literal_actions(node: ast.expr, where: str) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _literal_actions(node.body, where) | _literal_actions(node.orelse, where)
    raise AssertionError(f"{where}: write the audit action as a literal string: {ast.unparse(node)}")


def _action_argument(call: ast.Call, position: int) -> ast.expr:
    if len(call.args) > position:
        return call.args[position]
    return next(k.value for k in call.keywords if k.arg == "action")


def _passes_action_on(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A helper that writes its caller's audit entry: it takes `action` and makes `AuditEntry(action, …)`."""
    if "action" not in [a.arg for a in fn.args.args]:
        return False
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "AuditEntry"
        and isinstance(arg := _action_argument(call, 0), ast.Name)
        and arg.id == "action"
        for call in ast.walk(fn)
    )


def audit_actions_in_source() -> set[str]:
    """Every audit action coop can write: the action of each `AuditEntry(...)`, and where a helper passes
    its `action` parameter on, what each caller of that helper gives it (in any module)."""
    trees = {path: ast.parse(path.read_text(), str(path)) for path in sorted(COOP.rglob("*.py"))}
    helpers = {
        path: {
            fn.name: [a.arg for a in fn.args.args].index("action")
            for fn in ast.walk(tree)
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and _passes_action_on(fn)
        }
        for path, tree in trees.items()
    }
    found: set[str] = set()
    for path, tree in trees.items():
        usable = dict(helpers[path])
        for imported in ast.walk(tree):  # and the helpers it imports from other coop modules
            if isinstance(imported, ast.ImportFrom) and (imported.module or "").startswith("coop."):
                source = COOP.parent / (str(imported.module).replace(".", "/") + ".py")
                usable |= {
                    n.name: i
                    for n in imported.names
                    if (i := helpers.get(source, {}).get(n.name)) is not None
                }
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
                continue
            where = f"{path.relative_to(COOP.parent)}:{call.lineno}"
            if call.func.id == "AuditEntry":
                action = _action_argument(call, 0)
                if not (isinstance(action, ast.Name) and action.id == "action"):
                    found |= _literal_actions(action, where)
            elif call.func.id in usable:
                found |= _literal_actions(_action_argument(call, usable[call.func.id]), where)
    return found


def test_every_audit_action_the_code_can_write_has_a_plain_english_description():
    from coop.audit.descriptions import EVENT_DESCRIPTIONS

    actions = audit_actions_in_source()
    # The reader of the source must find the actions written directly, through a conditional and through
    # a helper, or this test proves nothing.
    assert {
        "member.admitted",
        "application.refused",
        "budget.committed",
        "commissioning.offer_added",
    } <= actions
    assert len(actions) >= 60
    assert sorted(actions - EVENT_DESCRIPTIONS.keys()) == []
    for action, text in EVENT_DESCRIPTIONS.items():
        assert text[0].isupper() and "." not in text and "_" not in text, action


def test_the_audit_log_describes_events_in_plain_english(demo, client):
    sign_in(client, SECRETARY)
    html = client.get("/o/riverside/audit?page=99").text  # the oldest page: the members' admissions
    text = page_text(html)
    assert "A member was admitted" in text and "The organisation was set up" in text
    assert "member.admitted" not in html and "organisation.created" not in html
    newest = page_text(client.get("/o/riverside/audit").text)
    assert "commissioning.invoice_recorded" not in newest and "(contract_invoice)" not in newest
    assert "Done" in newest


def _money_event_count() -> int:
    from coop.audit.tables import AuditEvent

    return run(
        AuditEvent.count().where(
            (AuditEvent.organisation.slug == "riverside")
            & (AuditEvent.action.like("budget.%") | AuditEvent.action.like("commissioning.%"))
        )
    )


def test_the_treasurer_sees_the_money_events_and_no_others(demo, client):
    from coop.audit.descriptions import EVENT_DESCRIPTIONS, is_money_event

    money_texts = {text for action, text in EVENT_DESCRIPTIONS.items() if is_money_event(action)}
    other_texts = set(EVENT_DESCRIPTIONS.values()) - money_texts
    sign_in(client, TREASURER)
    seen: list[str] = []
    page = 1
    while True:
        response = client.get(f"/o/riverside/audit?page={page}")
        assert response.status_code == 200
        cells = [c.strip() for c in _what_column(response.text)]
        seen += cells
        if f"page={page + 1}" not in response.text:
            break
        page += 1
    assert seen and all(cell in money_texts for cell in seen), set(seen) - money_texts
    assert not set(seen) & other_texts
    assert len(seen) == _money_event_count() > 0
    assert "Money in was recorded" in seen
    assert "Check that the audit log has not been changed" not in response.text
    assert client.get("/o/riverside/audit/check").status_code == 403


def _what_column(html: str) -> list[str]:
    """The 'What' cell (4th) of each row of the events table."""
    import html as html_module
    import re

    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<td class=\"govuk-table__cell\">(.*?)</td>", row, re.S) for row in rows]
    return [html_module.unescape(row[3]) for row in cells]


def test_a_director_without_an_office_sees_neither_the_log_nor_the_check(demo, client):
    sign_in(client, DIRECTOR)
    assert client.get("/o/riverside/audit").status_code == 403
    assert client.get("/o/riverside/audit/check").status_code == 403


def _verify_command(slug: str = "riverside") -> tuple[int, str]:
    from coop.audit.verify_command import audit

    result = CliRunner().invoke(audit, ["verify", slug])
    return result.exit_code, result.output


def test_an_unbroken_log_is_ok_on_the_page_and_from_the_command(demo, client):
    from coop.audit.tables import AuditEvent

    total = run(AuditEvent.count().where(AuditEvent.organisation.slug == "riverside"))
    code, output = _verify_command()
    assert code == 0, output
    assert output.startswith(f"OK: the audit log of riverside is unbroken: {total} events checked.")
    sign_in(client, SECRETARY)
    log = client.get("/o/riverside/audit")
    assert 'href="/o/riverside/audit/check"' in log.text
    page = client.get("/o/riverside/audit/check")
    assert page.status_code == 200
    assert "The audit log is unbroken" in page.text and f"All {total} events were checked" in page.text


def test_the_command_names_an_unknown_organisation(demo):
    code, output = _verify_command("nowhere")
    assert code == 1 and "There is no organisation 'nowhere'" in output


@pytest.fixture
def tamperable(demo, engine_name) -> Iterator[tuple[object, int]]:
    """The append-only triggers off, as only someone with direct database access could do, then back on."""
    from coop.db import current_engine
    from coop.organisations.tables import Organisation

    engine = current_engine()
    if engine_name == "sqlite":
        run(engine.run_ddl("DROP TRIGGER audit_event_no_update"))
        run(engine.run_ddl("DROP TRIGGER audit_event_no_delete"))
    else:
        run(engine.run_ddl("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    org_id = run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())["id"]
    try:
        yield engine, int(org_id)
    finally:
        if engine_name != "sqlite":
            run(engine.run_ddl("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


@pytest.mark.parametrize(
    ("tamper", "found"),
    [
        (
            "UPDATE audit_event SET detail = '{\"amount_pence\":1}' WHERE chain = 'org:{org}' AND seq = 7",
            "Event 7 has been changed since it was written.",
        ),
        (
            "DELETE FROM audit_event WHERE chain = 'org:{org}' AND seq = 7",
            "Event 7 is missing: removed from the log.",
        ),
    ],
    ids=["details-changed", "row-deleted"],
)
def test_a_tampered_log_is_caught_by_the_command_and_the_page(tamperable, client, tamper, found):
    engine, org_id = tamperable
    run(engine.run_ddl(tamper.replace("{org}", str(org_id))))
    code, output = _verify_command()
    assert code == 1, output
    assert "BROKEN: the audit log of riverside has been changed. First broken link: event 7" in output
    assert found in output
    sign_in(client, SECRETARY)
    page = client.get("/o/riverside/audit/check")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "The audit log has been changed" in text
    assert "The first broken link is event 7" in text and found in text
