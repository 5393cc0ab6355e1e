"""The shape of coop/ (issue #15, docs/architecture.md): controllers only speak HTTP, modules and functions
stay small enough to read in minutes.

- A controllers module (`*controllers*.py`, `coop/api/*routes*.py`) imports no `tables` module and no
  Piccolo (it calls a service, which reads and writes), and no other area's controllers module (shared
  guards and helpers live in shared modules: coop.guards, coop.actor, coop.web).
- No module in coop/ passes MAX_MODULE_LINES lines and no function passes MAX_FUNCTION_LINES.

Each allow-list below names today's offenders, so the test passes now and fails on any new one; when an
area is tidied its entries come out (the test also fails on an entry that no longer offends, so the lists
only shrink).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOP = ROOT / "coop"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60

# Controllers that still reach the database (to move into their area's service).
CONTROLLERS_USING_TABLES: dict[str, set[str]] = {
    "coop/admin/controllers.py": {"coop.mail.tables"},  # the outbox list and message page
    "coop/api/commissioning_routes.py": {"coop.commissioning.tables"},
    "coop/api/money_routes.py": {"coop.budgets.tables"},
    "coop/api/org_routes.py": {"coop.audit.tables", "coop.members.tables", "coop.organisations.tables"},
    "coop/api/vote_routes.py": {"coop.votes.tables"},
    "coop/budgets/controllers.py": {"coop.budgets.tables", "coop.members.tables"},
    "coop/members/controllers.py": {
        "coop.accounts.tables",
        "coop.members.tables",
        "coop.organisations.tables",
    },
    "coop/organisations/controllers.py": {"coop.members.tables"},
}
# Controllers that import another area's controllers (actor_of now lives in coop.actor; requires_supporter
# belongs in coop.guards).
CONTROLLERS_USING_OTHER_CONTROLLERS: dict[str, set[str]] = {
    "coop/api/token_controllers.py": {"coop.accounts.controllers"},
    "coop/budgets/controllers.py": {"coop.accounts.controllers"},
    "coop/budgets/returns_controllers.py": {"coop.accounts.controllers", "coop.members.controllers"},
    "coop/budgets/reversal_controllers.py": {"coop.accounts.controllers"},
    "coop/commissioning/controllers.py": {"coop.accounts.controllers"},
    "coop/members/controllers.py": {"coop.accounts.controllers"},
    # requires_supporter, for the supporter's view of the vote pages
    "coop/votes/ballot_controllers.py": {"coop.members.controllers"},
    "coop/votes/controllers.py": {"coop.members.controllers"},
    "coop/votes/result_controllers.py": {"coop.members.controllers"},
}
# Modules past MAX_MODULE_LINES (to split by subject).
LONG_MODULES = {
    "coop/budgets/service.py",
    "coop/commissioning/controllers.py",
    "coop/commissioning/service.py",
    "coop/members/controllers.py",
    "coop/members/service.py",
}
# Functions past MAX_FUNCTION_LINES (to split; or to keep with the reason in their docstring).
LONG_FUNCTIONS = {
    "coop/accounts/service.py:sign_in",
    "coop/app.py:create_app",
    "coop/boards/service.py:_seat_winners",
    "coop/boards/service.py:appoint",
    "coop/budgets/returns.py:monitoring_return",
    "coop/budgets/returns.py:return_csv",
    "coop/budgets/service.py:_pay",
    "coop/budgets/service.py:ledger_problems",
    "coop/budgets/service.py:record_contribution",
    "coop/budgets/demo.py:seed_pool",
    "coop/commissioning/demo.py:seed_commissioning",
    "coop/commissioning/service.py:create_contract",
    "coop/commissioning/service.py:create_proposal",
    "coop/commissioning/service.py:record_invoice",
    "coop/demo.py:seed_demo",
    "coop/demo.py:seed_membership",
    "coop/members/controllers.py:create",
    "coop/members/service.py:add_supporter",
    "coop/members/service.py:appoint_proxy",
    "coop/members/service.py:decide_application",
    "coop/setup/service.py:found_organisation",
    "coop/votes/ballots.py:parse_choice",
    "coop/votes/demo.py:seed_votes",
    "coop/votes/tally.py:count_sheet",
    "coop/votes/tally.py:count_vote",
    "coop/votes/verify.py:verify_vote",
}


def _modules() -> list[Path]:
    return sorted(p for p in COOP.rglob("*.py") if "static" not in p.parts)


def _where(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_posix()


def is_controllers(path: Path) -> bool:
    return "controllers" in path.stem or (path.parent.name == "api" and "routes" in path.stem)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, absolute names (`from coop.x import y` gives coop.x)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def database_imports(path: Path) -> set[str]:
    """ "piccolo" and the `coop.<area>.tables` modules that `path` imports."""
    found = set()
    for name in imported_modules(path):
        parts = name.split(".")
        if parts[0] == "piccolo":
            found.add("piccolo")
        elif parts[0] == "coop" and parts[2:3] == ["tables"]:
            found.add(".".join(parts[:3]))
    return found


def other_controllers(path: Path) -> set[str]:
    """Other areas' controllers modules that `path` imports (coop.<area>.<controllers module>)."""
    area = path.parent.name
    found = set()
    for name in imported_modules(path):
        parts = name.split(".")
        if len(parts) >= 3 and parts[0] == "coop" and parts[1] != area and is_controllers(Path(*parts[1:3])):
            found.add(".".join(parts[:3]))
    return found


def long_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        f"{_where(path)}:{node.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    }


def test_controllers_import_no_tables_and_no_piccolo():
    found = {_where(p): database_imports(p) for p in _modules() if is_controllers(p) and database_imports(p)}
    assert found == CONTROLLERS_USING_TABLES


def test_controllers_import_no_other_areas_controllers():
    found = {
        _where(p): other_controllers(p) for p in _modules() if is_controllers(p) and other_controllers(p)
    }
    assert found == CONTROLLERS_USING_OTHER_CONTROLLERS


def test_no_module_passes_the_size_limit():
    found = {
        _where(p) for p in _modules() if len(p.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
    }
    assert found == LONG_MODULES


def test_no_function_passes_the_size_limit():
    found = set().union(*(long_functions(p) for p in _modules()))
    assert found == LONG_FUNCTIONS


def test_the_checks_catch_what_they_are_for(tmp_path):
    area = tmp_path / "coop" / "votes"
    area.mkdir(parents=True)
    sample = area / "controllers.py"
    body = "\n".join(f"    x = {i}" for i in range(MAX_FUNCTION_LINES))
    sample.write_text(
        "from piccolo.columns import Text\nfrom coop.votes.tables import Vote\n"
        "from coop.members.controllers import requires_supporter\nfrom coop.votes.forms import read\n"
        "from coop.api.money_routes import x\n"
        f"def handler():\n{body}\n"
    )
    assert is_controllers(sample) and is_controllers(Path("api/vote_routes.py"))
    assert not is_controllers(Path("votes/service.py"))
    assert database_imports(sample) == {"piccolo", "coop.votes.tables"}
    assert other_controllers(sample) == {"coop.members.controllers", "coop.api.money_routes"}
    assert {name.rsplit(":", 1)[1] for name in long_functions(sample)} == {"handler"}
